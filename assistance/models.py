"""Article 6 cooperation and assistance: donors, requests, offers, matches and their funding,
country coalitions.

Money is a decimal with an ISO 4217 currency; amounts in different currencies are never added
together (conversions are done by others, domain brief section 5).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import ThematicArea
from parties.dates import PartialDate, Precision
from parties.models import Obligation, State

MAX_AMOUNT = Decimal("10000000000")  # 10 billion: anything larger is a typing error


def _default_upload_types() -> list[str]:
    return ["pdf", "docx", "xlsx", "odt", "ods", "png", "jpg"]


class AssistanceKind(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    MATERIAL = "material", _("Material")
    FINANCIAL = "financial", _("Financial")


class Donor(models.Model):
    """A State or an organization in a position to assist (Art. 6(2)); donor focal points act for it."""

    state = models.OneToOneField(State, on_delete=models.PROTECT, null=True, blank=True, related_name="donor")
    organization = models.CharField(_("organization"), max_length=200, blank=True)

    class Meta:
        ordering = ["organization", "state__name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__isnull=False) & Q(organization="")) | (Q(state__isnull=True) & ~Q(organization="")),
                name="donor_is_a_state_or_an_organization",
            ),
            models.UniqueConstraint(fields=["organization"], condition=~Q(organization=""), name="one_donor_per_org"),
        ]

    def __str__(self) -> str:
        return self.state.local_name if self.state_id else self.organization


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status of an assistance request", "Open")
    CLOSED = "closed", pgettext_lazy("status of an assistance request", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("status of an assistance request", "Withdrawn")


class AssistanceRequest(models.Model):
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="assistance_requests")
    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("thematic area"))
    kind = models.CharField(_("kind"), max_length=10, choices=AssistanceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("serves")
    )
    amount = models.DecimalField(
        _("amount needed"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Requests are restricted unless the State makes them public.")
    )
    shared_with = models.ManyToManyField(
        Donor, blank=True, related_name="shared_requests", verbose_name=_("shared with")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assistance request")
        verbose_name_plural = _("assistance requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="request_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""), name="request_amount_has_currency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3}: {self.title}"


class OfferStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("status of an assistance offer", "Active")
    WITHDRAWN = "withdrawn", pgettext_lazy("status of an assistance offer", "Withdrawn")


class AssistanceOffer(models.Model):
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="offers")
    title = models.CharField(_("title"), max_length=200)
    areas = models.ManyToManyField(ThematicArea, related_name="+", verbose_name=_("thematic areas"))
    kinds = models.JSONField(_("kinds"), default=list)
    regions = models.JSONField(_("regions of interest"), default=list, blank=True)
    states = models.ManyToManyField(State, blank=True, related_name="+", verbose_name=_("States of interest"))
    budget_min = models.DecimalField(_("budget from"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(_("budget up to"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    conditions = models.TextField(_("conditions"), blank=True, max_length=5000)
    is_public = models.BooleanField(_("public"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assistance offer")
        verbose_name_plural = _("assistance offers")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="offer_period_ordered"),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_max__gte=models.F("budget_min")),
                name="offer_budget_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor}: {self.title}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the coordinator")
    ACCEPTED = "accepted", _("Accepted by the donor and the State")
    DECLINED = "declined", _("Declined")
    COMMITTED = "committed", _("Committed")
    DELIVERED = "delivered", _("Delivered")


class Decision(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    ACCEPTED = "accepted", pgettext_lazy("a decision on a proposed match", "Accepted")
    DECLINED = "declined", pgettext_lazy("a decision on a proposed match", "Declined")


class Match(models.Model):
    """A coordinator's proposal that an offer funds (part of) a request; one request can be
    funded by several donors."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.PROTECT, related_name="matches")
    offer = models.ForeignKey(AssistanceOffer, on_delete=models.PROTECT, related_name="matches")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)
    donor_decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    donor_reason = models.TextField(blank=True)
    state_decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    state_reason = models.TextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [models.UniqueConstraint(fields=["request", "offer"], name="one_match_per_request_and_offer")]

    def __str__(self) -> str:
        return f"{self.request} ← {self.offer}"


