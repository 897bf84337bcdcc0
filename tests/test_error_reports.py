"""Error reports: Sentry without personal data when SENTRY_DSN is set; ADMINS mailed a 500 otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from ccm_portal.core.error_reports import scrub, sentry_options
from ccm_portal.env import env_addresses

ROOT = Path(__file__).resolve().parents[1]
EMAIL, NAME = "somchai.p@example.org", "Somchai Phommavong"


@csrf_exempt  # reached through the WSGI handler without a form: the error, not the CSRF refusal
def broken(request: HttpRequest, token: str) -> HttpResponse:
    """A view failing with the user's address in the error, as real errors sometimes do."""
    raise RuntimeError(f"could not file the report of {request.user.email}")


# The portal's URLs plus one that fails (tests marked `urls(__name__)` use them).
urlpatterns = [path("broken/<str:token>/", broken), path("", include("ccm_portal.urls"))]


def realistic_event() -> dict:
    """An event as Sentry's Django integration builds it (send_default_pii=True, the worst case)."""
    return {
        "level": "error",
        "request": {
            "url": "https://portal.example.org/reporting/12/forms/A/?q=somchai.p%40example.org",
            "method": "POST",
            "query_string": "q=somchai.p%40example.org&name=Somchai",
            "cookies": {"sessionid": "abc123sessionsecret", "csrftoken": "tok"},
            "data": {"email": EMAIL, "full_name": NAME, "csrfmiddlewaretoken": "tok"},
            "headers": {
                "Host": "portal.example.org",
                "User-Agent": "Mozilla/5.0",
                "Cookie": "sessionid=abc123sessionsecret",
                "Authorization": "Basic c29tZTpwYXNz",
                "Referer": "https://portal.example.org/me/?email=somchai.p@example.org",
                "X-Forwarded-For": "203.0.113.7",
                "X-Request-Id": "d41d8cd98f00b204e9800998ecf8427e",
            },
            "env": {"REMOTE_ADDR": "203.0.113.7", "SERVER_NAME": "web", "SERVER_PORT": "8000"},
        },
        "user": {"id": "42", "email": EMAIL, "username": EMAIL, "ip_address": "203.0.113.7", "name": NAME},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": f"duplicate key value (email)=({EMAIL}) already exists",
                    "stacktrace": {"frames": [{"function": "save", "vars": {"full_name": NAME, "email": EMAIL}}]},
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {
                    "category": "django.request",
                    "message": f"invitation sent to {EMAIL}",
                    "data": {"request": "<…?q=x>"},
                },
                {
                    "category": "httplib",
                    "data": {"url": "https://api.example.org/lookup?email=x%40y.org", "method": "GET"},
                },
            ]
        },
        "tags": {"request_id": "d41d8cd98f00b204e9800998ecf8427e"},
    }


def test_before_send_strips_personal_data_from_an_event():
    event = scrub(realistic_event(), {})
    request = event["request"]
    assert set(request) == {"url", "method", "headers", "env"}  # no data, cookies, query_string
    assert request["url"] == "https://portal.example.org/reporting/12/forms/A/"
    assert set(request["headers"]) == {"Host", "User-Agent", "X-Request-Id"}
    assert request["env"] == {"SERVER_NAME": "web", "SERVER_PORT": "8000"}
    assert event["user"] == {"id": "42"}
    (frame,) = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert "vars" not in frame
    assert event["exception"]["values"][0]["value"] == "duplicate key value (email)=([email]) already exists"
    crumbs = event["breadcrumbs"]["values"]
    assert crumbs[0]["message"] == "invitation sent to [email]" and "request" not in crumbs[0]["data"]
    assert crumbs[1]["data"]["url"] == "https://api.example.org/lookup"
    assert event["tags"] == {"request_id": "d41d8cd98f00b204e9800998ecf8427e"}
    text = json.dumps(event)
    for personal in (EMAIL, "somchai.p%40example.org", NAME, "Somchai", "abc123sessionsecret", "203.0.113.7", "Basic"):
        assert personal not in text


def test_an_event_without_a_request_or_user_passes():
    event = {"level": "error", "message": "beat is late", "logentry": {"message": "mail to a@b.org failed"}}
    assert scrub(event, {}) == {
        "level": "error",
        "message": "beat is late",
        "logentry": {"message": "mail to [email] failed"},
    }


