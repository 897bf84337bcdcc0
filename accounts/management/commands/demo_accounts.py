"""How to sign in to the demo: the portal's address, each role's demo account, the shared password and where
e-mail goes, in a short box. ``make run`` prints it last, just before the server starts, so a newcomer finds
it on screen; ``seed_demo`` prints the same box when run alone. Development only.

The password is printed only when it is known and right: ``CCM_DEMO_PASSWORD`` (``make run`` draws one per
run and gives it to ``seed_demo`` and to this command), checked against the demo accounts.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from ccm_portal.core import links

DEMO_DOMAIN = "demo.ccm-portal.test"
# Each message the file-based backend writes ends with this line (django.core.mail.backends.filebased).
_MESSAGE_END = b"\n" + b"-" * 79 + b"\n"


class Command(BaseCommand):
    help = "Print the demo accounts, their shared password (from CCM_DEMO_PASSWORD) and where e-mail goes."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never on a real deployment).")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts are for development only (DJANGO_DEBUG=1), or pass --force.")
        accounts = demo_accounts()
        if not accounts:
            raise CommandError("No demo accounts yet: run manage.py seed_demo (make run does).")
        password = settings.CCM_DEMO_PASSWORD
        if password and not accounts[0].check_password(password):
            password = ""  # CCM_DEMO_PASSWORD changed since seed_demo ran: never print a wrong password
        self.stdout.write(box(accounts, password))


def demo_accounts() -> list[User]:
    """The demo accounts in the order seed_demo made them (ISU staff first)."""
    return list(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("pk"))


def box(accounts: list[User], password: str) -> str:
    """The lines a newcomer needs to sign in, framed so they stand out from the log around them."""
    width = max(len(str(user.get_role_display())) for user in accounts) + 2
    lines = [
        f"CCM Portal: open {links.site_url()}/",
        "",
        "Demo accounts, one per role"
        + (f", all with the password  {password}" if password else " (password: the one seed_demo printed)"),
        *(f"  {user.get_role_display()!s:<{width}} {user.email}" for user in accounts),
        "",
        *mail_lines(),
        "The ISU pages also ask for a code from an authenticator app. To set one up: sign in",
        "as ISU, open /isu/, press 'Send me the link', open the link in that e-mail in the",
        "same browser within 30 minutes, give the password again and scan the QR code.",
    ]
    inner = max(len(line) for line in lines)
    rule = "+" + "-" * (inner + 2) + "+"
    return "\n".join([rule, *(f"| {line:<{inner}} |" for line in lines), rule])


def mail_lines() -> list[str]:
    """Where the portal's e-mail goes with the current settings, in one or two lines."""
    backend = settings.EMAIL_BACKEND
    if backend == "django.core.mail.backends.filebased.EmailBackend":
        folder = Path(settings.EMAIL_FILE_PATH)
        return [
            f"E-mail is not sent: each message is written to a file in {_shown(folder)}",
            f"({_messages_in(folder)} so far, from the demo and, later, from the server).",
        ]
    if backend == "django.core.mail.backends.console.EmailBackend":
        return ["E-mail is not sent: each message is printed in this console."]
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        return [f"E-mail is sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}."]
    return [f"E-mail goes to {backend}."]


def _messages_in(folder: Path) -> int:
    return sum(path.read_bytes().count(_MESSAGE_END) for path in folder.glob("*.log")) if folder.is_dir() else 0


def _shown(folder: Path) -> str:
    """``var/mail/`` under the current folder, the full path elsewhere."""
    try:
        return f"{folder.resolve().relative_to(Path.cwd())}/"
    except ValueError:
        return f"{folder}/"
