"""Logs: one line per request and per task, with a request id that travels into the tasks a request enqueues.

The lines are read from the configured console handler (its real filter and formatter, its stream swapped
for a buffer): what an operator's log collector would receive.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import path

from accounts import services
from accounts.models import Role
from ccm_portal.core.log_format import JsonFormatter
from ccm_portal.core.request_log import REDACTED, accepted_request_id, current_request_id
from parties.models import State
from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parents[1]
REQUEST_FIELDS = {"time", "level", "logger", "message", "request_id", "method", "path", "view", "status"}
REQUEST_FIELDS |= {"duration_ms", "user_id"}


class Lines:
    """What the console handler wrote, one parsed JSON object per line."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.startswith("{")]

    def of(self, logger: str) -> list[dict]:
        return [line for line in self.all() if line["logger"] == logger]

    def raw(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def log_lines():
    (console,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(console.formatter, JsonFormatter), "tests run with DJANGO_DEBUG=0: JSON lines"
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        yield Lines(stream)
    finally:
        console.setStream(previous)


def test_a_request_logs_one_json_line_with_its_id_echoed(client_for, focal_point, log_lines):
    focal_point.full_name = "Somchai Phommavong"
    focal_point.save(update_fields=["full_name"])
    client = client_for(focal_point)
    response = client.get("/me/?search=fp.lao@example.org&name=Somchai")
    assert response.status_code == 200

    (line,) = log_lines.of("ccm_portal.request")
    assert set(line) >= REQUEST_FIELDS
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["method"] == "GET"
    assert line["path"] == "/me/"
    assert line["view"] == "accounts:home"
    assert line["status"] == 200
    assert line["user_id"] == focal_point.pk
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    # No e-mail, name or query string anywhere in what was logged for the request.
    for personal in ("fp.lao@example.org", "Somchai", "search=", "?"):
        assert personal not in log_lines.raw()


def test_every_line_during_a_request_carries_its_id(client, reference_data, log_lines):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    lines = log_lines.all()
    # Django's own "Not Found" warning and the request's line.
    assert {line["logger"] for line in lines} >= {"django.request", "ccm_portal.request"}
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}
    (line,) = log_lines.of("ccm_portal.request")
    assert line["view"] is None and line["user_id"] is None and line["status"] == 404
    assert current_request_id() is None  # the id does not outlive the request


@pytest.mark.parametrize("sent", ["0f8e6c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "d41d8cd98f00b204e9800998ecf8427e"])
def test_a_sane_incoming_request_id_is_kept(client, reference_data, log_lines, sent):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID=sent)
    (line,) = log_lines.of("ccm_portal.request")
    assert response["X-Request-ID"] == sent
    assert line["request_id"] == sent


@pytest.mark.parametrize(
    "sent",
    [
        "short",  # too short to be anyone's id
        "x" * 200,  # a client bloating every line
        "abc def ghi jkl",  # spaces
        'a1b2c3d4"level":"ERROR"',  # trying to forge a field
        "a1b2c3d4e5\nFAKE LINE",  # a line break
        "-leading-dash-123",
        "Root=1-67891233-abcdef012345678912345678",  # not a token: '=' is not part of one
    ],
)
def test_a_malformed_incoming_request_id_is_replaced(client, reference_data, log_lines, sent):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID=sent)
    (line,) = log_lines.of("ccm_portal.request")
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32
    assert line["request_id"] == response["X-Request-ID"]
    assert sent not in log_lines.raw()


def test_request_ids_are_accepted_as_proxies_send_them():
    for sane in ("0f8e6c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "req_01HZX3K9Q7", "trace:4bf92f3577b34da6"):
        assert accepted_request_id(sane) == sane
    assert accepted_request_id(None) != accepted_request_id(None)


def test_a_secret_in_the_path_is_not_logged(client, reference_data, log_lines):
    token = "s3cr3t-calendar-token-0123456789"
    client.get(f"/calendar/{token}.ics")
    (line,) = log_lines.of("ccm_portal.request")
    assert line["path"] == f"/calendar/{REDACTED}.ics"
    (not_found,) = log_lines.of("django.request")
    assert not_found["message"] == f"Not Found: /calendar/{REDACTED}.ics"
    assert token not in log_lines.raw()


def failing_view(request):
    raise RuntimeError("the view failed")


def failing_error_page(request):
    raise RuntimeError("the error page failed too")


# URLs of the test below: a view failing, and an error page failing as well.
urlpatterns = [path("failing/", failing_view)]
handler500 = failing_error_page


@pytest.mark.urls(__name__)
def test_a_request_whose_error_page_fails_still_gets_its_line(client, reference_data, log_lines):
    with pytest.raises(RuntimeError, match="the error page failed too"):
        client.get("/failing/")
    (line,) = log_lines.of("ccm_portal.request")
    assert (line["path"], line["status"], line["level"]) == ("/failing/", 500, "WARNING")
    assert current_request_id() is None


@pytest.fixture
def invitation(isu_staff):
    """An invitation already sent once (before the test reads the log lines)."""
    invitation = services.create_invitation(
        email="new.focal@example.org", role=Role.FOCAL_POINT, state=State.objects.get(iso3="TCD"), invited_by=isu_staff
    )
    mail.outbox.clear()
    return invitation


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_by_a_request_logs_the_request_id(client_for, isu_staff, invitation, log_lines):
    """In-process (no broker): the task runs inside the request, under its id."""
    response = client_for(isu_staff).post(
        f"/isu/invitations/{invitation.pk}/resend/", HTTP_X_REQUEST_ID="resend-0123456789"
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "resend-0123456789"
    assert [m.to for m in mail.outbox] == [["new.focal@example.org"]]
    (task,) = log_lines.of("ccm_portal.task")
    assert task["task"] == "accounts.tasks.send_invitation_email"
    assert task["request_id"] == "resend-0123456789"
    assert task["state"] == "success"
    assert task["task_id"] and isinstance(task["duration_ms"], float)
    (line,) = log_lines.of("ccm_portal.request")
    assert line["request_id"] == "resend-0123456789"
    assert line["user_id"] == isu_staff.pk
    assert "new.focal@example.org" not in log_lines.raw()


def test_a_task_on_its_own_gets_an_id_and_a_failure_is_logged(reference_data, log_lines):
    from accounts.tasks import send_invitation_email

    assert send_invitation_email.delay(999999).get() is False  # no such invitation: nothing sent
    with pytest.raises(ValueError, match="expected a number"):
        send_invitation_email.delay("not an id")
    ok, failed = log_lines.of("ccm_portal.task")
    assert (ok["state"], ok["level"]) == ("success", "INFO")
    assert (failed["state"], failed["level"]) == ("failure", "WARNING")
    assert ok["request_id"] and failed["request_id"] and ok["request_id"] != failed["request_id"]
    assert current_request_id() is None


@pytest.mark.celery_worker
def test_the_request_id_travels_through_the_broker_to_the_worker(real_worker, client_for, isu_staff, log_lines):
    invitation = services.create_invitation(
        email="via.worker@example.org", role=Role.FOCAL_POINT, state=State.objects.get(iso3="TCD"), invited_by=isu_staff
    )
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the invitation"
    response = client_for(isu_staff).post(f"/isu/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    request_id = response["X-Request-ID"]

    def sent_again() -> list[dict]:
        return [line for line in log_lines.of("ccm_portal.task") if line["request_id"] == request_id]

    assert wait_for(lambda: len(sent_again()) == 1), "the worker's task line has not the request's id"
    (task,) = sent_again()
    assert (task["task"], task["state"]) == ("accounts.tasks.send_invitation_email", "success")
    assert len(mail.outbox) == 2
    # The worker's own lines for that task (Celery's "received", "succeeded") carry the id too.
    # Celery's own line for the run ("… succeeded in 0.02s") carries the id too.
    (succeeded,) = [line for line in log_lines.of("celery.app.trace") if task["task_id"] in line["message"]]
    assert succeeded["request_id"] == request_id


def _serve_one_request(tmp_path: Path, **variables: str) -> str:
    """What a fresh portal process logs (stderr) for one request, with these environment variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env |= {"DJANGO_SETTINGS_MODULE": "ccm_portal.settings", "CCM_VAR_DIR": str(tmp_path)}
    env.pop("CCM_LOG_FORMAT", None)
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client(HTTP_HOST='localhost').get('/no-such-page/?email=a@b.org', HTTP_X_REQUEST_ID='make-run-12345678')\n"
    )
    return subprocess.run(  # noqa: S603 (this interpreter, the test's own script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env | variables,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stderr


def test_make_run_logs_the_same_fields_as_readable_text(tmp_path):
    """DJANGO_DEBUG=1 (``make run``): text, one line per request, with the JSON line's fields."""
    logged = _serve_one_request(tmp_path, DJANGO_DEBUG="1")
    (line,) = [line for line in logged.splitlines() if " ccm_portal.request " in line]
    assert " INFO ccm_portal.request GET /no-such-page/ 404 " in line
    for field in ("request_id=make-run-12345678", "method=GET", "path=/no-such-page/", "status=404", "duration_ms="):
        assert field in line
    assert "a@b.org" not in logged and not line.startswith("{")
    # CCM_LOG_FORMAT=json overrides the debug default.
    logged = _serve_one_request(tmp_path, DJANGO_DEBUG="1", CCM_LOG_FORMAT="json")
    (line,) = [json.loads(line) for line in logged.splitlines() if '"ccm_portal.request"' in line]
    assert line["request_id"] == "make-run-12345678" and line["status"] == 404
