"""States and their treaty dates (signature, deposit, entry into force, withdrawal); membership is derived
for any day, never stored."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parties import rules
from parties.names import other_languages, state_name


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
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_(
            "The United Nations' short name of the State in each language, where the common name (CLDR) differs. "
            "Leave empty to use the common name."
        ),
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
        return self.local_name

    def get_absolute_url(self) -> str:
        return reverse("parties:state_detail", args=[self.iso3])

    @property
    def local_name(self) -> str:
        """The State's name in the active language (English: the treaty record's name)."""
        # A row loaded with .only() leaves ``names`` out: reading it would cost a query, so CLDR's name is used.
        return state_name(self.iso3, self.name, names=self.__dict__.get("names"))

    def clean(self) -> None:
        errors = {}
        if self.names:
            self._clean_names(errors)
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

    def _clean_names(self, errors: dict) -> None:
        known = dict(other_languages())
        if not isinstance(self.names, dict):
            errors["names"] = _("Give the names as a mapping of language codes to names.")
            return
        unknown = sorted(str(code) for code in self.names if code not in known)
        if unknown:
            errors["names"] = _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            return
        self.names = {code: " ".join(str(n).split()) for code, n in self.names.items() if str(n).strip()}
        if any(len(n) > 120 for n in self.names.values()):
            errors["names"] = _("A name has at most 120 characters.")

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
