"""What the dashboard's charts draw of a version (Form B's stockpile and Form F's areas, each form's total) kept
beside the version instead of read out of its content on every request: the field, then the totals of every
existing version, in batches (the content can be megabytes)."""

from decimal import Decimal, InvalidOperation

from django.db import migrations, models

BATCH = 100
# Copies of reporting.models.reports.TOTALLED, form_total and form_totals_of as they stood when this migration
# was written.
TOTALLED = {"B": ("stockpile", "munitions"), "F": ("areas", "area")}


def number(value):
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except (InvalidOperation, ValueError):
        return Decimal(0)


def form_total(choice, rows, column):
    rows = rows if isinstance(rows, list) else []
    if choice == "not_applicable":
        return Decimal(0)
    if choice == "unchanged" and not rows:
        return None
    if choice not in ("changed", "unchanged"):
        return None
    return sum((number(row.get(column)) for row in rows if isinstance(row, dict)), Decimal(0))


def totals(content):
    forms = content.get("forms") if isinstance(content, dict) else None
    forms = forms if isinstance(forms, dict) else {}
    result = {}
    for code, (table, column) in TOTALLED.items():
        form = forms.get(code)
        if not isinstance(form, dict):
            continue
        tables = form.get("tables")
        total = form_total(form.get("choice"), tables.get(table) if isinstance(tables, dict) else None, column)
        if total is not None:
            result[code] = str(total)
    return result


def fill(apps, schema_editor):
    ReportVersion = apps.get_model("reporting", "ReportVersion")
    last = 0
    while True:
        batch = list(ReportVersion.objects.filter(pk__gt=last).order_by("pk").only("pk", "content")[:BATCH])
        if not batch:
            return
        for version in batch:
            version.form_totals = totals(version.content)
        ReportVersion.objects.bulk_update(batch, ["form_totals"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0014_version_form_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportversion",
            name="form_totals",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="forms' totals"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
