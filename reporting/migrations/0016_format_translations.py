"""The reporting format's texts in the portal's languages, stored with the format: ``translations`` is filled from
the PO files of each format file (``reporting/formats/locale/<language>/<format>.po``), as 0011 loads the JSON."""

from django.db import migrations, models


def load(apps, schema_editor):
    from reporting.formats import load_file
    from reporting.formats.messages import format_files, read_translations

    FormatVersion = apps.get_model("reporting", "FormatVersion")
    for name in format_files():
        FormatVersion.objects.filter(code=load_file(name)["code"]).update(translations=read_translations(name))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0015_version_form_totals")]
    operations = [
        migrations.AddField(
            model_name="formatversion",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
