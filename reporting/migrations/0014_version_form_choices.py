"""What lists filter and show of a version's forms (each form's choice and the year it is unchanged since),
kept beside the version instead of read out of its content on every request: the field, then the summary of
every existing version, in batches (the content can be megabytes)."""

from django.db import migrations, models

BATCH = 100


def summary(content):
    # A copy of reporting.models.reports.form_choices_of as it stood when this migration was written.
    forms = content.get("forms") if isinstance(content, dict) else None
    result = {}
    for code, form in (forms if isinstance(forms, dict) else {}).items():
        if not isinstance(form, dict) or form.get("choice") in (None, ""):
            continue
        result[code] = {"choice": form["choice"]}
        if form.get("unchanged_since") not in (None, ""):
            result[code]["unchanged_since"] = form["unchanged_since"]
    return result


def fill(apps, schema_editor):
    ReportVersion = apps.get_model("reporting", "ReportVersion")
    last = 0
    while True:
        batch = list(ReportVersion.objects.filter(pk__gt=last).order_by("pk").only("pk", "content")[:BATCH])
        if not batch:
            return
        for version in batch:
            version.form_choices = summary(version.content)
        ReportVersion.objects.bulk_update(batch, ["form_choices"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0013_isu_entries"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportversion",
            name="form_choices",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="forms' choices"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
