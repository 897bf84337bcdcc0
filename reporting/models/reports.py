"""A report and its versions. A report is one State's report for one period: the initial report, or the annual
update covering a calendar year. Its working copy (``Report.draft``) changes while the focal point edits; each
submission freezes a ``ReportVersion`` whose content never changes afterwards. A correction after acceptance
makes a new version that supersedes the old one; both stay readable. The choices (kind, status, visibility,
language, a version's outcome) live beside them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parties import rules
from parties.models import State
from reporting.formats import Choice
from reporting.models.rules import FormatVersion


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    ANNUAL = "annual", _("Annual update")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("status of a report", "Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RESUBMITTED = "resubmitted", pgettext_lazy("status of a report", "Resubmitted")
    ACCEPTED = "accepted", pgettext_lazy("status of a report", "Accepted")
    PUBLISHED = "published", pgettext_lazy("status of a report", "Published")


EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED})
AWAITING_REVIEW = frozenset({ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED})


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted to States Parties and the ISU")


class Language(models.TextChoices):
    # Art. 23: the six authentic languages.
    ARABIC = "ar", _("Arabic")
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")


class ReportQuerySet(models.QuerySet):
    def for_state(self, state: State) -> ReportQuerySet:
        return self.filter(state=state)

    def awaiting_review(self) -> ReportQuerySet:
        return self.filter(status__in=AWAITING_REVIEW)

    def with_published_version(self, *, public_only: bool = False) -> ReportQuerySet:
        """Reports with at least one published version (public ones only, if asked): readers see them
        even while a correction is being prepared or reviewed."""
        published = ReportVersion.objects.filter(report=models.OuterRef("pk"), published_at__isnull=False)
        if public_only:
            published = published.filter(visibility=Visibility.PUBLIC)
        return self.filter(models.Exists(published))


class Report(models.Model):
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="reports", verbose_name=_("State"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_year = models.PositiveSmallIntegerField(
        _("calendar year covered"), null=True, blank=True, help_text=_("Annual updates only.")
    )
    format_version = models.ForeignKey(FormatVersion, on_delete=models.PROTECT, verbose_name=_("format"))
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    draft = models.JSONField(_("working copy"), default=dict)
    revision = models.PositiveIntegerField(
        _("revision"),
        default=0,
        help_text=_("Increases with every save; a save based on an older revision is refused."),
    )
    is_nil = models.BooleanField(_("nil report"), default=False)
    based_on = models.ForeignKey(
        "ReportVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started from"),
        help_text=_("The accepted report this one was pre-filled from; forms equal to it are marked unchanged."),
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, blank=True)
    original_language = models.CharField(_("original language"), max_length=2, choices=Language.choices, default="en")
    sent_to_unoda_on = models.DateField(
        _("sent to the UN Secretary-General (UNODA) on"),
        null=True,
        blank=True,
        help_text=_("The legal submission goes to the UN; the portal records the ISU's copy separately."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports_reviewing",
        verbose_name=_("reviewer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("last saved by")
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["state__name", "-period_year"]
        verbose_name = _("Article 7 report")
        verbose_name_plural = _("Article 7 reports")
        constraints = [
            models.UniqueConstraint(fields=["state"], condition=Q(kind="initial"), name="one_initial_report_per_state"),
            models.UniqueConstraint(
                fields=["state", "period_year"], condition=Q(kind="annual"), name="one_annual_report_per_state_year"
            ),
            models.CheckConstraint(
                condition=Q(kind="initial", period_year__isnull=True) | Q(kind="annual", period_year__isnull=False),
                name="annual_reports_have_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3} {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        return str(_("Initial report")) if self.kind == ReportKind.INITIAL else str(self.period_year)

    @property
    def title(self) -> str:
        """The report as pages, e-mails and feeds name it: "Initial report", "Annual update for 2024"."""
        if self.kind == ReportKind.INITIAL:
            return str(_("Initial report"))
        return str(_("Annual update for %(year)s") % {"year": self.period_year})

    @property
    def period_slug(self) -> str:
        return "initial" if self.kind == ReportKind.INITIAL else str(self.period_year)

    @property
    def is_initial(self) -> bool:
        return self.kind == ReportKind.INITIAL

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def due_date(self) -> dt.date | None:
        """Art. 7(1): initial report 180 days after entry into force; Art. 7(2): updates by 30 April."""
        if self.kind == ReportKind.INITIAL:
            return self.state.initial_report_due
        return rules.annual_report_due(self.period_year)


class VersionOutcome(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    IN_REVIEW = "in_review", _("Under review")
    RECALLED = "recalled", _("Recalled by the State before review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", pgettext_lazy("outcome of a version of a report", "Accepted")
    SUPERSEDED = "superseded", _("Superseded by a correction")


# A version readers (the public, other States) may open: the ISU published it. It stays readable when a
# correction is under way or supersedes it, so that its permanent URL keeps working.
READER_VERSIONS = Q(published_at__isnull=False)


def form_choices_of(content: object) -> dict[str, dict[str, object]]:
    """What lists filter and show of a version's forms, read once from its content when the version is frozen:
    form code → its choice (``changed``, ``unchanged``, ``not_applicable``) and, when given, the year it is
    unchanged since. A few hundred bytes, where the content can be megabytes."""
    forms = content.get("forms") if isinstance(content, dict) else None
    summary: dict[str, dict[str, object]] = {}
    for code, form in (forms if isinstance(forms, dict) else {}).items():
        if not isinstance(form, dict) or form.get("choice") in (None, ""):
            continue
        summary[code] = {"choice": form["choice"]}
        if form.get("unchanged_since") not in (None, ""):
            summary[code]["unchanged_since"] = form["unchanged_since"]
    return summary


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except (InvalidOperation, ValueError):
        return Decimal(0)


def form_total(choice: Any, rows: Any, column: str) -> Decimal | None:
    """A form's total of ``column``: zero when the form is not applicable (the State holds none, or
    knows of no contaminated area); the sum of the rows otherwise; ``None`` (same as the previous report)
    for an "unchanged" form given without rows, and when the form was left unanswered."""
    rows = rows if isinstance(rows, list) else []
    if choice == Choice.NOT_APPLICABLE:
        return Decimal(0)
    if choice == Choice.UNCHANGED and not rows:
        return None
    if choice not in (Choice.CHANGED, Choice.UNCHANGED):
        return None
    return sum((_number(row.get(column)) for row in rows if isinstance(row, dict)), Decimal(0))


# The totals the dashboard's charts draw, per form: Form B's stockpile (cluster munitions held at the end of
# the period, Art. 3) and Form F's areas (m², confirmed and suspected, Art. 4): form → (table, column).
TOTALLED = {"B": ("stockpile", "munitions"), "F": ("areas", "area")}


def form_totals_of(content: object) -> dict[str, str]:
    """The totals of ``TOTALLED`` in a version's content, read once when the version is frozen: form code → its
    ``form_total`` as a decimal string (exact). A form whose total is ``None`` (unchanged without rows,
    unanswered) has no entry: readers take the previous report's."""
    forms = content.get("forms") if isinstance(content, dict) else None
    forms = forms if isinstance(forms, dict) else {}
    totals: dict[str, str] = {}
    for code, (table, column) in TOTALLED.items():
        form = forms.get(code)
        if not isinstance(form, dict):
            continue
        tables = form.get("tables")
        rows = tables.get(table) if isinstance(tables, dict) else None
        total = form_total(form.get("choice"), rows, column)
        if total is not None:
            totals[code] = str(total)
    return totals


