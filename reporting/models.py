"""Article 7 transparency reports: format versions, reports, frozen versions, review comments.

A report is one State's report for one period: the initial report, or the annual
update covering a calendar year. Its working copy (``Report.draft``) changes while the
focal point edits; each submission freezes a ``ReportVersion`` whose content never
changes afterwards. A correction after acceptance makes a new version that supersedes
the old one; both stay readable.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ccm_portal.core.models import BackgroundDocument
from parties import rules
from parties.dates import PartialDate, Precision
from parties.models import Confidence, State
from reporting.formats import FormatDefinition


class FormatVersion(models.Model):
    """One version of the reporting format (forms, fields, tables) as data."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"))
    is_current = models.BooleanField(_("used for new reports"), default=False)
    adopted_at = models.CharField(_("adopted at"), max_length=100, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("reporting format version")
        verbose_name_plural = _("reporting format versions")
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_format")
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def spec(self) -> FormatDefinition:
        return FormatDefinition.from_dict(self.definition)


class ReportingRules(models.Model):
    """Rules the public sources leave open, kept as one row the ISU edits in the admin."""

    class FirstAnnual(models.TextChoices):
        # Domain brief, section 5: when the first annual update falls due is UNVERIFIED.
        YEAR_OF_ENTRY_INTO_FORCE = "eif_year", _("The first annual update covers the year of entry into force")
        YEAR_AFTER_INITIAL_DUE = (
            "after_initial",
            _("The first annual update covers the first full calendar year after the initial report was due"),
        )

    first_annual_period = models.CharField(
        _("first annual update"),
        max_length=20,
        choices=FirstAnnual.choices,
        default=FirstAnnual.YEAR_OF_ENTRY_INTO_FORCE,
    )
    year_on_year_warning_percent = models.DecimalField(
        _("warn when a total changes by more than (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("25.0"),
        help_text=_("Year-on-year checks are warnings that ask for an explanation, never rejections."),
    )
    records_complete_from = models.DateField(
        _("the portal is the complete record of reports due from"),
        default=dt.date(2026, 1, 1),
        help_text=_(
            "A report due on or after this day and not in the portal counts as not submitted. For reports due "
            "before it, only a source can say a report was not sent: without one the portal shows “no record”."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reporting rules")
        verbose_name_plural = _("reporting rules")

    def __str__(self) -> str:
        return str(_("Reporting rules"))

    @classmethod
    def current(cls) -> ReportingRules:
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    ANNUAL = "annual", _("Annual update")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ACCEPTED = "accepted", _("Accepted")
    PUBLISHED = "published", _("Published")


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
    ACCEPTED = "accepted", _("Accepted")
    SUPERSEDED = "superseded", _("Superseded by a correction")


# A version readers (the public, other States) may open: the ISU published it. It stays readable when a
# correction is under way or supersedes it, so that its permanent URL keeps working.
READER_VERSIONS = Q(published_at__isnull=False)


def _original_path(instance: ReportVersion, filename: str) -> str:
    # The stored name carries no user-supplied text beyond the extension.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/originals/{instance.report.state.iso3}/{instance.report_id}-v{instance.number}.{suffix}"


class ReportVersion(models.Model):
    """What was submitted, when and by whom. The content never changes after submission."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report"))
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content as submitted"))
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
        super().save(*args, **kwargs)


def _entry_original_path(instance: ReportEntry, filename: str) -> str:
    # The stored name carries no user-supplied text: the extension is the type read from the content
    # (``reporting.entry.check_original``), the rest a random token (the file is served only through a view).
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/originals/{instance.report.state.iso3}/{instance.report_id}-{secrets.token_hex(8)}.{suffix}"


class ReportEntry(models.Model):
    """A report the ISU enters on a State's behalf from an original received outside the portal (on paper,
    as a PDF, with a note verbale): the original and its facts, held while the ISU types the content, then
    carried into the version it records (``version``; ``ReportVersion.entered_by_isu``). While an entry is
    open the ISU edits the report's working copy, and the State's focal point waits to confirm it."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="entries", verbose_name=_("report"))
    original_file = models.FileField(_("original document"), upload_to=_entry_original_path, max_length=200)
    submitted_on = models.DateField(
        _("submitted on"), help_text=_("The day the State submitted the original: the report counts from it.")
    )
    source = models.TextField(_("source"), help_text=_("e.g. note verbale to UNODA, 25 January 2011."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    version = models.OneToOneField(
        "ReportVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry",
        verbose_name=_("version recorded"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report entered by the ISU")
        verbose_name_plural = _("reports entered by the ISU")
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=Q(version__isnull=True), name="one_open_entry_per_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.submitted_on.isoformat()})"

    @property
    def is_open(self) -> bool:
        return self.version_id is None


class ReviewComment(models.Model):
    """A reviewer's query or a reply, anchored to a form, a field or a table row."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    form_code = models.CharField(_("form"), max_length=10, blank=True, help_text=_("“cover” for the cover page."))
    field_key = models.CharField(_("field or table"), max_length=60, blank=True)
    row_id = models.CharField(_("table row"), max_length=40, blank=True)
    body = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        indexes = [models.Index(fields=["report", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.report}: {self.body[:40]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def anchor(self) -> str:
        return ".".join(part for part in (self.form_code, self.field_key, self.row_id) if part)


class Notification(models.Model):
    """One e-mail sent about a report, keyed so that it is never sent twice."""

    key = models.CharField(max_length=120, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report notification")
        verbose_name_plural = _("report notifications")

    def __str__(self) -> str:
        return self.key


class ReportPdf(BackgroundDocument):
    """The PDF of a submitted version, or of the working draft (for a national approver's sign-off).

    A PDF is rendered once per ``fingerprint``: a hash of what it shows (the content, the format,
    the version's outcome and "superseded by" mark, the layout revision). Asking again for an
    unchanged document reuses the stored file; a change of fingerprint renders anew.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pdfs")
    version = models.OneToOneField(ReportVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="pdf")
    file = models.FileField(upload_to="reports/pdf/", max_length=200, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("report PDF")
        verbose_name_plural = _("report PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=Q(version__isnull=True), name="one_draft_pdf_per_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version or self.report} (PDF)"


class WorkbookUploadStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    APPLIED = "applied", _("Applied to the draft")
    DISCARDED = "discarded", _("Discarded")
    OUTDATED = "outdated", _("Outdated: the draft changed since")


class WorkbookUpload(models.Model):
    """A workbook that passed every check, held with its parsed content until the focal point
    confirms the preview. Workbooks with any error are never stored."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="workbook_uploads")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    base_revision = models.PositiveIntegerField(help_text=_("The draft revision the preview was computed against."))
    content = models.JSONField(help_text=_("The draft as it will be once applied."))
    changes = models.JSONField(default=dict, help_text=_("What will change: path → [before, after]."))
    status = models.CharField(
        max_length=10, choices=WorkbookUploadStatus.choices, default=WorkbookUploadStatus.PREVIEWED
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("workbook upload")
        verbose_name_plural = _("workbook uploads")

    def __str__(self) -> str:
        return f"{self.report}: {self.name}"


class RecordStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NOT_SUBMITTED = "not_submitted", _("Not submitted (a source says so)")
    LATE = "late", _("Not submitted by its due date (a source says so)")


class ReportingRecord(models.Model):
    """What a source says about one State's report outside the portal: received (before the portal, or
    sent straight to the UN), or not submitted as of a date. Only the facts the rates and deadlines need,
    with the source; the content stays with the UN (UNODA's Article 7 database). Several sources may speak
    of the same report, and they may disagree: every statement is kept.

    Dates keep their source's precision. A report known only to have been submitted by a bound (a complete
    published list of late States that does not name it) has ``submitted_by`` and cites the list."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="reporting_records")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_year = models.PositiveSmallIntegerField(
        _("calendar year covered"), null=True, blank=True, help_text=_("Empty for the initial report.")
    )
    status = models.CharField(
        _("what the source says"), max_length=15, choices=RecordStatus.choices, default=RecordStatus.SUBMITTED
    )
    submitted_on = models.DateField(
        _("submitted on"), null=True, blank=True, help_text=_("The date the UN's records or the source give.")
    )
    submitted_precision = models.CharField(
        _("precision of the submission date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    submitted_by = models.DateField(
        _("submitted at the latest by"),
        null=True,
        blank=True,
        help_text=_("Where the day is unknown: the latest day by which the source shows it submitted."),
    )
    as_of = models.DateField(
        _("as of"), null=True, blank=True, help_text=_("The date of the source's statement (undated: see the list).")
    )
    as_of_precision = models.CharField(
        _("precision of that date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    listed_in = models.ForeignKey(
        "parties.PublishedFigure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reporting_records",
        verbose_name=_("published list"),
    )
    is_nil = models.BooleanField(_("nil report"), default=False)
    confidence = models.CharField(
        _("confidence"), max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    source = models.TextField(_("source"), help_text=_("e.g. UNODA Article 7 database, entry of 12 May 2019."))
    source_url = models.URLField(_("source address"), blank=True, max_length=500)
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(_("reference file"), max_length=60, blank=True, editable=False)
    reference = models.CharField(_("reference key"), max_length=80, blank=True, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state__name", "kind", "period_year", "submitted_on", "as_of"]
        verbose_name = _("Article 7 reporting record")
        verbose_name_plural = _("Article 7 reporting records")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="reporting_record_reference"
            ),
            models.CheckConstraint(
                condition=(Q(kind="initial") & Q(period_year__isnull=True))
                | (Q(kind="annual") & Q(period_year__isnull=False)),
                name="reporting_record_period_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_on__isnull=False) | Q(submitted_by__isnull=False),
                name="reporting_record_submission_dated",
            ),
        ]

    def __str__(self) -> str:
        period = self.period_year or _("initial report")
        return f"{self.state.iso3} {period}: {self.get_status_display()}"

    @property
    def submitted(self) -> PartialDate | None:
        return PartialDate(self.submitted_on, Precision(self.submitted_precision)) if self.submitted_on else None

    @property
    def statement_date(self) -> PartialDate | None:
        return PartialDate(self.as_of, Precision(self.as_of_precision)) if self.as_of else None

    @property
    def submitted_certainly_by(self) -> dt.date | None:
        """The first day the report is certainly in: the submission day (end of its month or year), or
        the bound."""
        days = [d for d in (self.submitted.end if self.submitted else None, self.submitted_by) if d]
        return min(days) if days else None

    @property
    def not_submitted_on(self) -> dt.date | None:
        """For a "not submitted" statement: the latest day it speaks of (undated lists: their window's start,
        the only day certainly covered). A report not in on that day was not in on any day before either."""
        if self.status == RecordStatus.SUBMITTED:
            return None
        if self.as_of:
            return self.statement_date.start
        if self.listed_in_id and self.listed_in.window_start:
            return self.listed_in.window_start
        return None

    @property
    def known_from(self) -> dt.date | None:
        """The first day an as-of view may show this statement."""
        if self.status == RecordStatus.SUBMITTED:
            return self.submitted_certainly_by
        if self.as_of:
            return self.statement_date.end
        if self.listed_in_id:
            return self.listed_in.holds_on
        return None
