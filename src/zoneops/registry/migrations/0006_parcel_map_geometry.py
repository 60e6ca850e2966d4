from django.db import migrations, models


def fill(apps, schema_editor):
    """The map's text of every parcel that has a boundary (see Parcel.map_geometry)."""
    from zoneops.core.geo import map_text

    Parcel = apps.get_model("registry", "Parcel")
    last = 0
    while True:
        rows = list(Parcel.objects.filter(pk__gt=last, geometry__isnull=False).order_by("pk")
                    .only("pk", "geometry")[:2000])
        if not rows:
            return
        for p in rows:
            p.map_geometry = map_text(p.geometry)
        Parcel.objects.bulk_update(rows, ["map_geometry"])
        last = rows[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0005_parcel_status_pipeline"),
    ]

    operations = [
        migrations.AddField(
            model_name="parcel",
            name="map_geometry",
            field=models.TextField(blank=True, editable=False, null=True, verbose_name="地图边界"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
