"""Demo assistance for the demo accounts: Lao PDR's requests, Norway's offer, a match in progress
and a country coalition, so that a newcomer sees the board, the funding and the overview filled.
Development only; the figures are invented and say so.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ThematicArea, User
from assistance import access
from assistance.models import AssistanceRequest, Coalition, Donor
from assistance.services import matching, offers, requests
from audit import services as audit
from ccm_portal.core import clock
from parties.models import Obligation, Region

DEMO_NOTE = "Demo data: invented for trying the portal."


class Command(BaseCommand):
    help = "Create demo assistance requests, an offer, a match and a coalition for the demo accounts (once)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never on a real deployment).")

    @transaction.atomic
    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development only (DJANGO_DEBUG=1), or pass --force.")
        accounts = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.ccm-portal.test")}
        focal_point, donor, coordinator = (accounts.get(k) for k in ("focal.point", "donor", "coordinator"))
        if not (focal_point and donor and coordinator) or not access.may_offer_assistance(donor):
            raise CommandError("Create the demo accounts first: manage.py seed_demo")
        if AssistanceRequest.objects.filter(state=focal_point.state).exists():
            self.stdout.write(f"Demo assistance for {focal_point.state.name} already exists.")
            return
        areas = {a.code: a for a in ThematicArea.objects.all()}
        year = clock.today().year
        clearance = requests.create_request(
            actor=focal_point,
            area=areas["clearance-rre"],
            kind="financial",
            title="Technical survey and clearance in two provinces",
            description=f"Survey and clear confirmed hazardous areas in Xieng Khouang and Houaphanh. {DEMO_NOTE}",
            period_start=dt.date(year + 1, 1, 1),
            period_end=dt.date(year + 2, 12, 31),
            amount=Decimal("1200000"),
            currency="USD",
            location="Xieng Khouang, Houaphanh",
            obligation=Obligation.objects.filter(state=focal_point.state, article=4).first(),
        )
        requests.create_request(
            actor=focal_point,
            area=areas["victim-assistance"],
            kind="technical",
            title="Rehabilitation training for provincial hospitals",
            description=f"Physiotherapy and prosthetics training for staff of five provincial hospitals. {DEMO_NOTE}",
            period_start=dt.date(year + 1, 3, 1),
            period_end=dt.date(year + 1, 12, 31),
            amount=Decimal("180000"),
            currency="USD",
            location="Five provinces",
            is_public=True,
        )
        offer = offers.create_offer(
            actor=donor,
            title="Clearance and survey funding 2027–2029",
            areas=[areas["clearance-rre"]],
            kinds=["financial", "technical"],
            regions=[Region.ASIA],
            period_start=dt.date(year + 1, 1, 1),
            period_end=dt.date(year + 3, 12, 31),
            budget_min=Decimal("100000"),
            budget_max=Decimal("800000"),
            currency="USD",
            conditions=DEMO_NOTE,
            is_public=True,
        )
        match = matching.propose_match(
            actor=coordinator, request=clearance, offer=offer, amount=Decimal("500000"), currency="USD"
        )
        matching.decide_match(actor=donor, match=match, accept=True)
        matching.decide_match(actor=focal_point, match=match, accept=True)
        matching.advance_match(actor=donor, match=match)  # committed
        coalition, _created = Coalition.objects.get_or_create(
            state=focal_point.state,
            defaults={"formed_on": dt.date(year - 1, 9, 1), "description": DEMO_NOTE, "source": DEMO_NOTE},
        )
        if _created:  # a coalition of the reference data (country_coalitions.csv) is left as loaded
            coalition.partners.add(*Donor.objects.filter(pk=offer.donor_id))
            audit.record(
                actor=None,  # the system: a command, not a person
                action="assistance.coalition.created",
                obj=coalition,
                changes=audit.diff({}, audit.snapshot(coalition)),
                context={"source": "seed_demo_assistance"},
            )
        self.stdout.write(
            f"Demo assistance for {focal_point.state.name}: 2 requests, 1 offer from {offer.donor}, "
            "1 committed match, 1 country coalition."
        )
