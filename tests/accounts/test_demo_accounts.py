"""What a newcomer sees on `make run`: one short line per set-up step, then the demo accounts, their password
and where e-mail goes in a short box, printed last (accounts/management/commands/demo_accounts.py). In
development without EMAIL_HOST, e-mail is written to files in var/mail/ instead of flooding the console."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

PASSWORD = "demo-for-the-test-1"
EMAILS = [f"{local}@demo.ccm-portal.test" for local in ("isu", "focal.point", "coordinator", "donor", "contributor")]


def run(*args, **options) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue().splitlines()


@pytest.fixture
def mailbox(settings, tmp_path):
    """Development's mail settings: each message a file in a folder (var/mail/ in `make run`)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


def test_make_run_seeds_in_one_line_per_step_then_prints_the_box_last(
    settings, mailbox, reference_data, django_capture_on_commit_callbacks
):
    settings.CCM_DEMO_PASSWORD = PASSWORD
    settings.CCM_SITE_URL = "http://127.0.0.1:8123"
    assert run("seed_demo", force=True, brief=True) == ["Demo accounts ready: 5, one per role, sharing one password."]
    with django_capture_on_commit_callbacks(execute=True):  # the demo's e-mails go when its changes commit
        assert len(run("seed_demo_reports", force=True)) == 1
        assert len(run("seed_demo_assistance", force=True)) == 1
    written = "".join(path.read_text() for path in sorted(mailbox.glob("*.log")))
    messages = written.count("\nMessage-ID: ")
    assert messages >= 2 and "Subject: [CCM Portal]" in written  # the demo's e-mails, as files

    box = run("demo_accounts", force=True)
    assert len(box) <= 16 and box[0] == box[-1] and set(box[0]) == {"+", "-"}
    text = "\n".join(box)
    assert "open http://127.0.0.1:8123/" in text
    assert f"all with the password  {PASSWORD}" in text
    for email in EMAILS:
        assert email in text
    assert "ISU staff" in text and "Donor focal point" in text
    assert f"written to a file in {mailbox}/" in text
    assert f"({messages} so far" in text


def test_the_box_never_prints_a_password_the_accounts_do_not_have(settings, reference_data):
    settings.CCM_DEMO_PASSWORD = PASSWORD
    run("seed_demo", force=True, brief=True)
    settings.CCM_DEMO_PASSWORD = "another-password-2"
    text = "\n".join(run("demo_accounts", force=True))
    assert "another-password-2" not in text and PASSWORD not in text
    assert "the one seed_demo printed" in text


def test_seed_demo_alone_prints_the_box_with_the_password_it_drew(settings, reference_data):
    settings.CCM_DEMO_PASSWORD = ""
    text = "\n".join(run("seed_demo", force=True))
    password = text.split("all with the password  ")[1].split()[0]
    assert password.startswith("demo-")
    from accounts.models import User

    assert all(User.objects.get(email=email).check_password(password) for email in EMAILS)


def test_the_box_is_for_development_and_needs_the_accounts(reference_data):
    with pytest.raises(CommandError, match="development only"):
        run("demo_accounts")
    with pytest.raises(CommandError, match="seed_demo"):
        run("demo_accounts", force=True)


def test_reference_data_lists_each_file_at_verbosity_two(reference_data):
    lines = run("load_reference_data")
    assert len(lines) == 1 and lines[0].startswith("Reference data (") and "0 rows new, 0 updated" in lines[0]
    assert "states.csv: 0 new, 0 updated, 125 unchanged" in run("load_reference_data", verbosity=2)


def _mail_settings(**env: str) -> list[str]:
    """EMAIL_BACKEND and EMAIL_FILE_PATH as a fresh process reads them from ``env`` (settings are read once)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "DATABASE_URL", "CACHE_URL"))}
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND); print(s.EMAIL_FILE_PATH)"
    result = subprocess.run(  # noqa: S603 (a fixed command)
        [sys.executable, "-c", code],
        env={**keep, "DJANGO_SETTINGS_MODULE": "ccm_portal.settings", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_development_mail_goes_to_var_mail_unless_an_smtp_host_is_set(tmp_path):
    backend, folder = _mail_settings(DJANGO_DEBUG="1", CCM_VAR_DIR=str(tmp_path))
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(folder) == tmp_path / "mail"
    backend, _folder = _mail_settings(DJANGO_DEBUG="1", CCM_VAR_DIR=str(tmp_path), EMAIL_HOST="smtp.example.org")
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
