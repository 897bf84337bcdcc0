"""Loads the 2010 reporting format (CCM/MSP/2010/PM/10) as the current format version."""

from django.db import migrations


def load(apps, schema_editor):
    from reporting.formats import load_file

    FormatVersion = apps.get_model("reporting", "FormatVersion")
    data = load_file("ccm-2010.json")
    FormatVersion.objects.update_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "definition": data,
            "is_current": True,
            "adopted_at": "1MSP (Vientiane, 2010)",
            "source": data["source"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
