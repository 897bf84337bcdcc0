"""The 2010 format's cover page gains the State's choice to publish its contact point's e-mail and
telephone (issue 12: open data carries no personal data unless the State chose so). Reports stored
before hold no choice: they publish the name and institution only."""

from django.db import migrations


def update(apps, schema_editor):
    from reporting.formats import load_file

    FormatVersion = apps.get_model("reporting", "FormatVersion")
    data = load_file("ccm-2010.json")
    FormatVersion.objects.filter(code=data["code"]).update(definition=data)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0008_received_reports")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
