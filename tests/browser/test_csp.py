"""The Content-Security-Policy in a real browser: the public, a focal point and an ISU officer walk
the main journeys (the dashboard's charts, the archive, editing a form while autosave runs, the cover
page, the review page, the admin) and Chromium reports no violation of the policy, neither in its
console nor as a securitypolicyviolation event, while the pages' scripts keep working."""

import re

import pytest

from reporting import services
from reporting.models import Report, ReportKind
from tests.factories import PASSWORD
from tests.progress.builders import bulk_reports
from tests.reporting.test_archive import submitted

from .test_invitation_flow import sign_in
from .test_report_cycle import sign_in_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every securitypolicyviolation event in any page is passed to Python through a binding (bindings and
# init scripts are the browser's own plumbing: the page's policy does not apply to them).
LISTEN = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
});
"""


@pytest.fixture
def violations(page):
    """What the browser refused under the policy: console messages and violation events, with the page."""
    found: list[str] = []
    page.context.expose_binding("__cspViolation", lambda source, text: found.append(f"{source['frame'].url}: {text}"))
    page.context.add_init_script(LISTEN)

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(f"{page.url}: console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"{page.url}: uncaught {error}"))
    return found


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    header = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in header and "'nonce-" in header, url
    page.wait_for_load_state("load")


@pytest.fixture
def reports(focal_point, other_focal_point, isu_staff):
    """Three years of published reports of every State Party (the charts' data), a 2024 draft of Lao
    PDR and Australia's 2024 report waiting for review."""
    bulk_reports(years=range(2021, 2024), actor=isu_staff)
    initial = Report.objects.get(state__iso3="LAO", kind=ReportKind.INITIAL)
    draft = services.start_report(state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    in_review = submitted(other_focal_point, year=2024)
    return {"initial": initial, "draft": draft, "in_review": in_review}


def test_the_main_journeys_meet_no_policy_violation(page, violations, reports, focal_point, isu_staff):
    page.on("dialog", lambda dialog: dialog.accept())

    # --- The public.
    for url in ["/", "/states/", "/states/LAO/", "/meetings/", "/progress/", "/reports/", "/assistance/"]:
        visit(page, url)
    visit(page, "/progress/")
    assert page.locator("main svg[role=img]").count() >= 1  # the charts are drawn
    assert page.locator("svg.bar .bar__fill").count() >= 1  # and the shares as bars
    width = page.locator("svg.bar").first.bounding_box()["width"]
    assert width > 50  # the bar spans its cell (an SVG without a width would be 300 px or nothing)
    visit(page, "/reports/?state=LAO")
    with page.expect_navigation():
        page.locator("main a[href*='/reports/LAO/initial/v']").first.click()
    assert re.search(r"/reports/LAO/initial/v1/$", page.url)

    # --- A focal point edits Form A; autosave saves it; the cover page.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    draft = reports["draft"]
    visit(page, f"/reporting/{draft.pk}/")
    visit(page, f"/reporting/{draft.pk}/forms/A/")
    revision = Report.objects.get(pk=draft.pk).revision
    if page.locator("#A-changed").count():
        page.check("#A-changed")
    page.locator("form[data-autosave] textarea").first.fill("Law No. 12 prohibits cluster munitions.")
    page.wait_for_selector("[data-autosave-status].is-saved")
    assert Report.objects.get(pk=draft.pk).revision > revision
    visit(page, f"/reporting/{draft.pk}/cover/")
    visit(page, "/reporting/")
    page.locator("form[action='/accounts/logout/'] [type=submit]").first.click()
    page.wait_for_load_state()

    # --- An ISU officer signs in with the authenticator's code, opens the review and the admin.
    sign_in_reviewer(page, isu_staff)
    visit(page, "/isu/reviews/")
    visit(page, f"/isu/reviews/{reports['in_review'].pk}/")
    visit(page, "/isu/progress/")
    visit(page, "/admin/")
    visit(page, "/admin/parties/state/")
    # A user's page: the State is chosen with the admin's autocomplete (select2), areas with its filter.
    visit(page, f"/admin/accounts/user/{focal_point.pk}/change/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("Lao")
    page.locator(".select2-results__option", has_text="Lao").first.wait_for()
    page.keyboard.press("Escape")
    visit(page, "/admin/parties/state/export/")
    # django-import-export's "Select all" still works (its handler now comes from a static file).
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:checked")
    assert fields.count() > 1
    page.locator("input.select-toggle").uncheck()
    assert fields.count() == 0

    assert violations == []
