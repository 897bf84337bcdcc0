"""The 2010 format's area columns are labelled "Size" and "Area cleared" (was "… (m²)"): areas show
as the State typed them (41.30 km², 1,100 ha), so the heading no longer names one unit. The earlier
labels stay as aliases, so that workbooks downloaded before still upload."""

from django.db import migrations


def update(apps, schema_editor):
    from reporting.formats import load_file

    FormatVersion = apps.get_model("reporting", "FormatVersion")
    data = load_file("ccm-2010.json")
    FormatVersion.objects.filter(code=data["code"]).update(definition=data)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0010_valid_row_ids")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
