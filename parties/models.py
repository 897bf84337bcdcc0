"""States, their treaty dates, their Art. 3/4 obligations, extensions and meetings.

Membership status is never stored: it is derived from the dates for any day
("as of"), because the ISU and the public ask what the situation was at a given
date. Every fact carries the source it came from.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ccm_portal.core import clock
from parties import rules
from parties.dates import PartialDate, Precision


class Region(models.TextChoices):
    # The ISU's six regional groups (domain brief, section 9).
    AFRICA = "Africa", _("Africa")
    AMERICAS = "Americas", _("Americas")
    ASIA = "Asia", _("Asia")
    EUROPE = "Europe", _("Europe")
    MIDDLE_EAST = "Middle East", _("Middle East")
    PACIFIC = "Pacific", _("Pacific")


class DepositType(models.TextChoices):
    # Art. 16: signatories ratify, accept or approve; others accede.
    RATIFICATION = "ratification", _("Ratification")
    ACCESSION = "accession", _("Accession")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")


class MembershipStatus(models.TextChoices):
    STATE_PARTY = "state_party", _("State Party")
    SIGNATORY = "signatory", _("Signatory")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StateQuerySet(models.QuerySet):
    def with_status(self, as_of: dt.date) -> StateQuerySet:
        """Annotate ``status`` as it stood on ``as_of``; "" for a State not yet involved.

        A State counts as a Party from its deposit (as the depositary counts),
        and as withdrawn once its withdrawal has taken effect (Art. 20).
        """
        return self.annotate(
            status=Case(
                When(withdrawal_effective_on__lte=as_of, then=Value(MembershipStatus.WITHDRAWN.value)),
                When(deposit_date__lte=as_of, then=Value(MembershipStatus.STATE_PARTY.value)),
                When(signature_date__lte=as_of, then=Value(MembershipStatus.SIGNATORY.value)),
                default=Value(""),
                output_field=models.CharField(),
            )
        )

    def participants(self, as_of: dt.date) -> StateQuerySet:
        """States that had signed or deposited an instrument by ``as_of``."""
        return self.with_status(as_of).filter(Q(signature_date__lte=as_of) | Q(deposit_date__lte=as_of))

    def parties(self, as_of: dt.date) -> StateQuerySet:
        return self.with_status(as_of).filter(status=MembershipStatus.STATE_PARTY)


class State(models.Model):
    iso3 = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=120)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    signature_date = models.DateField(_("signature"), null=True, blank=True)
    deposit_date = models.DateField(_("deposit of instrument"), null=True, blank=True)
    deposit_type = models.CharField(_("instrument"), max_length=20, choices=DepositType.choices, blank=True)
    provisional_application_date = models.DateField(
        _("provisional application of Art. 1 declared (Art. 18)"), null=True, blank=True
    )
    withdrawal_notified_on = models.DateField(_("withdrawal notified"), null=True, blank=True)
    withdrawal_effective_on = models.DateField(
        _("withdrawal effective"),
        null=True,
        blank=True,
        help_text=_("Six months after notification (Art. 20), later if deferred by armed conflict."),
    )
    source = models.TextField(_("source of the treaty dates"))
    crosscheck = models.CharField(_("cross-checks against other sources"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = StateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("State")
        verbose_name_plural = _("States")
        constraints = [
            models.CheckConstraint(condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="state_iso3_upper_alpha3"),
            models.CheckConstraint(
                condition=Q(deposit_date__isnull=True) | ~Q(deposit_type=""),
                name="state_deposit_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("parties:state_detail", args=[self.iso3])

    def clean(self) -> None:
        errors = {}
        if self.deposit_date and not self.deposit_type:
            errors["deposit_type"] = _("Say which instrument was deposited.")
        if self.withdrawal_notified_on and not self.withdrawal_effective_on:
            self.withdrawal_effective_on = rules.withdrawal_effective(self.withdrawal_notified_on)
        if self.withdrawal_effective_on and not self.deposit_date:
            errors["withdrawal_effective_on"] = _("Only a State that deposited an instrument can withdraw.")
        if (
            self.withdrawal_notified_on
            and self.withdrawal_effective_on
            and self.withdrawal_effective_on < rules.withdrawal_effective(self.withdrawal_notified_on)
        ):
            errors["withdrawal_effective_on"] = _(
                "A withdrawal takes effect six months after notification at the earliest."
            )
        if errors:
            raise ValidationError(errors)

    # --- Derived dates (never stored: they follow the deposit date) -------------
    @property
    def entry_into_force(self) -> dt.date | None:
        return rules.entry_into_force(self.deposit_date)

    @property
    def initial_report_due(self) -> dt.date | None:
        return rules.initial_report_due(self.entry_into_force)

    def status_on(self, day: dt.date) -> MembershipStatus | None:
        if self.withdrawal_effective_on and self.withdrawal_effective_on <= day:
            return MembershipStatus.WITHDRAWN
        if self.deposit_date and self.deposit_date <= day:
            return MembershipStatus.STATE_PARTY
        if self.signature_date and self.signature_date <= day:
            return MembershipStatus.SIGNATORY
        return None

    def is_bound_on(self, day: dt.date) -> bool:
        """Obligations run from entry into force until a withdrawal takes effect."""
        eif = self.entry_into_force
        if eif is None or day < eif:
            return False
        return not (self.withdrawal_effective_on and self.withdrawal_effective_on <= day)


class Article(models.IntegerChoices):
    STOCKPILE_DESTRUCTION = 3, _("Art. 3 — stockpile destruction")
    CLEARANCE = 4, _("Art. 4 — clearance and risk reduction education")


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PARTLY_UNVERIFIED = "partly unverified", _("Partly unverified")
    DISPUTED = "disputed", _("Disputed")


class ObligationStatus(models.TextChoices):
    NOT_YET_BOUND = "not_yet_bound", _("Not yet in force for the State")
    OPEN = "open", _("In progress")
    COMPLETED = "completed", _("Completed")
    COMPLETION_UNCERTAIN = "completion_uncertain", _("Completed around this date (source gives only the month or year)")


class ObligationQuerySet(models.QuerySet):
    def with_related(self) -> ObligationQuerySet:
        return self.select_related("state").prefetch_related("extensions__meeting", "completion_records")


class Obligation(models.Model):
    """A State Party's time-bound obligation under Art. 3 or Art. 4."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("State"))
    article = models.PositiveSmallIntegerField(_("article"), choices=Article.choices)
    hostilities_ended_on = models.DateField(
        _("end of active hostilities"),
        null=True,
        blank=True,
        help_text=_(
            "Art. 4(1)(b) only: remnants created after entry into force are cleared within ten years of this date."
        ),
    )
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    completed_precision = models.CharField(
        _("precision of the completion date"), max_length=5, choices=Precision.choices, blank=True
    )
    completed_by = models.DateField(
        _("completed at the latest by"),
        null=True,
        blank=True,
        help_text=_("Where the exact completion is unknown: the latest date by which a source shows it complete."),
    )
    confidence = models.CharField(_("confidence"), max_length=20, choices=Confidence.choices)
    source = models.TextField(_("source"))
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["state__name", "article"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.UniqueConstraint(fields=["state", "article"], name="obligation_one_per_state_article"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True, completed_precision="")
                | Q(completed_on__isnull=False) & ~Q(completed_precision=""),
                name="obligation_completion_has_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3} — {self.get_article_display()}"

    def clean(self) -> None:
        if self.hostilities_ended_on and self.article != Article.CLEARANCE:
            raise ValidationError(
                {"hostilities_ended_on": _("Only clearance obligations (Art. 4) run from the end of hostilities.")}
            )
        if bool(self.completed_on) != bool(self.completed_precision):
            raise ValidationError({"completed_precision": _("Give the precision together with the completion date.")})

    @property
    def original_deadline(self) -> dt.date | None:
        eif = self.state.entry_into_force
        if self.article == Article.STOCKPILE_DESTRUCTION:
            return rules.stockpile_destruction_deadline(eif)
        return rules.clearance_deadline(eif, self.hostilities_ended_on)

    def granted_extensions(self) -> list[ExtensionRequest]:
        # Iterates the prefetched set where there is one: no query per obligation on lists.
        granted = [e for e in self.extensions.all() if e.status == ExtensionStatus.GRANTED and e.granted_until]
        return sorted(granted, key=lambda e: (e.in_force_from or dt.date.max, e.granted_until))

    def deadline_in_force(self, day: dt.date | None = None) -> PartialDate | None:
        """The deadline in force on ``day`` (today when omitted), with the precision its source gives: the
        original one (Art. 3(2), 4(1)), moved by each extension from the day its decision holds
        (``ExtensionRequest.in_force_from``), never before. An extension whose decision date and meeting are
        both unknown is not counted on any day."""
        day = day or clock.today()
        original = self.original_deadline
        deadline = PartialDate(original, Precision.DAY) if original else None
        for extension in self.granted_extensions():
            holds_from = extension.in_force_from
            if holds_from is not None and holds_from <= day:
                deadline = extension.granted
        return deadline

    def deadline_on(self, day: dt.date | None = None) -> dt.date | None:
        """The last day of the deadline in force on ``day``: a deadline a source gives only as "October 2026"
        or "2026" has certainly passed only once that month or year is over (show it with
        ``deadline_in_force``, never as a day the source did not give)."""
        deadline = self.deadline_in_force(day)
        return deadline.end if deadline else None

    @property
    def current_deadline(self) -> dt.date | None:
        return self.deadline_on(None)

    def extension_in_force_on(self, day: dt.date) -> ExtensionRequest | None:
        in_force = [e for e in self.granted_extensions() if e.in_force_from and e.in_force_from <= day]
        return in_force[-1] if in_force else None

    @property
    def completion(self) -> PartialDate | None:
        if not self.completed_on:
            return None
        return PartialDate(self.completed_on, Precision(self.completed_precision))

    def completion_statements(self) -> list[tuple[PartialDate | None, dt.date | None, bool]]:
        """Every statement of completion that counts: this record's own (``obligations.csv``) and each
        ``CompletionRecord`` (prefetched where there are any), as (date, bound, counts)."""
        statements = []
        if self.completion or self.completed_by:
            statements.append((self.completion, self.completed_by, self.confidence != Confidence.DISPUTED))
        for record in self.completion_records.all():
            if record.completion or record.completed_by:
                statements.append((record.completion, record.completed_by, record.counts))
        return [(c, by) for c, by, counts in statements if counts]

    def completed_from(self) -> dt.date | None:
        """The first day on which some statement shows the obligation certainly complete."""
        days = []
        for completion, bound in self.completion_statements():
            if completion:
                days.append(completion.end)
            if bound:
                days.append(bound)
        return min(days) if days else None

    def status_on(self, day: dt.date) -> ObligationStatus:
        statements = self.completion_statements()
        if not self.state.is_bound_on(day) and not statements:
            return ObligationStatus.NOT_YET_BOUND
        certain = self.completed_from()
        if certain is not None and certain <= day:
            return ObligationStatus.COMPLETED
        if any(completion and completion.start <= day for completion, _bound in statements):
            return ObligationStatus.COMPLETION_UNCERTAIN
        if not self.state.is_bound_on(day):
            return ObligationStatus.NOT_YET_BOUND
        return ObligationStatus.OPEN


class MeetingKind(models.TextChoices):
    MSP = "msp", _("Meeting of States Parties (Art. 11)")
    REVIEW_CONFERENCE = "rc", _("Review Conference (Art. 12)")


class Meeting(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("For example 11MSP or 2RC-2."))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=3, choices=MeetingKind.choices)
    start_date = models.DateField(_("first day"))
    date_precision = models.CharField(
        _("precision of the dates"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("“Month only” for a meeting known by its month (the first day is then the 1st)."),
    )
    end_date = models.DateField(_("last day"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"))

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.start_date:%Y})"

    def clean(self) -> None:
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day.")})

    @property
    def extension_requests_due(self) -> dt.date:
        return rules.extension_request_due(self.start_date)

    @property
    def start(self) -> PartialDate:
        return PartialDate(self.start_date, Precision(self.date_precision))

    @property
    def last_day(self) -> dt.date:
        """The latest day the meeting can have ended: its decisions hold at the latest from then."""
        return self.end_date or self.start.end


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested; no decision recorded")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the State")


