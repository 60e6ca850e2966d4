from django.db import migrations


def forwards(apps, schema_editor):
    from zoneops.registry import industry

    industry.load_reference(apps.get_model("registry", "IndustryCode"), apps.get_model("registry", "CultivationPool"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
