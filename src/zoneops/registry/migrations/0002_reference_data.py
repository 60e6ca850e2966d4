from django.db import migrations

POOLS = [
    ("listing", "上市培育", "凤凰行动：拟上市企业培育"),
    ("eagle", "雄鹰", "雄鹰行动：行业龙头企业培育"),
    ("to-above-scale", "小升规", "规下企业升规培育"),
    ("high-tech", "高新培育", "高新技术企业培育"),
]


def forwards(apps, schema_editor):
    from zoneops.registry import industry

    industry.load(apps.get_model("registry", "IndustryCode"))
    Pool = apps.get_model("registry", "CultivationPool")
    for code, name, desc in POOLS:
        Pool.objects.get_or_create(code=code, defaults={"name": name, "description": desc})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
