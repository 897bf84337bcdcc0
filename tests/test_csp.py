"""Every HTML page carries a Content-Security-Policy with a fresh nonce and without 'unsafe-inline', and
complies with it: no style attributes (blocked without 'unsafe-inline', and nonces do not cover them),
no inline event handlers or javascript: links, scripts only from the portal itself, and every inline
script or style element carries the page's nonce. The pages are the main ones of each role; a browser
test (tests/browser/test_csp.py) walks the same journeys and reads Chromium's console."""

import io
from html.parser import HTMLParser

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from assistance.models import AssistanceRequest
from assistance.services import documents
from reporting import services
from reporting.models import Report, ReportKind
from tests.assistance.test_uploads import PDF
from tests.factories import PASSWORD
from tests.helpers import totp_now
from tests.progress.builders import bulk_reports
from tests.reporting.test_archive import submitted

pytestmark = pytest.mark.django_db

# Scripts the browser does not run (data blocks): the policy does not apply to them.
DATA_TYPES = {"application/json", "application/ld+json", "text/template"}
JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    return {parts[0]: parts[1:] for parts in (d.split() for d in header.split(";") if d.strip())}


class _Inline(HTMLParser):
    """Collects what a nonce-based policy without 'unsafe-inline' would block."""

    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            script_url = name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            )
            if name == "style" or name.startswith("on") or script_url:
                self.problems.append(f'<{tag} {name}="{value}">')
        if tag == "script":
            kind = (values.get("type") or "").strip().lower()
            src = values.get("src")
            if src is not None:
                if not src.startswith("/") or src.startswith("//"):
                    self.problems.append(f'<script src="{src}"> (not from the portal)')
            elif kind in DATA_TYPES:
                pass
            elif kind not in JS_TYPES:
                self.problems.append(f'<script type="{kind}"> (unknown type)')
            elif values.get("nonce") != self.nonce:
                self.problems.append("<script> inline without the page's nonce")
        elif tag == "style" and values.get("nonce") != self.nonce:
            self.problems.append("<style> without the page's nonce")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def problems_of(response) -> list[str]:
    """What is wrong with one HTML response under the policy."""
    found = []
    directives = policy(response)
    if not directives:
        return ["no Content-Security-Policy header"]
    header = response["Content-Security-Policy"]
    if "'unsafe-inline'" in header or "'unsafe-eval'" in header:
        found.append(f"unsafe source in the policy: {header}")
    nonces = {s for s in directives.get("script-src", []) if s.startswith("'nonce-")}
    nonce = next(iter(nonces))[len("'nonce-") : -1] if nonces else None
    if nonce is None:
        found.append("script-src has no nonce")
    if f"'nonce-{nonce}'" not in directives.get("style-src", []):
        found.append("style-src has not the page's nonce")
    for directive, expected in [
        ("default-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
    ]:
        if directives.get(directive) != [expected]:
            found.append(f"{directive} is {directives.get(directive)}, not {expected}")
    parser = _Inline(nonce)
    parser.feed(response.content.decode())
    return found + parser.problems


def check_pages(client, urls: dict[str, str]) -> dict[str, list[str]]:
    """{page: problems} for every page that is not a clean, CSP-compliant HTML page."""
    bad = {}
    for name, url in urls.items():
        response = client.get(url, follow=True)
        if response.status_code != 200:
            bad[name] = [f"{url} answered {response.status_code}"]
            continue
        assert response["Content-Type"].startswith("text/html"), (name, url)
        problems = problems_of(response)
        if problems:
            bad[name] = [url, *sorted(set(problems))]
    return bad


def sign_in_with_code(client, user) -> None:
    """The ISU signs in as a person does: password, then the authenticator's code."""
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_now(user.totp_secret)})
    assert response.status_code == 302


