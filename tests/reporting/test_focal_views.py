"""The focal point's report pages, as the focal point, other roles, outsiders and the public see them."""

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from reporting import services
from reporting.content import validation_for
from reporting.formats import Choice
from reporting.models import Report, ReportKind, ReportStatus, ReportVersion, ReviewComment, VersionOutcome
from tests.factories import make_user
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

# Queries for one page of an initial report, whatever the number of table rows or comments. Both
# pages: session, user, the report (with State and format), the open comments, their replies, the
# reporting rules (for check_report); the last saver comes with the report, and whether the ISU is entering
# it from an original (reporting.access.get_report). A form's page also reads the focal point's open notes to
# the national contributor the form was returned to (issue 19).
FORM_QUERIES = 7
DETAIL_QUERIES = 7  # + the versions


# --- Building reports ----------------------------------------------------------------------------
def stock_rows(n):
    return [
        {"_id": f"s{i}", "type": f"Type {i}", "munitions": str(10 + i), "submunitions": "100", "qualifier": "exact"}
        for i in range(n)
    ]


def save(report, content, actor):
    report.refresh_from_db()
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=actor)


def submit(report, actor, **rows):
    report = save(report, fill_minimal(report, **rows), actor)
    services.set_visibility(report=report, visibility="public", actor=actor)
    return services.submit_report(report=report, actor=actor)


def accepted(report, focal_point, isu_staff, **rows):
    version = submit(report, focal_point, **rows)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    report.refresh_from_db()
    return version


def with_changes_requested(report, focal_point, isu_staff, *, rows):
    """A report back with the State, a reviewer's query on Form B's first stockpile row."""
    submit(report, focal_point, form_b_stock=stock_rows(rows))
    services.start_review(report=report, actor=isu_staff)
    comment = services.add_comment(
        report=report,
        actor=isu_staff,
        body="Check the count for Type 0.",
        form_code="B",
        field_key="stockpile",
        row_id="s0",
    )
    services.request_changes(report=report, actor=isu_staff, reason="See the comment on Form B.")
    report.refresh_from_db()
    return comment


def form_b_data(report, rows, *, revision=None, **extra):
    """What the Form B page posts: the choice, the narrative and one input per cell."""
    data = {
        "revision": str(report.revision if revision is None else revision),
        "f-B-shown": "1",
        "f-B-choice": "changed",
        "f-B-since": "",
        "f-B-na": "",
        "n-programme": "Destruction is complete.",
        "t-stockpile-_id": [r["_id"] for r in rows],
    }
    for row in rows:
        for key, value in row.items():
            if key != "_id":
                data[f"t-stockpile-{row['_id']}-{key}"] = value
    data.update(extra)
    return data


def page_text(response):
    return html_lib.unescape(re.sub(r"\s+", " ", response.content.decode()))


def words(response):
    """The page's text without its tags (what a screen reader reads, hidden parts included)."""
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def input_value(response, name):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', response.content.decode())
    return html_lib.unescape(match.group(1)) if match else None


@pytest.fixture
def annual_2024(focal_point, lao):
    return services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)


@pytest.fixture
def colleague(reference_data):
    return make_user(Role.FOCAL_POINT, iso3="LAO", email="colleague@example.org", full_name="Khamla Colleague")