class AssistanceSettings(models.Model):
    """Rules of the assistance pages that the sources leave open: rows the ISU edits in the admin."""

    no_offer_after_months = models.PositiveSmallIntegerField(
        _("raise a task when a request has no offer after (months)"),
        default=6,
        help_text=_("An open request with no proposed match after this many months becomes a coordinator task."),
    )
    max_upload_mb = models.PositiveSmallIntegerField(
        _("largest supporting document (MB)"), default=10, validators=[MinValueValidator(1)]
    )
    upload_types = models.JSONField(
        _("accepted document types"),
        default=_default_upload_types,
        help_text=_("File extensions, e.g. pdf, docx, xlsx. Each file's content is checked against its extension."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assistance settings")
        verbose_name_plural = _("assistance settings")

    def __str__(self) -> str:
        return str(_("Assistance settings"))

    @classmethod
    def current(cls) -> AssistanceSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row

    def clean(self) -> None:
        from assistance.uploads import validate_upload_types

        try:
            validate_upload_types(self.upload_types)
        except ValidationError as error:
            raise ValidationError({"upload_types": error.messages}) from error
        # No request body over CCM_UPLOAD_MAX_MB is read at all (ccm_portal.core.uploads), so a larger
        # document limit would only promise what the server refuses.
        ceiling = settings.CCM_UPLOAD_MAX_MB
        if self.max_upload_mb and self.max_upload_mb >= ceiling:
            raise ValidationError(
                {
                    "max_upload_mb": _(
                        "Must be below %(ceiling)s MB, the largest upload the server reads (CCM_UPLOAD_MAX_MB)."
                    )
                    % {"ceiling": ceiling}
                }
            )


def _document_path(instance: RequestDocument, filename: str) -> str:
    # The stored name is random: the original name is kept in a field, never trusted as a path.
    return f"assistance/requests/{instance.request_id}/{uuid.uuid4().hex}"


class RequestDocument(models.Model):
    """A supporting document of an assistance request, served only to those who may read the request."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_document_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self) -> str:
        return self.name


def dated_by(day: dt.date, date_field: str, precision_field: str) -> Q:
    """A partial date (``date_field`` + ``precision_field``) wholly on or before ``day``: a date known
    to the month or the year counts from the period's last day, never from a day the source did not
    give."""
    after = day + dt.timedelta(days=1)
    return Q(**{f"{date_field}__isnull": False}) & (
        Q(**{precision_field: Precision.DAY, f"{date_field}__lte": day})
        | Q(**{precision_field: Precision.MONTH, f"{date_field}__lt": after.replace(day=1)})
        | Q(**{precision_field: Precision.YEAR, f"{date_field}__lt": dt.date(after.year, 1, 1)})
    )


class CoalitionQuerySet(models.QuerySet):
    def established_on(self, day: dt.date) -> CoalitionQuerySet:
        """Coalitions established on or before ``day`` (``dated_by``); a coalition known only by a
        bound ("by 18 September 2018") counts from the bound."""
        return self.filter(
            dated_by(day, "formed_on", "formed_precision") | Q(formed_on__isnull=True, formed_by__lte=day)
        )


class Coalition(models.Model):
    """A country coalition: an affected State and its partners grouped around its needs (Art. 6).

    When it was established: ``formed_on`` with its precision when a source gives the date, else
    ``formed_by``, the latest date a source shows it existed (a bound, never a day invented).
    ``partner_names`` is the partners as the source names them (an NGO such as Norwegian People's
    Aid is no donor State); ``partners`` links the donors the portal knows.
    """

    state = models.OneToOneField(State, on_delete=models.PROTECT, related_name="coalition")
    partners = models.ManyToManyField(Donor, blank=True, related_name="coalitions", verbose_name=_("partners"))
    partner_names = models.CharField(
        _("partners as the source names them"), max_length=300, blank=True, help_text=_("e.g. an NGO, not a State.")
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    formed_on = models.DateField(_("formed on"), null=True, blank=True)
    formed_precision = models.CharField(
        _("precision of the formation date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    formed_by = models.DateField(
        _("established at the latest by"),
        null=True,
        blank=True,
        help_text=_("When no source gives the formation date: the latest date a source shows it existed."),
    )
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("Where the coalition's formation is recorded.")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CoalitionQuerySet.as_manager()

    class Meta:
        ordering = ["state__name"]
        verbose_name = _("country coalition")
        verbose_name_plural = _("country coalitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(formed_on__isnull=False) | Q(formed_by__isnull=False),
                name="coalition_has_a_formation_date_or_a_bound",
            )
        ]

    def __str__(self) -> str:
        return str(_("Country coalition for %(state)s") % {"state": self.state.local_name})

    @property
    def formed(self) -> PartialDate | None:
        """The formation date with the precision its source gives (``None``: only a bound is known)."""
        return PartialDate(self.formed_on, Precision(self.formed_precision)) if self.formed_on else None

    @property
    def counts_from(self) -> dt.date:
        """The first day the coalition counts as established (see ``CoalitionQuerySet.established_on``)."""
        return self.formed.end if self.formed else self.formed_by


class CoalitionEventKind(models.TextChoices):
    CONCEPT = "concept", _("Event of the country coalition concept")
    DISCUSSED = "discussed", _("Coalition discussed, not established")


class CoalitionEvent(models.Model):
    """A dated record about country coalitions that is no coalition: a seminar or roundtable on the
    concept (no State of its own), or a coalition only discussed with a State. Kept with its source;
    never counted as a coalition."""

    kind = models.CharField(_("kind"), max_length=10, choices=CoalitionEventKind.choices)
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("State")
    )
    held_on = models.DateField(_("date"), null=True, blank=True)
    held_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    participants = models.CharField(_("convened by or with"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=500)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("country coalition record")
        verbose_name_plural = _("country coalition records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.held_on or ''} {self.state or self.participants}".strip()

    @property
    def held(self) -> PartialDate | None:
        return PartialDate(self.held_on, Precision(self.held_precision)) if self.held_on else None


class CoalitionMeeting(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=5000)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("coalition meeting")
        verbose_name_plural = _("coalition meetings")

    def __str__(self) -> str:
        return f"{self.date}: {self.title}"


class TaskKind(models.TextChoices):
    NO_OFFER = "no_offer", _("Open request with no offer")


class CoordinatorTask(models.Model):
    """Something a thematic coordinator should look at, raised by the daily check."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    raised_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["raised_at"]
        verbose_name = _("coordinator task")
        verbose_name_plural = _("coordinator tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind"], condition=Q(done_at__isnull=True), name="one_open_task_per_request_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.request}"


class AssistanceNotification(models.Model):
    """One e-mail sent about a match or a task, keyed so that it is never sent twice."""

    key = models.CharField(max_length=120, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assistance notification")
        verbose_name_plural = _("assistance notifications")

    def __str__(self) -> str:
        return self.key


class ReportedAssistance(models.Model):
    """The Form I assistance rows (Art. 7(1)(n), table ``international``) of one Article 7 report version, as
    the reconciliation with Article 6 (``assistance.reconciliation``) reads them: copied once out of the
    version's content, which never changes after submission, so that the page never decodes the content (it
    can be megabytes; every year's reports at once took a second). ``rows`` holds the rows that count: none
    for a nil report or a Form I marked not applicable. Written by ``assistance.services.reported`` when the
    reconciliation first reads the version; derived data, so neither audited nor a change of the public data."""

    version = models.OneToOneField(
        "reporting.ReportVersion", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # [{"direction", "counterpart", "kind", "amount", "currency"}, …] as written in the report.
    rows = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Form I of version {self.version_id}"