# --- The portal as it is used -------------------------------------------------------------------------
@pytest.fixture
def portal(focal_point, other_focal_point, isu_staff):
    """Published reports of every State Party over several years (the dashboard draws its charts from
    them, and Lao PDR's initial report is one), a 2024 draft being written, another State's 2024 report
    waiting for review, the demo assistance requests with a committed match."""
    bulk_reports(years=range(2021, 2024), actor=isu_staff)
    initial = Report.objects.get(state__iso3="LAO", kind=ReportKind.INITIAL)
    draft = services.start_report(state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    in_review = submitted(other_focal_point, year=2024)
    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_assistance", force=True, stdout=io.StringIO())
    version = initial.versions.order_by("number").first()
    return {"initial": initial, "version": version, "draft": draft, "in_review": in_review}


def test_the_policy_carries_a_fresh_nonce_on_every_request(client):
    first, second = (policy(client.get("/"))["script-src"] for _ in range(2))
    assert "'self'" in first
    assert [s for s in first if s.startswith("'nonce-")] != [s for s in second if s.startswith("'nonce-")]


def test_public_pages_comply_with_the_policy(client, portal):
    version = portal["version"]
    urls = {
        "home": "/",
        "states": reverse("parties:state_list"),
        "state": reverse("parties:state_detail", args=["LAO"]),
        "meetings": reverse("parties:meeting_list"),
        "archive": reverse("reporting:archive"),
        "version": reverse("reporting:archive_version", args=["LAO", portal["initial"].period_slug, version.number]),
        "progress": reverse("progress:dashboard"),
        "assistance": reverse("assistance:overview"),
        "coalitions": reverse("assistance:coalition_list"),
        "sign in": reverse("account_login"),
        "password reset": reverse("account_reset_password"),
    }
    assert check_pages(client, urls) == {}
    # The shares are still drawn as bars: an SVG whose filled part is as wide as the share.
    for url in ("/", reverse("progress:dashboard")):
        assert '<rect class="bar__fill" width="' in client.get(url).content.decode()
    # The page for an address that does not exist is an HTML page like the others (status 404).
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and problems_of(response) == []


def test_the_focal_points_pages_comply_with_the_policy(client_for, portal, focal_point):
    draft = portal["draft"]
    request = AssistanceRequest.objects.filter(state__iso3="LAO").order_by("pk").first()
    urls = {
        "my portal": reverse("accounts:home"),
        "my reports": reverse("reporting:my_reports"),
        "report": reverse("reporting:report_detail", args=[draft.pk]),
        "cover page": reverse("reporting:report_cover", args=[draft.pk]),
        "form A editor": reverse("reporting:report_form", args=[draft.pk, "A"]),
        "form B editor": reverse("reporting:report_form", args=[draft.pk, "B"]),
        "form F editor": reverse("reporting:report_form", args=[draft.pk, "F"]),
        "version": reverse("reporting:version_detail", args=[portal["initial"].pk, 1]),
        "reminders": reverse("deadlines:my_reminders"),
        "calendars": reverse("deadlines:my_calendars"),
        "assistance requests": reverse("assistance:request_list"),
        "assistance request": reverse("assistance:request_detail", args=[request.pk]),
        "two-factor": reverse("mfa_index"),
    }
    assert check_pages(client_for(focal_point), urls) == {}


def test_the_isu_pages_and_the_admin_comply_with_the_policy(client, portal, isu_staff):
    RecoveryCodes.activate(isu_staff)  # allauth's page runs its script from a JSON data block
    sign_in_with_code(client, isu_staff)
    in_review = portal["in_review"]
    request = AssistanceRequest.objects.filter(state__iso3="LAO").order_by("pk").first()
    urls = {
        "staff home": reverse("accounts:staff_home"),
        "review queue": reverse("reporting:review_queue"),
        "review": reverse("reporting:review_detail", args=[in_review.pk]),
        "deadlines": reverse("deadlines:isu_deadlines"),
        "reminders": reverse("deadlines:isu_reminders"),
        "progress (ISU)": reverse("progress:dashboard_isu"),
        "background work": reverse("operations:background_work"),
        "board": reverse("assistance:board"),
        "coverage": reverse("assistance:overview_full"),
        "assistance request": reverse("assistance:request_detail", args=[request.pk]),
        "recovery codes": reverse("mfa_view_recovery_codes"),
        "admin": reverse("admin:index"),
        "admin: States": reverse("admin:parties_state_changelist"),
        "admin: a State": reverse("admin:parties_state_change", args=[request.state_id]),
        "admin: users": reverse("admin:accounts_user_changelist"),
        "admin: import States": reverse("admin:parties_state_import"),
        "admin: export States": reverse("admin:parties_state_export"),
    }
    assert check_pages(client, urls) == {}


def test_a_document_download_keeps_its_own_stricter_policy(client_for, portal):
    """An uploaded document is sent with "nothing may run, in a sandbox", never the site's policy."""
    request = AssistanceRequest.objects.filter(state__iso3="LAO").order_by("pk").first()
    focal = User.objects.get(email="focal.point@demo.ccm-portal.test")
    document = documents.add_document(actor=focal, request=request, upload=SimpleUploadedFile("Survey plan.pdf", PDF))
    response = client_for(focal).get(reverse("assistance:document_download", args=[request.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