# --- My reports -----------------------------------------------------------------------------------
def test_focal_point_sees_reports_owed_with_start_buttons(client_for, focal_point, lao):
    response = client_for(focal_point).get(reverse("reporting:my_reports"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Initial report" in text and "Annual update for 2025" in text and "Annual update for 2010" in text
    assert text.count('name="from_last_year"') == 0  # nothing accepted yet to start from
    assert "No report has been started yet." in text


def test_my_reports_lists_the_states_reports_and_offers_last_years_report(
    client_for, focal_point, isu_staff, initial_report, annual_2024
):
    accepted(initial_report, focal_point, isu_staff)
    response = client_for(focal_point).get(reverse("reporting:my_reports"))
    text = page_text(response)
    assert f'href="/reporting/{initial_report.pk}/"' in text and f'href="/reporting/{annual_2024.pk}/"' in text
    assert "Accepted" in text and "Draft" in text
    assert "Annual update for 2024" not in text  # started already
    assert "Start from the accepted report for Initial report (version 1)" in text
    assert text.count('name="from_last_year"') == 15  # 2010–2025 except 2024


def test_my_reports_for_other_roles(client_for, coordinator, donor, isu_staff, other_focal_point, initial_report):
    assert client_for(None).get("/reporting/").status_code == 302
    assert client_for(coordinator).get("/reporting/").status_code == 403
    assert client_for(donor).get("/reporting/").status_code == 403
    response = client_for(isu_staff).get("/reporting/")
    assert response.status_code == 302 and response["Location"] == reverse("reporting:review_queue")
    response = client_for(other_focal_point).get("/reporting/")
    assert response.status_code == 200
    assert f"/reporting/{initial_report.pk}/" not in response.content.decode()  # Lao PDR's, not Australia's


# --- Starting a report ----------------------------------------------------------------------------
def test_start_a_report_then_a_second_start_is_refused_with_a_message(client_for, focal_point, lao):
    client = client_for(focal_point)
    response = client.post(reverse("reporting:report_start"), {"kind": "initial", "period_year": ""})
    report = Report.objects.get(state=lao, kind=ReportKind.INITIAL)
    assert response.status_code == 302 and response["Location"] == f"/reporting/{report.pk}/"
    response = client.post(reverse("reporting:report_start"), {"kind": "initial"}, follow=True)
    assert "already has an initial report" in page_text(response)
    assert Report.objects.filter(state=lao).count() == 1
    response = client.post(reverse("reporting:report_start"), {"kind": "annual", "period_year": "2031"}, follow=True)
    assert "has no annual update to make for 2031" in page_text(response)
    assert client.get(reverse("reporting:report_start")).status_code == 405


def test_start_from_last_years_accepted_report(client_for, focal_point, isu_staff, lao, initial_report):
    accepted(initial_report, focal_point, isu_staff)
    client_for(focal_point).post(
        reverse("reporting:report_start"), {"kind": "annual", "period_year": "2024", "from_last_year": "1"}
    )
    report = Report.objects.get(state=lao, period_year=2024)
    assert report.draft["forms"]["A"]["choice"] == Choice.UNCHANGED
    assert report.draft["forms"]["A"]["narratives"]["summary"] == "Law No. 12 prohibits cluster munitions."


def test_start_is_for_focal_points_only(client_for, coordinator, donor, isu_staff, lao):
    url = reverse("reporting:report_start")
    assert client_for(None).post(url, {"kind": "initial"}).status_code == 302
    for user in (coordinator, donor, isu_staff):
        assert client_for(user).post(url, {"kind": "initial"}).status_code == 403
    assert not Report.objects.filter(state=lao).exists()


# --- Overview --------------------------------------------------------------------------------------
def test_owner_sees_the_cover_summary_settings_and_actions(client_for, focal_point, initial_report):
    response = client_for(focal_point).get(initial_report.get_absolute_url())
    assert response.status_code == 200
    text = page_text(response)
    for code in "ABCDEFGHIJ":
        assert f'href="/reporting/{initial_report.pk}/forms/{code}/"' in text
    assert text.count("Not yet said") == 10
    assert "Who may read the report once the ISU publishes it" in text
    assert 'name="visibility" value="public"' in text and "checked" not in text.split('name="visibility"')[1][:80]
    assert "Make this a nil report" in text
    assert re.search(r'<button class="btn btn--large" type="submit" disabled', text)  # not complete yet
    assert "No open comments from the ISU." in text


def test_overview_shows_each_forms_choice_completeness_and_warnings(client_for, focal_point, initial_report):
    content = fill_minimal(initial_report, form_b_stock=[{"_id": "s1", "type": "BLU-26", "munitions": "x"}])
    content["forms"]["C"].update(choice=Choice.NOT_APPLICABLE, na_statement="We never produced any.")
    save(initial_report, content, focal_point)
    text = page_text(client_for(focal_point).get(initial_report.get_absolute_url()))
    assert "Given in full" in text and "Not applicable" in text and "We never produced any." in text
    assert "2 problems to fix" in text  # munitions "x" and the missing submunitions


def test_draft_is_not_found_by_outsiders_and_read_only_for_isu(
    client_for, other_focal_point, coordinator, donor, isu_staff, initial_report
):
    url = initial_report.get_absolute_url()
    for user in (None, other_focal_point, coordinator, donor):
        assert client_for(user).get(url).status_code == 404
    response = client_for(isu_staff).get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert f'href="{reverse("reporting:review_detail", args=[initial_report.pk])}"' in text
    assert 'name="visibility"' not in text and "Make this a nil report" not in text
    assert f"/reporting/{initial_report.pk}/forms/B/" not in text


def test_open_review_comments_are_shown_with_reply_forms(client_for, focal_point, isu_staff, initial_report):
    comment = with_changes_requested(initial_report, focal_point, isu_staff, rows=2)
    text = page_text(client_for(focal_point).get(initial_report.get_absolute_url()))
    assert "The ISU asks for changes" in text and "See the comment on Form B." in text
    assert "Check the count for Type 0." in text
    assert "Form B · Cluster munitions held at the end of the period, by type (Art. 7(1)(b)) · row 1, Type 0" in text
    assert f'action="/reporting/{initial_report.pk}/comments/{comment.pk}/reply/"' in text
    assert f'href="/reporting/{initial_report.pk}/forms/B/#row-s0"' in text


@pytest.mark.parametrize("rows", [2, 200])
def test_overview_runs_a_fixed_number_of_queries(client_for, focal_point, isu_staff, initial_report, rows):
    with_changes_requested(initial_report, focal_point, isu_staff, rows=rows)
    client = client_for(focal_point)
    client.get(initial_report.get_absolute_url())  # the reporting rules row is made on first use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(initial_report.get_absolute_url())
    assert response.status_code == 200
    assert len(queries) == DETAIL_QUERIES, "\n".join(q["sql"] for q in queries.captured_queries)


# --- Cover page ------------------------------------------------------------------------------------
def test_cover_page_saves_contact_and_choices(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_cover", args=[initial_report.pk])
    response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert 'name="f-B-choice" id="f-B-unchanged"' not in text  # an initial report gives every form in full
    assert 'id="f-A-not-applicable"' not in text and 'id="f-B-not-applicable"' in text  # Form A always applies
    data = {
        "revision": "0",
        "c-contact_name": "Somphone V.",
        "c-contact_institution": "National Regulatory Authority",
        "c-contact_email": "not-an-email",
        **{f"f-{code}-shown": "1" for code in "ABCDEFGHIJ"},
        "f-A-choice": "changed",
        "f-C-choice": "not_applicable",
        "f-C-na": "Never produced.",
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "Cover page saved at" in text
    assert "Enter a valid e-mail address." in text and input_value(response, "c-contact_email") == "not-an-email"
    initial_report.refresh_from_db()
    assert initial_report.draft["cover"]["contact_name"] == "Somphone V."
    assert initial_report.draft["forms"]["C"] | {"narratives": None, "tables": None} == {
        "choice": "not_applicable",
        "unchanged_since": None,
        "na_statement": "Never produced.",
        "narratives": None,
        "tables": None,
    }
    assert initial_report.draft["forms"]["B"]["choice"] == ""


def test_cover_autosave_answers_json_with_the_cover_pages_errors(client_for, focal_point, annual_2024):
    url = reverse("reporting:report_cover", args=[annual_2024.pk])
    data = {"revision": "0", "c-contact_email": "fp@", "f-C-shown": "1", "f-C-choice": "not_applicable", "f-C-na": ""}
    data |= {"f-D-shown": "1", "f-D-choice": "unchanged", "f-D-since": "1999"}
    response = client_for(focal_point).post(url, data, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["errors"] == {
        "cover.contact_email": "Enter a valid e-mail address.",
        "forms.C.na_statement": "Give a one-line definitive statement of why the form does not apply.",
        "forms.D.unchanged_since": "The year must be between 2010 and 2024.",
    }
    assert response.json()["complete"] is False


def test_annual_cover_offers_unchanged_since(client_for, focal_point, annual_2024):
    text = page_text(client_for(focal_point).get(reverse("reporting:report_cover", args=[annual_2024.pk])))
    assert 'id="f-A-unchanged"' in text and 'placeholder="2023"' in text


def test_cover_page_access(client_for, other_focal_point, coordinator, isu_staff, initial_report):
    url = reverse("reporting:report_cover", args=[initial_report.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(other_focal_point).get(url).status_code == 404
    assert client_for(coordinator).get(url).status_code == 404
    assert client_for(isu_staff).get(url).status_code == 403
    assert client_for(isu_staff).post(url, {"revision": "0", "c-contact_name": "ISU"}).status_code == 403


# --- Form editor -----------------------------------------------------------------------------------
def test_edit_form_b_stockpile_rows(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    rows = [
        {"_id": "r1", "type": "BLU-26", "munitions": "1,500", "submunitions": "25", "qualifier": "at_least"},
        {"_id": "r2", "type": "M42", "munitions": "12", "submunitions": "0", "qualifier": ""},
    ]
    response = client.post(url, form_b_data(initial_report, rows))
    assert response.status_code == 302 and response["Location"] == url
    initial_report.refresh_from_db()
    saved = initial_report.draft["forms"]["B"]
    assert saved["choice"] == Choice.CHANGED
    assert [r["type"] for r in saved["tables"]["stockpile"]] == ["BLU-26", "M42"]
    assert saved["tables"]["stockpile"][0]["munitions"] == "1,500"  # the draft keeps what was typed
    assert validation_for(initial_report).cleaned["forms"]["B"]["tables"]["stockpile"][0]["munitions"] == 1500
    response = client.get(url)
    text = page_text(response)
    assert input_value(response, "t-stockpile-r1-type") == "BLU-26"
    assert '<tr id="row-r1" data-row-id="r1"' in text and '<tr id="row-r2" data-row-id="r2"' in text
    assert '<option value="at_least" selected>' in text
    assert '<label class="cell-label" for="t-stockpile-r2-munitions">Cluster munitions' in text
    assert "row 2, M42" in text


def test_area_typed_in_square_kilometres_is_stored_in_square_metres(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "F"])
    data = {
        "revision": "0",
        "t-areas-_id": ["a1"],
        "t-areas-a1-location": "Xieng Khouang",
        "t-areas-a1-area": "2.5 km2",
        "t-areas-a1-status": "confirmed",
        "t-areas-a1-mixed_hazard": "1",
    }
    response = client.post(url, data, follow=True)
    initial_report.refresh_from_db()
    row = initial_report.draft["forms"]["F"]["tables"]["areas"][0]
    assert row["area"] == "2.5 km2" and row["mixed_hazard"] is True and row["remnant_quantity"] == ""
    cleaned = validation_for(initial_report).cleaned["forms"]["F"]["tables"]["areas"][0]
    assert cleaned["area"] == "2500000"
    text = page_text(response)
    assert "Stored as 2,500,000 m²" in text
    assert "Enter m², ha or km², e.g. “2.5 km2” or “30 ha”: shown as typed, computed in square metres." in text
    assert re.search(r'name="t-areas-a1-mixed_hazard" value="1" checked', text)


def test_a_bad_cell_shows_its_error_and_keeps_what_was_typed(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    rows = [{"_id": "r1", "type": "BLU-26", "munitions": "abc", "submunitions": "25", "qualifier": ""}]
    response = client.post(url, form_b_data(initial_report, rows), follow=True)
    assert response.status_code == 200
    text = page_text(response)
    assert input_value(response, "t-stockpile-r1-munitions") == "abc"
    assert '<p class="cell-error" id="t-stockpile-r1-munitions-error">Enter a number.</p>' in text
    assert 'aria-invalid="true"' in text
    assert "1 problem to fix" in text and 'href="#t-stockpile-r1-munitions"' in text


def test_rows_are_added_and_deleted_without_javascript(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    rows = [{"_id": "r1", "type": "BLU-26", "munitions": "1", "submunitions": "2", "qualifier": ""}]
    response = client.post(url, form_b_data(initial_report, rows, add_row="stockpile"))
    initial_report.refresh_from_db()
    stock = initial_report.draft["forms"]["B"]["tables"]["stockpile"]
    assert len(stock) == 2 and stock[0]["type"] == "BLU-26"
    new_id = stock[1]["_id"]
    assert response["Location"] == f"{url}#row-{new_id}"
    rows.append({"_id": new_id, "type": "M77", "munitions": "", "submunitions": "", "qualifier": ""})
    response = client.post(url, form_b_data(initial_report, rows, delete_row="stockpile:r1"))
    initial_report.refresh_from_db()
    assert [r["type"] for r in initial_report.draft["forms"]["B"]["tables"]["stockpile"]] == ["M77"]
    assert response["Location"] == f"{url}#table-stockpile"


def test_a_stale_revision_gets_409_naming_what_changed_and_keeps_the_typed_text(
    client_for, focal_point, colleague, initial_report
):
    base = initial_report.revision
    content = fill_minimal(initial_report, form_b_stock=stock_rows(1))
    save(initial_report, content, colleague)  # the colleague saves the cover page, Form A… and Form B
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    rows = [{"_id": "r9", "type": "Typed by me", "munitions": "7", "submunitions": "70", "qualifier": ""}]
    response = client.post(url, form_b_data(initial_report, rows, revision=base))
    assert response.status_code == 409
    text = page_text(response)
    at = re.search(r"saved this report at (\d\d:\d\d)", text).group(1)
    assert (
        f"Someone else (Khamla Colleague) saved this report at {at}; these parts changed: cover page, Form A, Form B, "
        "Form C, Form D, Form E, Form F, Form G, Form H, Form I, Form J. Your changes are not saved yet — review and "
        "save again."
    ) in text
    assert input_value(response, "t-stockpile-r9-type") == "Typed by me"
    assert "Destruction is complete." in text
    initial_report.refresh_from_db()
    assert input_value(response, "revision") == str(initial_report.revision)  # the next save goes through
    assert initial_report.draft["forms"]["B"]["tables"]["stockpile"][0]["type"] == "Type 0"
    response = client.post(url, form_b_data(initial_report, rows, revision=initial_report.revision))
    assert response.status_code == 302
    initial_report.refresh_from_db()
    assert initial_report.draft["forms"]["B"]["tables"]["stockpile"][0]["type"] == "Typed by me"
    assert initial_report.draft["cover"]["contact_name"] == "Focal Point"  # the colleague's cover page stays


def test_autosave_answers_json(client_for, focal_point, colleague, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    rows = [{"_id": "r1", "type": "BLU-26", "munitions": "abc", "submunitions": "3", "qualifier": ""}]
    response = client.post(url, form_b_data(initial_report, rows), headers={"Accept": "application/json"})
    assert response.status_code == 200
    data = response.json()
    assert data["revision"] == 1 and re.fullmatch(r"\d\d:\d\d", data["saved_at_display"])
    assert data["message"] == f"Saved at {data['saved_at_display']}"
    assert data["errors"] == {"forms.B.tables.stockpile.r1.munitions": "Enter a number."}
    assert data["complete"] is False
    rows[0]["munitions"] = "4"
    response = client.post(url, form_b_data(initial_report, rows, revision=1), headers={"Accept": "application/json"})
    assert response.json()["errors"] == {} and response.json()["complete"] is True
    initial_report.refresh_from_db()
    save(initial_report, fill_minimal(initial_report), colleague)
    response = client.post(url, form_b_data(initial_report, rows, revision=2), headers={"Accept": "application/json"})
    assert response.status_code == 409
    data = response.json()
    assert data["conflict"] is True and data["by"] == "Khamla Colleague" and "Form B" in data["changed"]
    assert data["message"].startswith("Someone else (Khamla Colleague) saved this report at ")


# --- Issue 12: the editor never drops, overrules or misreports --------------------------------------
DEMO_AREAS = [
    {
        "_id": "demo-f1",
        "location": "Demo Province North",
        "area": "12.5 km2",
        "qualifier": "approximately",
        "status": "confirmed",
    },
    {
        "_id": "demo-f2",
        "location": "Demo Province South",
        "area": "480 ha",
        "status": "suspected",
        "mixed_hazard": True,
    },
]
DEMO_CLEARED = [
    {"_id": "demo-c1", "location": "Demo Province North", "area": "3.2 km2", "remnant_type": "BLU-26"},
]


def accepted_2024(focal_point, isu_staff, lao, *, demo_rows=False):
    """The accepted 2024 update, Form B not applicable, Form F with rows whose ids are like the old demo's."""
    report = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    content = fill_minimal(report)
    if demo_rows:
        content["forms"]["F"].update(choice=Choice.CHANGED, na_statement="", narratives={"programme": "Survey."})
        content["forms"]["F"]["tables"].update(areas=DEMO_AREAS, cleared=DEMO_CLEARED)
    save(report, content, focal_point)
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)


def start_2025_from_2024(client):
    client.post(reverse("reporting:report_start"), {"kind": "annual", "period_year": "2025", "from_last_year": "1"})
    return Report.objects.get(period_year=2025)


def test_rows_with_any_id_are_shown_and_kept_when_the_choice_changes(client_for, focal_point, isu_staff, lao):
    from tests.reporting.test_editor_roundtrip import page_post

    accepted_2024(focal_point, isu_staff, lao, demo_rows=True)
    client = client_for(focal_point)
    report = start_2025_from_2024(client)
    stored = report.draft["forms"]["F"]["tables"]
    assert [r["_id"] for r in stored["areas"]] == ["demo-f1", "demo-f2"]
    url = reverse("reporting:report_form", args=[report.pk, "F"])
    page = client.get(url)
    text = page_text(page)
    assert "No rows yet" not in text
    assert "Demo Province North" in text and "Demo Province South" in text and "BLU-26" in text
    data = page_post(page)
    data["f-F-choice"] = ["changed"]
    response = client.post(url, data, headers={"Accept": "application/json"})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.draft["forms"]["F"]["choice"] == Choice.CHANGED
    assert report.draft["forms"]["F"]["tables"] == stored
    assert "Demo Province South" in page_text(client.get(url))


def test_the_focal_points_choice_is_what_is_saved(client_for, focal_point, isu_staff, lao):
    from tests.reporting.test_editor_roundtrip import page_post

    accepted_2024(focal_point, isu_staff, lao)
    client = client_for(focal_point)
    report = start_2025_from_2024(client)
    assert report.draft["forms"]["B"]["choice"] == Choice.NOT_APPLICABLE
    url = reverse("reporting:report_form", args=[report.pk, "B"])
    data = page_post(client.get(url))
    data["f-B-choice"] = ["changed"]
    response = client.post(url, data, headers={"Accept": "application/json"})
    assert response.json()["complete"] is True
    page = client.get(url)
    assert re.search(r'id="f-B-changed" value="changed" checked', page.content.decode())
    assert "Unchanged since 2024" not in page_text(page)
    report.refresh_from_db()
    assert report.draft["forms"]["B"]["choice"] == Choice.CHANGED
    # Form A was given in 2024 and is the same: left "unchanged"; made "changed", it is only suggested back.
    url_a = reverse("reporting:report_form", args=[report.pk, "A"])
    data = page_post(client.get(url_a))
    data["f-A-choice"] = ["changed"]
    answer = client.post(url_a, data, headers={"Accept": "application/json"}).json()
    suggestion = "Form A is the same as in the accepted report for 2024: “Unchanged since 2024” may apply."
    assert answer["suggestions"] == {"A": suggestion}
    assert suggestion in page_text(client.get(url_a))
    report.refresh_from_db()
    assert report.draft["forms"]["A"]["choice"] == Choice.CHANGED


def test_banner_tabs_and_save_bar_agree_after_an_autosave(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    save(initial_report, fill_minimal(initial_report, form_b_stock=stock_rows(1)), focal_point)
    initial_report.refresh_from_db()
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    page = words(client.get(url))
    assert "Form B is complete." in page and "Form B: Stockpiles and destruction, complete" in page
    rows = [{"_id": "s0", "type": "Type 0", "munitions": "ten", "submunitions": "100", "qualifier": "exact"}]
    answer = client.post(url, form_b_data(initial_report, rows), headers={"Accept": "application/json"}).json()
    assert answer["complete"] is False
    assert answer["status"] == {
        "complete": False,
        "label": "",
        "text": "Fix the problems marked on this page to complete this form.",
    }
    nav = {item["code"]: item["complete"] for item in answer["nav"]}
    assert nav["B"] is False and nav["A"] is True and nav["cover"] is True
    # The page says the same when opened again.
    page = words(client.get(url))
    assert "Form B is complete." not in page and "Fix the problems marked on this page" in page
    assert "Form B: Stockpiles and destruction, incomplete" in page
    rows[0]["munitions"] = "10"
    answer = client.post(
        url, form_b_data(initial_report, rows, revision=answer["revision"]), headers={"Accept": "application/json"}
    ).json()
    assert answer["status"] == {"complete": True, "label": "", "text": "Form B is complete."}
    assert {item["code"]: item["complete"] for item in answer["nav"]}["B"] is True


def test_autosave_says_what_is_still_needed(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "A"])
    answer = client.post(
        url,
        {"revision": "0", "f-A-shown": "1", "f-A-choice": "changed", "n-summary": ""},
        headers={"Accept": "application/json"},
    ).json()
    assert answer["status"]["complete"] is False and answer["status"]["label"] == "Still needed:"
    assert answer["status"]["text"].startswith("Legal, administrative and other measures")
    cover = client.post(
        reverse("reporting:report_cover", args=[initial_report.pk]),
        {"revision": str(answer["revision"]), "c-contact_name": "Focal Point"},
        headers={"Accept": "application/json"},
    ).json()
    assert cover["status"]["label"] == "Still needed on this page:"
    assert "a choice for Form B" in cover["status"]["text"]


def test_unknown_form_code_is_404(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    assert client.get(reverse("reporting:report_form", args=[initial_report.pk, "K"])).status_code == 404
    assert client.get(reverse("reporting:report_form", args=[initial_report.pk, "b"])).status_code == 404
    assert client.post(reverse("reporting:report_form", args=[initial_report.pk, "Z"]), {}).status_code == 404


def test_form_editor_access(client_for, other_focal_point, coordinator, donor, isu_staff, initial_report):
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    assert client_for(None).get(url).status_code == 302
    for user in (other_focal_point, coordinator, donor):
        assert client_for(user).get(url).status_code == 404
    assert client_for(isu_staff).get(url).status_code == 403


def test_a_submitted_report_is_not_edited(client_for, focal_point, initial_report):
    submit(initial_report, focal_point)
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    response = client.get(url, follow=True)
    assert "This report is submitted and cannot be edited now." in page_text(response)
    rows = [{"_id": "r1", "type": "Late", "munitions": "1", "submunitions": "1", "qualifier": ""}]
    initial_report.refresh_from_db()
    response = client.post(url, form_b_data(initial_report, rows))
    assert response.status_code == 409
    assert "cannot be edited" in page_text(response) and input_value(response, "t-stockpile-r1-type") == "Late"


def test_form_page_shows_open_comments_next_to_their_row(client_for, focal_point, isu_staff, initial_report):
    with_changes_requested(initial_report, focal_point, isu_staff, rows=3)
    text = page_text(client_for(focal_point).get(reverse("reporting:report_form", args=[initial_report.pk, "B"])))
    row = text.index('<tr id="row-s0" data-row-id="s0"')
    comments = text.index('<tr class="grid-comments" data-comments-for="s0">')
    assert row < comments < text.index('<tr id="row-s1"')
    assert "Check the count for Type 0." in text[comments:]


@pytest.mark.parametrize("rows", [2, 200])
def test_form_editor_runs_a_fixed_number_of_queries(client_for, focal_point, isu_staff, initial_report, rows):
    with_changes_requested(initial_report, focal_point, isu_staff, rows=rows)
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[initial_report.pk, "B"])
    client.get(url)  # the reporting rules row is made on first use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("data-row-id=") == rows
    assert len(queries) == FORM_QUERIES, "\n".join(q["sql"] for q in queries.captured_queries)


# --- Settings and workflow actions ----------------------------------------------------------------
def test_settings_are_saved_and_visibility_is_required(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_settings", args=[initial_report.pk])
    response = client.post(url, {"original_language": "fr", "sent_to_unoda_on": "2011-07-01"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Choose public or restricted." in text
    assert input_value(response, "sent_to_unoda_on") == "2011-07-01"  # nothing typed is lost
    response = client.post(
        url, {"visibility": "restricted", "original_language": "fr", "sent_to_unoda_on": "2011-07-01"}, follow=True
    )
    assert "Report settings saved." in page_text(response)
    initial_report.refresh_from_db()
    assert (initial_report.visibility, initial_report.original_language) == ("restricted", "fr")
    assert initial_report.sent_to_unoda_on.isoformat() == "2011-07-01"
    response = client.post(url, {"visibility": "public", "original_language": "en", "sent_to_unoda_on": "2099-01-01"})
    assert response.status_code == 400 and "The date cannot be in the future." in page_text(response)


def test_settings_and_actions_are_the_owners(client_for, other_focal_point, coordinator, isu_staff, initial_report):
    for name in ("report_settings", "report_nil", "report_submit", "report_recall", "report_correct"):
        url = reverse(f"reporting:{name}", args=[initial_report.pk])
        assert client_for(None).post(url, {}).status_code == 302, name
        assert client_for(other_focal_point).post(url, {}).status_code == 404, name
        assert client_for(coordinator).post(url, {}).status_code == 404, name
        assert client_for(isu_staff).post(url, {}).status_code == 403, name
        assert client_for(isu_staff).get(url).status_code == 405, name


def test_nil_report(client_for, focal_point, annual_2024):
    response = client_for(focal_point).post(
        reverse("reporting:report_nil", args=[annual_2024.pk]), {"revision": annual_2024.revision}, follow=True
    )
    text = page_text(response)
    assert "Marked as a nil report" in text and "Nil report" in text
    annual_2024.refresh_from_db()
    assert annual_2024.is_nil
    assert annual_2024.draft["forms"]["B"]["choice"] == Choice.NOT_APPLICABLE
    assert annual_2024.draft["forms"]["A"]["choice"] == ""


def test_submit_needs_a_complete_report_then_sends_a_version(client_for, focal_point, initial_report):
    client = client_for(focal_point)
    url = reverse("reporting:report_submit", args=[initial_report.pk])
    services.set_visibility(report=initial_report, visibility="public", actor=focal_point)
    response = client.post(url, {})
    assert response.status_code == 400
    assert "The report is not complete yet" in page_text(response)
    save(initial_report, fill_minimal(initial_report), focal_point)
    response = client.post(url, {}, follow=True)
    assert "Version 1 submitted to the ISU." in page_text(response)
    initial_report.refresh_from_db()
    assert initial_report.status == ReportStatus.SUBMITTED
    assert "Recall the submission" in page_text(response)


def test_recall_then_correct_after_acceptance(client_for, focal_point, isu_staff, initial_report):
    client = client_for(focal_point)
    submit(initial_report, focal_point)
    response = client.post(reverse("reporting:report_recall", args=[initial_report.pk]), follow=True)
    assert "Submission recalled." in page_text(response)
    initial_report.refresh_from_db()
    assert initial_report.status == ReportStatus.DRAFT
    response = client.post(reverse("reporting:report_recall", args=[initial_report.pk]), follow=True)
    assert "can be recalled only until the ISU starts reviewing it" in page_text(response)
    services.submit_report(report=initial_report, actor=focal_point)
    services.start_review(report=initial_report, actor=isu_staff)
    services.accept_report(report=initial_report, actor=isu_staff)
    response = client.get(initial_report.get_absolute_url())
    assert "Correct this report" in page_text(response)
    response = client.post(reverse("reporting:report_correct", args=[initial_report.pk]), follow=True)
    assert "A correction has been opened" in page_text(response)
    initial_report.refresh_from_db()
    assert initial_report.status == ReportStatus.DRAFT
    response = client.post(reverse("reporting:report_submit", args=[initial_report.pk]), {"correction_note": ""})
    assert response.status_code == 400 and "Say what this version corrects." in page_text(response)
    response = client.post(
        reverse("reporting:report_submit", args=[initial_report.pk]), {"correction_note": "Law title"}, follow=True
    )
    assert "Version 3 submitted" in page_text(response)
    assert ReportVersion.objects.get(report=initial_report, number=3).correction_note == "Law title"


# --- Versions ---------------------------------------------------------------------------------------
def test_version_detail_is_public_only_once_published_and_public(
    client_for, focal_point, other_focal_point, coordinator, isu_staff, initial_report
):
    content = fill_minimal(
        initial_report, form_b_stock=[stock_rows(1)[0] | {"munitions": "1500", "qualifier": "at_least"}]
    )
    content["forms"]["F"].update(choice=Choice.CHANGED, na_statement="")
    content["forms"]["F"]["tables"]["areas"] = [
        {
            "_id": "a1",
            "location": "Xieng Khouang",
            "area": "2.5 km2",
            "qualifier": "approximately",
            "status": "confirmed",
        }
    ]
    save(initial_report, content, focal_point)
    services.set_visibility(report=initial_report, visibility="public", actor=focal_point)
    services.submit_report(report=initial_report, actor=focal_point)
    url = reverse("reporting:version_detail", args=[initial_report.pk, 1])
    response = client_for(focal_point).get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "approximately 2.5 km²" in text and "at least 1,500" in text  # the area as typed (issue 12)
    assert "Awaiting review" in text
    for user in (None, other_focal_point, coordinator):
        assert client_for(user).get(url).status_code == 404
    assert client_for(isu_staff).get(url).status_code == 200
    services.start_review(report=initial_report, actor=isu_staff)
    services.accept_report(report=initial_report, actor=isu_staff)
    assert client_for(None).get(url).status_code == 404  # accepted, not yet published
    services.publish_report(report=initial_report, actor=isu_staff)
    response = client_for(None).get(url)
    assert response.status_code == 200 and "approximately 2.5 km²" in page_text(response)
    assert client_for(None).get(reverse("reporting:version_detail", args=[initial_report.pk, 2])).status_code == 404
    assert client_for(coordinator).get(initial_report.get_absolute_url()).status_code == 200


def test_restricted_published_report_is_not_public(
    client_for, focal_point, other_focal_point, isu_staff, initial_report
):
    save(initial_report, fill_minimal(initial_report), focal_point)
    services.set_visibility(report=initial_report, visibility="restricted", actor=focal_point)
    services.submit_report(report=initial_report, actor=focal_point)
    services.start_review(report=initial_report, actor=isu_staff)
    services.accept_report(report=initial_report, actor=isu_staff)
    services.publish_report(report=initial_report, actor=isu_staff)
    url = reverse("reporting:version_detail", args=[initial_report.pk, 1])
    assert client_for(None).get(url).status_code == 404
    assert client_for(other_focal_point).get(url).status_code == 200  # States Parties read restricted reports


def test_superseded_version_says_so(client_for, focal_point, isu_staff, initial_report):
    accepted(initial_report, focal_point, isu_staff)
    services.start_correction(report=initial_report, actor=focal_point)
    initial_report.refresh_from_db()
    services.submit_report(report=initial_report, actor=focal_point, correction_note="corrects Form A")
    services.start_review(report=initial_report, actor=isu_staff)
    services.accept_report(report=initial_report, actor=isu_staff)
    client = client_for(focal_point)
    text = page_text(client.get(reverse("reporting:version_detail", args=[initial_report.pk, 1])))
    assert "superseded by version 2" in text
    text = page_text(client.get(reverse("reporting:version_detail", args=[initial_report.pk, 2])))
    assert "corrects Form A" in text


# --- Replies to review comments ---------------------------------------------------------------------
def test_reply_to_a_review_comment(client_for, focal_point, other_focal_point, isu_staff, initial_report, lao):
    comment = with_changes_requested(initial_report, focal_point, isu_staff, rows=1)
    url = reverse("reporting:comment_reply", args=[initial_report.pk, comment.pk])
    assert client_for(other_focal_point).post(url, {"body": "Not mine"}).status_code == 404
    assert client_for(None).post(url, {"body": "Anonymous"}).status_code == 302
    client = client_for(focal_point)
    response = client.post(url, {"body": "  "}, follow=True)
    assert "Write the reply." in page_text(response)
    response = client.post(url, {"body": "Recounted: 10 is right.", "next": "https://evil.example/"})
    assert response["Location"] == f"/reporting/{initial_report.pk}/#comment-{comment.pk}"
    reply = ReviewComment.objects.get(parent=comment)
    assert reply.body == "Recounted: 10 is right." and reply.author == focal_point and reply.row_id == "s0"
    assert "Recounted: 10 is right." in page_text(client.get(initial_report.get_absolute_url()))
    other = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2023, actor=focal_point)
    wrong = reverse("reporting:comment_reply", args=[other.pk, comment.pk])
    assert client.post(wrong, {"body": "Wrong report"}).status_code == 404
    assert ReviewComment.objects.filter(parent=comment).count() == 1


def test_versions_listed_on_the_overview(client_for, focal_point, isu_staff, initial_report):
    accepted(initial_report, focal_point, isu_staff)
    text = page_text(client_for(focal_point).get(initial_report.get_absolute_url()))
    assert f'href="/reporting/{initial_report.pk}/v1/"' in text and "Accepted" in text
    assert str(VersionOutcome.ACCEPTED.label) in text


def test_the_unoda_date_can_be_recorded_after_submission_without_touching_the_report(
    client_for, focal_point, initial_report
):
    from tests.reporting.test_services import submit_complete

    version = submit_complete(initial_report, focal_point)
    response = client_for(focal_point).post(
        reverse("reporting:report_settings", args=[initial_report.pk]),
        {"visibility": "public", "original_language": "fr", "sent_to_unoda_on": "2011-02-01"},
    )
    assert response.status_code == 302
    report = version.report
    report.refresh_from_db()
    assert (report.original_language, str(report.sent_to_unoda_on)) == ("fr", "2011-02-01")
    assert report.status == "submitted"
    refused = client_for(focal_point).post(
        reverse("reporting:report_settings", args=[initial_report.pk]),
        {"visibility": "restricted", "original_language": "fr", "sent_to_unoda_on": "2011-02-01"},
    )
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.visibility == "public"
    assert validation_for(report).complete