class CollectingTransport(Transport):
    """A real transport that keeps envelopes instead of sending them."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for envelope in self.envelopes for item in envelope.items if item.type == "event"]

    def text(self) -> str:
        return b"".join(envelope.serialize() for envelope in self.envelopes).decode()


@pytest.fixture
def sentry():
    """Sentry initialised as settings do it, its DSN pointing nowhere, envelopes collected."""
    transport = CollectingTransport()
    options = sentry_options(dsn="https://public@sentry.invalid/1", environment="tests", traces_sample_rate=0.0)
    sentry_sdk.init(**options, transport=transport)
    try:
        with sentry_sdk.isolation_scope():
            yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def through_wsgi(request: HttpRequest) -> str:
    """Serve ``request`` through Django's WSGI handler, as gunicorn does (Sentry hooks in there); the
    database connection is kept for the test's transaction, as the test client does. Its status line."""
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    statuses: list[str] = []
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(request.environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return statuses[0]


@pytest.mark.urls(__name__)
def test_a_captured_exception_carries_no_personal_data(sentry, focal_point, client):
    focal_point.email, focal_point.full_name = EMAIL, NAME
    focal_point.save(update_fields=["email", "full_name"])
    client.force_login(focal_point)
    session_key = client.cookies["sessionid"].value
    token = "feed-token-5f2c9d1e8a7b6c4d"
    request = RequestFactory().post(
        f"/broken/{token}/?email={EMAIL}&name=Somchai",
        {"full_name": NAME, "note": f"write to {EMAIL}"},
        HTTP_COOKIE=f"sessionid={session_key}; csrftoken=csrf-cookie-secret-value",
        HTTP_X_REQUEST_ID="error-report-12345678",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_REFERER=f"http://testserver/me/?email={EMAIL}",
        HTTP_USER_AGENT="Mozilla/5.0 (test)",
    )
    assert through_wsgi(request).startswith("500")
    sentry_sdk.flush()

    (event,) = sentry.events()
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "could not file the report of [email]"
    assert event["user"] == {"id": str(focal_point.pk)}
    assert event["tags"]["request_id"] == "error-report-12345678"
    assert event["request"]["url"] == "http://testserver/broken/[redacted]/"
    assert event["request"]["method"] == "POST"
    assert event["request"]["headers"]["User-Agent"] == "Mozilla/5.0 (test)"
    assert set(event["request"]) <= {"url", "method", "headers", "env"}
    assert event["environment"] == "tests"
    text = sentry.text()
    for personal in (EMAIL, "somchai.p%40example.org", NAME, "Somchai", "name=", session_key, "csrf-cookie-secret"):
        assert personal not in text
    for personal in (token, "write to", "203.0.113.7"):
        assert personal not in text


def test_admins_are_read_strictly():
    read = lambda value: env_addresses("DJANGO_ADMINS", environ={"DJANGO_ADMINS": value})  # noqa: E731
    assert read("Jane Doe <jane@example.org>, Ops <ops@portal.example.org>") == [
        ("Jane Doe", "jane@example.org"),
        ("Ops", "ops@portal.example.org"),
    ]
    assert read("ops@example.org") == [("ops@example.org", "ops@example.org")]
    assert read(" <ops@example.org> ,") == [("ops@example.org", "ops@example.org")]
    assert read("") == [] and env_addresses("DJANGO_ADMINS", environ={}) == []
    for bad in (
        "Jane Doe",
        "Jane Doe <jane>",
        "Jane <jane@example.org",
        "Jane <jane@example.org> Doe",
        "<a@b.org> <c@d.org>",
        "Doe, Jane <jane@example.org>",
        "jane@example.org; ops@example.org",
        "Jane <jane@exa mple.org>",
    ):
        with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMINS"):
            read(bad)


def _portal(tmp_path: Path, script: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "ccm_portal.settings",
        "CCM_VAR_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": "error-reports-test-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("CCM_LOG_FORMAT", None)
    env.pop("SENTRY_DSN", None)
    return subprocess.run(  # noqa: S603 (this interpreter, the test's own script)
        [sys.executable, "-c", script], cwd=ROOT, env=env | variables, capture_output=True, text=True, timeout=60
    )


MAIL_A_500 = """
import django, json; django.setup()
from django.core import mail
from django.test import Client, override_settings
# The 500 page's static files unhashed (nothing was collected in this checkout).
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(ROOT_URLCONF="tests.test_error_reports", STORAGES={"staticfiles": static}):
    status = Client(raise_request_exception=False).get("/broken/abc/?email=x@y.org").status_code
print(json.dumps({"status": status, "mails": [[m.to, m.subject] for m in getattr(mail, "outbox", [])]}))
"""


def test_admins_are_mailed_a_500_when_debug_is_off(tmp_path):
    result = _portal(tmp_path, MAIL_A_500, DJANGO_DEBUG="0", DJANGO_ADMINS="Ops <ops@example.org>")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == 500
    assert answer["mails"] == [
        [["ops@example.org"], "[CCM Portal] ERROR (EXTERNAL IP): Internal Server Error: /broken/[redacted]/"]
    ]
    # And the error is a JSON line (debug off), with the request's id.
    (error,) = [json.loads(line) for line in result.stderr.splitlines() if '"django.request"' in line]
    assert error["level"] == "ERROR" and error["request_id"] and "x@y.org" not in result.stderr
    # Unset, or with debug on: no mail_admins handler at all.
    handlers = "import json, ccm_portal.settings as s; print(json.dumps(sorted(s.LOGGING['handlers'])))"
    for variables in ({"DJANGO_DEBUG": "0"}, {"DJANGO_DEBUG": "1", "DJANGO_ADMINS": "Ops <ops@example.org>"}):
        result = _portal(tmp_path, handlers, **variables)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == ["console"]


@pytest.mark.parametrize(
    "variables",
    [
        {"DJANGO_ADMINS": "Ops <not-an-address>"},
        {"SENTRY_DSN": "sentry.example.org/1"},
        {"SENTRY_TRACES_SAMPLE_RATE": "2"},
        {"CCM_LOG_FORMAT": "xml"},
    ],
)
def test_a_malformed_setting_stops_start_up_naming_it(tmp_path, variables):
    result = _portal(tmp_path, "import ccm_portal.settings", DJANGO_DEBUG="0", **variables)
    assert result.returncode != 0
    assert next(iter(variables)) in result.stderr