def summarize(version: ReportVersion) -> None:
    """Write what a version keeps of its content (``form_choices``, ``form_totals``) as it is made."""
    version.form_choices = form_choices_of(version.content)
    version.form_totals = form_totals_of(version.content)


class ReportVersionQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # Versions made in bulk (imports, benchmarks) carry their forms' summary like any other.
        objs = list(objs)
        for version in objs:
            summarize(version)
        return super().bulk_create(objs, *args, **kwargs)


def _original_path(instance: ReportVersion, filename: str) -> str:
    # The stored name carries no user-supplied text beyond the extension.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/originals/{instance.report.state.iso3}/{instance.report_id}-v{instance.number}.{suffix}"


class ReportVersion(models.Model):
    """What was submitted, when and by whom. The content never changes after submission."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report"))
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content as submitted"))
    # Derived from ``content`` when the version is made (``save``, ``bulk_create``); the content never changes
    # afterwards, so neither does this. The archive and the API filter and show it instead of the content.
    form_choices = models.JSONField(_("forms' choices"), default=dict, blank=True, editable=False)
    # Derived the same way: Form B's and Form F's totals (``form_totals_of``), which the dashboard's charts draw.
    form_totals = models.JSONField(_("forms' totals"), default=dict, blank=True, editable=False)
    format_version = models.ForeignKey(FormatVersion, on_delete=models.PROTECT, verbose_name=_("format"))
    is_nil = models.BooleanField(_("nil report"), default=False)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted"), help_text=_("When this version was recorded in the portal."))
    submitted_on = models.DateField(
        _("submission date"),
        help_text=_(
            "The day the report counts as submitted: the day of the portal submission, or, for a report the ISU "
            "entered from a paper or PDF original, the date of the original's submission."
        ),
    )
    entered_by_isu = models.BooleanField(
        _("entered by the ISU"),
        default=False,
        help_text=_("Typed in by the ISU on the State's behalf from an original."),
    )
    original_file = models.FileField(_("original document"), upload_to=_original_path, max_length=200, blank=True)
    original_source = models.TextField(
        _("source of the original"),
        blank=True,
        help_text=_("e.g. note verbale of 12 May 2019 to UNODA; UNODA database."),
    )
    confirmed_by_state_at = models.DateTimeField(
        _("confirmed by the State"), null=True, blank=True, help_text=_("When the State's focal point confirmed it.")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correction_note = models.CharField(
        _("what this version corrects"), max_length=300, blank=True, help_text=_("e.g. “corrects Form B totals”")
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VersionOutcome.choices, default=VersionOutcome.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("When the ISU published this version. A published version stays readable at its URL for good."),
    )

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="version_numbers_unique")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    def save(self, *args, **kwargs):
        # A portal submission counts from its day in the portal's time zone; an ISU entry gives its own.
        if self.submitted_on is None and self.submitted_at is not None:
            self.submitted_on = timezone.localdate(self.submitted_at)
        if self._state.adding:
            summarize(self)
        super().save(*args, **kwargs)
