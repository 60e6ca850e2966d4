from django.db import migrations


def forwards(apps, schema_editor):
    from zoneops.figures.catalogue import load_catalogue

    load_catalogue(apps.get_model("figures", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("figures", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