class ExtensionStage(models.TextChoices):
    """Where a request stood on a given day (``ExtensionRequest.stage_on``)."""

    PENDING = "pending", _("Submitted, awaiting the meeting's decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the State")
    NO_OUTCOME_RECORDED = "no_outcome", _("Considered; no record of the outcome")


def _partial(day: dt.date | None, precision: str) -> PartialDate | None:
    return PartialDate(day, Precision(precision or Precision.DAY)) if day else None


class ExtensionRequest(models.Model):
    """A request under Art. 3(3)–(5) or Art. 4(5)–(8), decided by a Meeting of States Parties.

    Every date keeps the precision its source gives (a decision is often known only to the month). A
    granted extension is in force from its decision, never before: the decision day when recorded,
    otherwise the last day of the month or year recorded, otherwise the last day of the meeting that
    decided it (``in_force_from``)."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("obligation")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extension_requests",
        verbose_name=_("considered at"),
    )
    previous_deadline = models.DateField(
        _("deadline it extends"),
        null=True,
        blank=True,
        help_text=_("As the source gives it; empty to take the deadline in force when the request was made."),
    )
    previous_precision = models.CharField(
        _("precision of the deadline it extends"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    submitted_on = models.DateField(_("submitted"), null=True, blank=True)
    submitted_precision = models.CharField(
        _("precision of the submission date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    requested_until = models.DateField(
        _("extension requested until"), null=True, blank=True, help_text=_("Empty where no source gives it.")
    )
    requested_precision = models.CharField(
        _("precision of the requested deadline"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    status = models.CharField(_("outcome"), max_length=10, choices=ExtensionStatus.choices)
    decided_on = models.DateField(
        _("decided on"),
        null=True,
        blank=True,
        help_text=_("The day of the decision, or its month or year with the precision below."),
    )
    decided_precision = models.CharField(
        _("precision of the decision date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    granted_until = models.DateField(_("extension granted until"), null=True, blank=True)
    granted_precision = models.CharField(
        _("precision of the granted deadline"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    confidence = models.CharField(
        _("confidence"), max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    origin = models.CharField(
        _("reference file"),
        max_length=60,
        blank=True,
        editable=False,
        help_text=_("The reference data file a row came from; empty for records the ISU entered."),
    )
    source = models.TextField(_("source"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["obligation", "previous_deadline", "requested_until"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(granted_until__isnull=False),
                name="extension_granted_has_date",
            ),
        ]

    def __str__(self) -> str:
        until = self.granted or self.requested
        return f"{self.obligation} → {until or '?'} ({self.get_status_display()})"

    # --- Dates with their precision -------------------------------------------------------------
    @property
    def previous(self) -> PartialDate | None:
        return _partial(self.previous_deadline, self.previous_precision)

    @property
    def submitted(self) -> PartialDate | None:
        return _partial(self.submitted_on, self.submitted_precision)

    @property
    def requested(self) -> PartialDate | None:
        return _partial(self.requested_until, self.requested_precision)

    @property
    def decided(self) -> PartialDate | None:
        return _partial(self.decided_on, self.decided_precision)

    @property
    def granted(self) -> PartialDate | None:
        return _partial(self.granted_until, self.granted_precision)

    @property
    def in_force_from(self) -> dt.date | None:
        """The first day a granted extension holds: the latest day its decision can have been taken."""
        return rules.decision_holds_from(
            decided=self.decided, meeting_last_day=self.meeting.last_day if self.meeting_id else None
        )

    @property
    def known_from(self) -> dt.date | None:
        """The first day the request is certainly a fact: its submission (the end of its month or year when
        only that is known), and at the latest the first day of the meeting that considered it, or its
        decision (Chile's request "in 2020" was before the meeting of 25 November 2020)."""
        meeting_start = self.meeting.start_date if self.meeting_id else None
        days = [d for d in (self.submitted.end if self.submitted else None, meeting_start, self.in_force_from) if d]
        return min(days) if days else None

    def stage_on(self, day: dt.date) -> ExtensionStage | None:
        """Where the request stood on ``day``; None before it was made (or before anything records it)."""
        known = self.known_from
        if known is None or day < known:
            return None
        decided = self.in_force_from
        if self.status == ExtensionStatus.WITHDRAWN:
            return ExtensionStage.WITHDRAWN if decided is None or decided <= day else ExtensionStage.PENDING
        if self.status in (ExtensionStatus.GRANTED, ExtensionStatus.REFUSED):
            if decided is None or day < decided:
                return ExtensionStage.PENDING
            return ExtensionStage(self.status)
        # No outcome recorded: pending until the meeting that considers it has ended.
        if self.meeting_id and self.meeting.last_day < day:
            return ExtensionStage.NO_OUTCOME_RECORDED
        return ExtensionStage.PENDING

    @property
    def filing_deadline(self) -> dt.date | None:
        return self.meeting.extension_requests_due if self.meeting_id else None

    @property
    def filed_late(self) -> bool:
        """Filed after the window closed, nine months before the meeting (Art. 3(5), 4(6)); only when the
        submission is known to the day or lies wholly after the window."""
        deadline = self.filing_deadline
        submitted = self.submitted
        return bool(deadline and submitted and submitted.start > deadline)

    @property
    def filing_window_unclear(self) -> bool:
        """The submission is known only to a month or year that straddles the window's last day."""
        deadline = self.filing_deadline
        submitted = self.submitted
        return bool(deadline and submitted and submitted.start <= deadline < submitted.end)

    def clean(self) -> None:
        errors = {}
        if self.status == ExtensionStatus.GRANTED and not self.granted_until:
            errors["granted_until"] = _("A granted extension needs the date it was granted until.")
        if self.granted and self.requested and self.granted.start > self.requested.end:
            errors["granted_until"] = _("A meeting may grant a shorter period than requested, never a longer one.")
        if self.decided_on and self.submitted_on and self.decided_on < self.submitted_on:
            errors["decided_on"] = _("A decision cannot come before the request it decides.")
        if self.obligation_id and self.requested_until and self.requested_precision == Precision.DAY:
            obligation = self.obligation
            previous = self.previous_deadline or obligation.original_deadline
            if not self.previous_deadline:
                for other in obligation.granted_extensions():
                    if other.pk != self.pk and other.granted_until < self.requested_until:
                        previous = max(previous, other.granted_until) if previous else other.granted_until
            if previous and self.requested_until <= previous:
                errors["requested_until"] = _("An extension must end after the deadline it extends (%(date)s).") % {
                    "date": previous.isoformat()
                }
            elif (
                previous
                and self.previous_precision == Precision.DAY
                and self.requested_until > rules.longest_extension_end(obligation.article, previous)
            ):
                years = rules.EXTENSION_MAX_YEARS[obligation.article]
                errors["requested_until"] = _(
                    "A single extension under Art. %(article)s may last at most %(years)s years (until %(date)s)."
                ) % {
                    "article": obligation.article,
                    "years": years,
                    "date": rules.longest_extension_end(obligation.article, previous).isoformat(),
                }
        if errors:
            raise ValidationError(errors)


class CompletionFinding(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    NO_OBLIGATION_FOUND = (
        "no_obligation",
        _("Nothing to destroy or clear was found (the obligation may never have existed)"),
    )


class CompletionRecord(models.Model):
    """One source's statement that a State completed its Art. 3 or Art. 4 obligation. Sources disagree at
    times (Norway's stockpile: 16 July or June 2010): each statement is kept with its source and none
    overrules another. The obligation counts as completed from the earliest day a statement shows it
    complete (``Obligation.status_on``); the pages list every statement beside the figure."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="completion_records", verbose_name=_("obligation")
    )
    finding = models.CharField(
        _("finding"), max_length=20, choices=CompletionFinding.choices, default=CompletionFinding.COMPLETED
    )
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    completed_precision = models.CharField(
        _("precision of the completion date"), max_length=5, choices=Precision.choices, blank=True
    )
    completed_by = models.DateField(
        _("completed at the latest by"),
        null=True,
        blank=True,
        help_text=_("Where the source gives no date: the latest day by which it shows the work complete."),
    )
    confidence = models.CharField(_("confidence"), max_length=20, choices=Confidence.choices)
    origin = models.CharField(_("reference file"), max_length=60, blank=True, editable=False)
    source = models.TextField(_("source"))
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["obligation", "completed_on"]
        verbose_name = _("completion record")
        verbose_name_plural = _("completion records")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "origin"], condition=~Q(origin=""), name="one_completion_per_reference_file"
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True, completed_precision="")
                | Q(completed_on__isnull=False) & ~Q(completed_precision=""),
                name="completion_record_date_has_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation}: {self.completion or self.get_finding_display()}"

    @property
    def completion(self) -> PartialDate | None:
        return _partial(self.completed_on, self.completed_precision)

    @property
    def counts(self) -> bool:
        """A statement of completion the figures count (a disputed one, or a void obligation, does not)."""
        return self.finding == CompletionFinding.COMPLETED and self.confidence != Confidence.DISPUTED


class MeasuresStatus(models.TextChoices):
    """Art. 9: where a State Party stands on national implementation measures."""

    ADOPTED = "adopted", _("Specific measures adopted")
    EXISTING_LAW = "existing_law", _("Existing law considered sufficient")
    IN_PROGRESS = "in_progress", _("Measures in progress")
    NONE_KNOWN = "none_known", _("No measures known")


class NationalMeasures(models.Model):
    """The ISU's record of a State's Art. 9 status from a date on, with its source. Rows are history:
    the status on a day is the latest row in effect on that day."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="national_measures")
    status = models.CharField(_("Art. 9 status"), max_length=20, choices=MeasuresStatus.choices)
    effective_from = models.DateField(
        _("in effect from"), help_text=_("The day the law was adopted, or the day the State said so.")
    )
    effective_precision = models.CharField(
        _("precision of that date"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("A status known from a month or year holds from the last day of that period."),
    )
    source = models.TextField(_("source"), help_text=_("e.g. the Art. 7 report, Form A, 2023; or the law's reference."))
    source_url = models.URLField(_("source address"), blank=True, max_length=500)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state__name", "-effective_from"]
        verbose_name = _("national implementation measures (Art. 9)")
        verbose_name_plural = _("national implementation measures (Art. 9)")
        constraints = [
            models.UniqueConstraint(fields=["state", "effective_from"], name="one_art9_status_per_state_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.get_status_display()} ({self.effective})"

    @property
    def effective(self) -> PartialDate:
        return PartialDate(self.effective_from, Precision(self.effective_precision))

    @property
    def holds_from(self) -> dt.date:
        """A statement dated only to a month or year holds from the last day of that period."""
        return self.effective.end


class PublishedFigureTopic(models.TextChoices):
    INITIAL_REPORTS_SUBMITTED = "initial-reports-submitted", _("Initial reports submitted")
    INITIAL_REPORTS_LATE = "initial-reports-overdue", _("Initial reports overdue")
    ANNUAL_REPORTS_OVERDUE = "annual-reports-overdue", _("Annual updates overdue")
    LEGISLATION_ADOPTED = "legislation-adopted", _("States Parties with national legislation (Art. 9)")


class PublishedFigure(models.Model):
    """A total someone published ("31 of 110 States Parties had adopted legislation"): a record like any
    other, with its date and source. The dashboard shows the nearest one beside the figure it computes.

    Some published lists are undated: the window they must fall in is recorded instead. A published list
    of every State in a situation on a date (``is_complete_list``) also says that every other State then
    concerned was not in it; the States it names are ``ReportingRecord`` rows citing it."""

    topic = models.CharField(_("what it counts"), max_length=40, choices=PublishedFigureTopic.choices)
    period_year = models.PositiveSmallIntegerField(
        _("reporting year"), null=True, blank=True, help_text=_("For annual updates: the calendar year covered.")
    )
    as_of = models.DateField(_("as of"), null=True, blank=True)
    as_of_precision = models.CharField(
        _("precision of that date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    window_start = models.DateField(
        _("undated: not before"), null=True, blank=True, help_text=_("For an undated page: the earliest it can be.")
    )
    window_end = models.DateField(
        _("undated: not after"), null=True, blank=True, help_text=_("For an undated page: the latest it can be.")
    )
    value = models.PositiveIntegerField(_("published number"), null=True, blank=True)
    out_of = models.PositiveIntegerField(_("out of"), null=True, blank=True)
    is_complete_list = models.BooleanField(
        _("lists every State concerned"),
        default=False,
        help_text=_("The source names every State in the situation, so the others were not in it."),
    )
    statement = models.TextField(_("what the source says"))
    source = models.TextField(_("source"))
    origin = models.CharField(_("reference file"), max_length=60, blank=True, editable=False)
    reference = models.CharField(
        _("reference key"),
        max_length=80,
        blank=True,
        editable=False,
        help_text=_("Identifies a row of a reference data file, so that loading it again updates this record."),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic", "as_of", "window_end"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="published_figure_reference"
            ),
            models.CheckConstraint(
                condition=Q(as_of__isnull=False) | Q(window_end__isnull=False),
                name="published_figure_is_dated_or_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} — {self.date_label}"

    @property
    def date(self) -> PartialDate | None:
        return PartialDate(self.as_of, Precision(self.as_of_precision)) if self.as_of else None

    @property
    def holds_on(self) -> dt.date:
        """The latest day the figure can describe: its date (end of its month or year), or its window's end."""
        return self.date.end if self.date else self.window_end

    @property
    def known_from(self) -> dt.date:
        """The first day the figure is a published fact an as-of view may show."""
        return self.holds_on

    @property
    def date_label(self) -> str:
        if self.date:
            return self.date.display()
        start = PartialDate(self.window_start, Precision.DAY).display() if self.window_start else "?"
        return _("undated, between %(start)s and %(end)s") % {
            "start": start,
            "end": PartialDate(self.window_end, Precision.DAY).display(),
        }
