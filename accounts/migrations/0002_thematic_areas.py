"""The Coordination Committee's thematic areas as of the issue that introduced roles.

They are rows, not code: the ISU renames or adds areas in the admin when the
Committee's structure changes.
"""

from django.db import migrations

AREAS = [
    ("universalization", "Universalization"),
    ("stockpile-destruction", "Stockpile destruction and retention"),
    ("clearance-rre", "Clearance and risk reduction education"),
    ("victim-assistance", "Victim assistance"),
    ("cooperation-assistance", "Cooperation and assistance"),
    ("transparency", "Transparency measures"),
    ("national-implementation", "National implementation measures"),
    ("general-status", "General status and operation"),
]


def add_areas(apps, schema_editor):
    ThematicArea = apps.get_model("accounts", "ThematicArea")
    for position, (code, name) in enumerate(AREAS):
        ThematicArea.objects.update_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_areas, migrations.RunPython.noop)]
