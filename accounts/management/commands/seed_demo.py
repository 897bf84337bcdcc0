"""One demo account per role, for trying the portal locally. Never in production.

Running it again resets the demo passwords and prints them again (the box of ``demo_accounts``); with
``--brief``, one line instead, as ``make run`` does before printing the box last.
"""

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.management.commands.demo_accounts import DEMO_DOMAIN, box, demo_accounts
from accounts.models import Role, ThematicArea, User
from parties.models import State

ACCOUNTS = [
    ("isu", Role.ISU_STAFF, "ISU Demo Officer", {}),
    ("focal.point", Role.FOCAL_POINT, "Focal Point (Lao PDR)", {"state": "LAO"}),
    ("coordinator", Role.COORDINATOR, "Thematic Coordinator", {"areas": ["clearance-rre", "cooperation-assistance"]}),
    ("donor", Role.DONOR, "Donor Focal Point (Norway)", {"state": "NOR"}),
    (
        "contributor",
        Role.CONTRIBUTOR,
        "National Contributor (Lao PDR)",
        {"state": "LAO", "organization": "National Regulatory Authority for UXO/Mine Action (NRA)"},
    ),
]


class Command(BaseCommand):
    help = "Create or reset one demo account per role and print their e-mails and passwords."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never on a real deployment).")
        parser.add_argument(
            "--brief", action="store_true", help="One line, no password (manage.py demo_accounts prints them later)."
        )

    @transaction.atomic
    def handle(self, *args, force: bool, brief: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts are for development only (DJANGO_DEBUG=1), or pass --force.")
        password = settings.CCM_DEMO_PASSWORD or f"demo-{secrets.token_urlsafe(9)}"
        for local, role, name, extra in ACCOUNTS:
            email = f"{local}@{DEMO_DOMAIN}"
            state = State.objects.filter(iso3=extra["state"]).first() if "state" in extra else None
            if "state" in extra and state is None:
                raise CommandError("Load the States first: manage.py load_reference_data")
            user, _created = User.objects.update_or_create(
                email=email,
                defaults={
                    "full_name": name,
                    "role": role,
                    "state": state,
                    "organization": extra.get("organization", ""),
                    "is_staff": role == Role.ISU_STAFF,
                    "is_active": True,
                },
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            if "areas" in extra:
                user.thematic_areas.set(ThematicArea.objects.filter(code__in=extra["areas"]))
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if brief:
            self.stdout.write(f"Demo accounts ready: {len(ACCOUNTS)}, one per role, sharing one password.")
        else:
            self.stdout.write(box(demo_accounts(), password))
