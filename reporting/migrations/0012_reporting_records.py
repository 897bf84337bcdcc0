"""Reports received outside the portal become reporting records: what a source says about a report
(received, or not submitted as of a date), several per report, dates with their precision. Every portal
version gets its submission date (its day in the portal's time zone), so that a report the ISU enters
from an original can carry the original's date; the ISU's rule on where the portal's record is complete."""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import reporting.models

PRECISION = [("day", "Exact day"), ("month", "Month only"), ("year", "Year only")]
CONFIDENCE = [("confirmed", "Confirmed"), ("partly unverified", "Partly unverified"), ("disputed", "Disputed")]


def fill_submission_dates(apps, schema_editor):
    ReportVersion = apps.get_model("reporting", "ReportVersion")
    for version in ReportVersion.objects.only("pk", "submitted_at").iterator():
        ReportVersion.objects.filter(pk=version.pk).update(submitted_on=timezone.localdate(version.submitted_at))


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0003_time_true_records"),
        ("reporting", "0011_format_2010_area_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reportingrules",
            name="records_complete_from",
            field=models.DateField(
                default=dt.date(2026, 1, 1),
                help_text=(
                    "A report due on or after this day and not in the portal counts as not submitted. For reports "
                    "due before it, only a source can say a report was not sent: without one the portal shows "
                    "“no record”."
                ),
                verbose_name="the portal is the complete record of reports due from",
            ),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="submitted_on",
            field=models.DateField(null=True, verbose_name="submission date"),
        ),
        migrations.RunPython(fill_submission_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reportversion",
            name="submitted_on",
            field=models.DateField(
                help_text=(
                    "The day the report counts as submitted: the day of the portal submission, or, for a report "
                    "the ISU entered from a paper or PDF original, the date of the original's submission."
                ),
                verbose_name="submission date",
            ),
        ),
        migrations.AlterField(
            model_name="reportversion",
            name="submitted_at",
            field=models.DateTimeField(
                help_text="When this version was recorded in the portal.", verbose_name="submitted"
            ),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="entered_by_isu",
            field=models.BooleanField(
                default=False,
                help_text="Typed in by the ISU on the State's behalf from an original.",
                verbose_name="entered by the ISU",
            ),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="original_file",
            field=models.FileField(
                blank=True, max_length=200, upload_to=reporting.models._original_path, verbose_name="original document"
            ),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="original_source",
            field=models.TextField(
                blank=True,
                help_text="e.g. note verbale of 12 May 2019 to UNODA; UNODA database.",
                verbose_name="source of the original",
            ),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="confirmed_by_state_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When the State's focal point confirmed it.",
                verbose_name="confirmed by the State",
            ),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # Received reports become reporting records (their rows kept, as "submitted" statements).
        migrations.RemoveConstraint(model_name="receivedreport", name="one_received_initial_report_per_state"),
        migrations.RemoveConstraint(model_name="receivedreport", name="one_received_annual_report_per_year"),
        migrations.RemoveConstraint(model_name="receivedreport", name="received_report_period_matches_kind"),
        migrations.RenameModel("ReceivedReport", "ReportingRecord"),
        migrations.RenameField("reportingrecord", "received_on", "submitted_on"),
        migrations.AlterField(
            model_name="reportingrecord",
            name="submitted_on",
            field=models.DateField(
                blank=True,
                null=True,
                help_text="The date the UN's records or the source give.",
                verbose_name="submitted on",
            ),
        ),
        migrations.AlterField(
            model_name="reportingrecord",
            name="state",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="reporting_records", to="parties.state"
            ),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("not_submitted", "Not submitted (a source says so)"),
                    ("late", "Not submitted by its due date (a source says so)"),
                ],
                default="submitted",
                max_length=15,
                verbose_name="what the source says",
            ),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="submitted_precision",
            field=models.CharField(
                choices=PRECISION, default="day", max_length=5, verbose_name="precision of the submission date"
            ),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="submitted_by",
            field=models.DateField(
                blank=True,
                null=True,
                help_text="Where the day is unknown: the latest day by which the source shows it submitted.",
                verbose_name="submitted at the latest by",
            ),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="as_of",
            field=models.DateField(
                blank=True,
                null=True,
                help_text="The date of the source's statement (undated: see the list).",
                verbose_name="as of",
            ),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="as_of_precision",
            field=models.CharField(
                choices=PRECISION, default="day", max_length=5, verbose_name="precision of that date"
            ),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="listed_in",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reporting_records",
                to="parties.publishedfigure",
                verbose_name="published list",
            ),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="confidence",
            field=models.CharField(choices=CONFIDENCE, default="confirmed", max_length=20, verbose_name="confidence"),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="origin",
            field=models.CharField(blank=True, editable=False, max_length=60, verbose_name="reference file"),
        ),
        migrations.AddField(
            model_name="reportingrecord",
            name="reference",
            field=models.CharField(blank=True, editable=False, max_length=80, verbose_name="reference key"),
        ),
        migrations.AlterModelOptions(
            name="reportingrecord",
            options={
                "ordering": ["state__name", "kind", "period_year", "submitted_on", "as_of"],
                "verbose_name": "Article 7 reporting record",
                "verbose_name_plural": "Article 7 reporting records",
            },
        ),
        migrations.AddConstraint(
            model_name="reportingrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reference", ""), _negated=True),
                fields=("reference",),
                name="reporting_record_reference",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportingrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "initial"), ("period_year__isnull", True)),
                    models.Q(("kind", "annual"), ("period_year__isnull", False)),
                    _connector="OR",
                ),
                name="reporting_record_period_matches_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportingrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "submitted"), _negated=True),
                    ("submitted_on__isnull", False),
                    ("submitted_by__isnull", False),
                    _connector="OR",
                ),
                name="reporting_record_submission_dated",
            ),
        ),
    ]
