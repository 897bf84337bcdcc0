"""Seed the United Nations' short names where CLDR's common name differs (the table in parties/un_names.py,
from UNTERM). A name the ISU already set is kept."""

from django.db import migrations

from parties.un_names import UN_SHORT_NAMES


def seed(apps, schema_editor):
    State = apps.get_model("parties", "State")
    for state in State.objects.filter(iso3__in=list(UN_SHORT_NAMES)):
        state.names = {**UN_SHORT_NAMES[state.iso3], **(state.names or {})}
        state.save(update_fields=["names"])


class Migration(migrations.Migration):
    dependencies = [("parties", "0004_state_names")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
