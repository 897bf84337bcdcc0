"""The one row of reporting rules exists from the start, so reading it never writes."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("reporting", "ReportingRules").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_report_based_on")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
