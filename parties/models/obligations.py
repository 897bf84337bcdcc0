"""Art. 3 (stockpile destruction) and Art. 4 (clearance) obligations and the requests to extend their deadlines:
records with each date's precision (submitted, decided, granted), the deadline in force from the day a
decision holds."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ccm_portal.core import clock
from parties import rules
from parties.dates import PartialDate, Precision
from parties.models.meetings import Meeting
from parties.models.states import State


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
        return PartialDate.stored(self.previous_deadline, self.previous_precision)

    @property
    def submitted(self) -> PartialDate | None:
        return PartialDate.stored(self.submitted_on, self.submitted_precision)

    @property
    def requested(self) -> PartialDate | None:
        return PartialDate.stored(self.requested_until, self.requested_precision)

    @property
    def decided(self) -> PartialDate | None:
        return PartialDate.stored(self.decided_on, self.decided_precision)

    @property
    def granted(self) -> PartialDate | None:
        return PartialDate.stored(self.granted_until, self.granted_precision)

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
