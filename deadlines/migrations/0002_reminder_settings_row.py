"""The one row of reminder settings exists from the start, so reading it never writes."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("deadlines", "ReminderSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
