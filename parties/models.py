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
        return self.select_related("state").prefetch_related("extensions__meeting")


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
        return sorted(granted, key=lambda e: e.granted_until)

    def deadline_on(self, day: dt.date | None = None) -> dt.date | None:
        """The deadline in force on ``day`` (today when omitted): the original one moved by
        extensions granted at meetings held by then."""
        deadline = self.original_deadline
        for extension in self.granted_extensions():
            decided = extension.decided_on
            if day is None or decided is None or decided <= day:
                deadline = extension.granted_until
        return deadline

    @property
    def current_deadline(self) -> dt.date | None:
        return self.deadline_on(None)

    @property
    def completion(self) -> PartialDate | None:
        if not self.completed_on:
            return None
        return PartialDate(self.completed_on, Precision(self.completed_precision))

    def status_on(self, day: dt.date) -> ObligationStatus:
        if not self.state.is_bound_on(day) and not self.completion and not self.completed_by:
            return ObligationStatus.NOT_YET_BOUND
        completion = self.completion
        if completion:
            if completion.end <= day:
                return ObligationStatus.COMPLETED
            if completion.start <= day:
                return ObligationStatus.COMPLETION_UNCERTAIN
        if self.completed_by and self.completed_by <= day:
            return ObligationStatus.COMPLETED
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


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested, not yet decided")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the State")


class ExtensionRequest(models.Model):
    """A request under Art. 3(3)–(5) or Art. 4(5)–(8), decided by a Meeting of States Parties."""

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
    submitted_on = models.DateField(_("submitted"), null=True, blank=True)
    requested_until = models.DateField(_("extension requested until"))
    status = models.CharField(_("status"), max_length=10, choices=ExtensionStatus.choices)
    granted_until = models.DateField(_("extension granted until"), null=True, blank=True)
    source = models.TextField(_("source"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["obligation", "requested_until"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(granted_until__isnull=False),
                name="extension_granted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(granted_until__isnull=True) | Q(granted_until__lte=models.F("requested_until")),
                name="extension_granted_within_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} → {self.requested_until:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def decided_on(self) -> dt.date | None:
        """Decisions are taken at the meeting; unknown when the meeting is not recorded."""
        if self.meeting_id is None:
            return None
        return self.meeting.end_date or self.meeting.start_date

    @property
    def filing_deadline(self) -> dt.date | None:
        return self.meeting.extension_requests_due if self.meeting_id else None

    @property
    def filed_late(self) -> bool:
        deadline = self.filing_deadline
        return bool(deadline and self.submitted_on and self.submitted_on > deadline)

    def clean(self) -> None:
        errors = {}
        if self.status == ExtensionStatus.GRANTED and not self.granted_until:
            errors["granted_until"] = _("A granted extension needs the date it was granted until.")
        if self.granted_until and self.requested_until and self.granted_until > self.requested_until:
            errors["granted_until"] = _("A meeting may grant a shorter period than requested, never a longer one.")
        if self.obligation_id and self.requested_until:
            obligation = self.obligation
            previous = obligation.original_deadline
            for other in obligation.granted_extensions():
                if other.pk != self.pk and other.granted_until < self.requested_until:
                    previous = max(previous, other.granted_until) if previous else other.granted_until
            if previous and self.requested_until <= previous:
                errors["requested_until"] = _("An extension must end after the deadline it extends (%(date)s).") % {
                    "date": previous.isoformat()
                }
            elif previous and self.requested_until > rules.longest_extension_end(obligation.article, previous):
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
        return f"{self.state}: {self.get_status_display()} ({self.effective_from})"
