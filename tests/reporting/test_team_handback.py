"""National contributors edit only the forms given to them, with the same editor, autosave and conflict
refusal (per form: two contributors saving different forms both get through), hand each back "ready for the
focal point", who reads what changed since they last looked and returns a form with a note on a place of it.
Every step is in the report's audit trail; the contributor never reaches another form, the cover page or the
report's overview."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEntry
from reporting import services
from reporting.models import FormAssignment, FormNote
from reporting.services.workflow import InvalidTransition
from tests.reporting.test_editor_roundtrip import page_post
from tests.reporting.test_focal_views import form_b_data, input_value, page_text, stock_rows

pytestmark = pytest.mark.django_db


def form_url(report, code):
    return reverse("reporting:report_form", args=[report.pk, code])


@pytest.fixture
def given(initial_report, focal_point, mod, nra):
    """Form B to the ministry of defence, Form F to the mine action authority."""
    services.assign_form(
        report=initial_report, form_code="B", contributor=mod, due_on=dt.date(2027, 3, 1), actor=focal_point
    )
    services.assign_form(
        report=initial_report, form_code="F", contributor=nra, due_on=dt.date(2027, 3, 15), actor=focal_point
    )
    initial_report.refresh_from_db()
    return initial_report


def form_f_data(report, statement, *, revision=None):
    return {
        "revision": str(report.revision if revision is None else revision),
        "f-F-shown": "1",
        "f-F-choice": "not_applicable",
        "f-F-since": "",
        "f-F-na": statement,
    }


def test_a_contributor_edits_their_form_and_sees_nothing_else_of_the_report(client_for, given, mod):
    client = client_for(mod)
    page = client.get(form_url(given, "B"))
    assert page.status_code == 200
    text = page_text(page)
    nav = text[text.index('class="report-nav"') : text.index("</nav>", text.index('class="report-nav"'))]
    assert 'data-nav-code="B"' in nav and 'data-nav-code="F"' not in nav and 'data-nav-code="cover"' not in nav
    assert reverse("reporting:my_forms") in nav and given.get_absolute_url() + '"' not in text
    assert "Ready for the focal point" in text
    response = client.post(form_url(given, "B"), form_b_data(given, stock_rows(1)))
    assert response.status_code == 302
    given.refresh_from_db()
    assert given.draft["forms"]["B"]["tables"]["stockpile"][0]["type"] == "Type 0"
    saved = AuditEntry.objects.for_object(given).get(action="reporting.report.saved")
    assert saved.actor == mod and all(path.startswith("forms.B.") for path in saved.changes)
    # Everything else of the report is closed to them: other forms, the cover page, the overview, the workflow.
    for url in (
        form_url(given, "F"),
        form_url(given, "C"),
        reverse("reporting:report_cover", args=[given.pk]),
        given.get_absolute_url(),
        reverse("reporting:report_team", args=[given.pk]),
        reverse("reporting:form_handback", args=[given.pk, "B"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(form_url(given, "F"), form_f_data(given, "Nothing.")).status_code == 404
    assert client.post(reverse("reporting:report_submit", args=[given.pk])).status_code == 404


def test_the_service_refuses_a_contributors_change_outside_their_forms(given, mod):
    content = given.draft
    content["forms"]["C"]["na_statement"] = "Typed by the wrong person."
    with pytest.raises(InvalidTransition, match="only the forms given to you"):
        services.save_draft(report=given, content=content, base_revision=given.revision, actor=mod)
    given.refresh_from_db()
    assert given.revision == 0 and not given.draft["forms"]["C"].get("na_statement")


def test_two_contributors_saving_different_forms_from_the_same_revision_both_get_through(client_for, given, mod, nra):
    base = given.revision
    assert (
        client_for(mod).post(form_url(given, "B"), form_b_data(given, stock_rows(2), revision=base)).status_code == 302
    )
    response = client_for(nra).post(form_url(given, "F"), form_f_data(given, "No contamination.", revision=base))
    assert response.status_code == 302
    given.refresh_from_db()
    assert len(given.draft["forms"]["B"]["tables"]["stockpile"]) == 2
    assert given.draft["forms"]["F"]["na_statement"] == "No contamination."
    assert given.revision == base + 2


def test_the_focal_point_saving_the_same_form_on_an_old_revision_is_refused(client_for, given, mod, focal_point):
    base = given.revision
    client_for(mod).post(form_url(given, "B"), form_b_data(given, stock_rows(1), revision=base))
    rows = [{"_id": "x1", "type": "Mine", "munitions": "1", "submunitions": "2", "qualifier": ""}]
    response = client_for(focal_point).post(form_url(given, "B"), form_b_data(given, rows, revision=base))
    assert response.status_code == 409
    assert "Someone else (" in page_text(response) and input_value(response, "t-stockpile-x1-type") == "Mine"
    given.refresh_from_db()
    assert given.draft["forms"]["B"]["tables"]["stockpile"][0]["type"] == "Type 0"


def test_hand_back_read_return_with_a_note_on_a_row_and_hand_back_again(
    client_for, given, mod, focal_point, django_capture_on_commit_callbacks
):
    def contributor():
        return client_for(mod)  # one test client: signed in again as each persona before their request

    def focal():
        return client_for(focal_point)

    contributor().post(form_url(given, "B"), form_b_data(given, stock_rows(2)))
    with django_capture_on_commit_callbacks(execute=True):
        response = contributor().post(reverse("reporting:form_ready", args=[given.pk, "B"]))
    assert response.status_code == 302 and response["Location"] == reverse("reporting:my_forms")
    assignment = FormAssignment.objects.get(report=given, form_code="B")
    assert assignment.status == "ready" and assignment.ready_at is not None
    assert [m.to for m in mail.outbox] == [[focal_point.email]]
    assert "Ministry of Defence" in mail.outbox[0].body and "Form B" in mail.outbox[0].subject
    # Handed back, the form is the focal point's: the contributor cannot change it, and keeps what they typed.
    followed = contributor().get(form_url(given, "B"), follow=True)
    assert "Form B is with the focal point" in page_text(followed)
    rows = [{"_id": "late", "type": "Late", "munitions": "1", "submunitions": "1", "qualifier": ""}]
    refused = contributor().post(form_url(given, "B"), form_b_data(given, rows))
    assert refused.status_code == 409 and input_value(refused, "t-stockpile-late-type") == "Late"

    # The focal point reads what changed since the form was given, marks it read, then nothing is new.
    url = reverse("reporting:form_handback", args=[given.pk, "B"])
    text = page_text(focal().get(url))
    assert "Ministry of Defence" in text and "Ready for the focal point" in text
    assert text.count("badge--row-added") == 2 and "Type 1" in text
    focal().post(reverse("reporting:form_seen", args=[given.pk, "B"]))
    assert "Nothing has changed in this form since you last looked." in page_text(focal().get(url))

    # Returned with a note on the second row: the contributor sees it at that row and can edit again.
    with django_capture_on_commit_callbacks(execute=True):
        response = focal().post(
            reverse("reporting:form_return", args=[given.pk, "B"]),
            {"place": "stockpile|s1", "body": "Is Type 1 really 100 submunitions?"},
        )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "returned"
    assert mail.outbox[-1].to == [mod.email] and "Is Type 1 really 100 submunitions?" in mail.outbox[-1].body
    page = page_text(contributor().get(form_url(given, "B")))
    row = page.index('<tr id="row-s1"')
    assert page.index("Is Type 1 really 100 submunitions?") > row
    assert "Is Type 1 really 100 submunitions?" not in page[:row]
    fixed = stock_rows(2)
    fixed[1]["submunitions"] = "90"
    given.refresh_from_db()
    assert contributor().post(form_url(given, "B"), form_b_data(given, fixed)).status_code == 302
    again = contributor().post(reverse("reporting:form_ready", args=[given.pk, "B"]), follow=True)
    assert "Form B is ready for the focal point" in page_text(again), page_text(again)[-3000:]
    assert FormNote.objects.get().resolved_at is not None
    # The focal point sees only the change made since their last look.
    text = page_text(focal().get(url))
    assert text.count("badge--row-changed") == 1 and "badge--row-added" not in text
    actions = list(
        AuditEntry.objects.for_object(given)
        .filter(action__startswith="reporting.report.form_")
        .order_by("id")
        .values_list("action", "actor__email")
    )
    assert actions[2:] == [
        ("reporting.report.form_ready", mod.email),
        ("reporting.report.form_returned", focal_point.email),
        ("reporting.report.form_note_added", focal_point.email),
        ("reporting.report.form_ready", mod.email),
    ]


def test_a_note_needs_words_and_a_place_of_the_form(client_for, given, focal_point):
    focal = client_for(focal_point)
    url = reverse("reporting:form_return", args=[given.pk, "B"])
    response = focal.post(url, {"place": "stockpile|no-such-row", "body": "Check."})
    assert response.status_code == 400
    response = focal.post(url, {"place": "|", "body": "   "})
    assert response.status_code == 400 and not FormNote.objects.exists()
    assert FormAssignment.objects.get(report=given, form_code="B").status == "in_progress"


def test_another_states_contributor_reaches_nothing_of_the_report(client_for, given):
    from accounts.models import Role
    from tests.factories import make_user

    stranger = make_user(Role.CONTRIBUTOR, iso3="AUS", organization="Defence", email="def@example.au")
    client = client_for(stranger)
    for url in (
        form_url(given, "B"),
        reverse("reporting:workbook_download", args=[given.pk]),
        reverse("reporting:workbook_upload", args=[given.pk]),
        given.get_absolute_url(),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reporting:form_ready", args=[given.pk, "B"])).status_code == 404
    assert "Initial report" not in page_text(client.get(reverse("reporting:my_forms")))


def test_only_the_states_focal_point_reads_and_returns_and_only_the_contributor_hands_back(
    client_for, given, mod, nra, other_focal_point, isu_staff
):
    handback = reverse("reporting:form_handback", args=[given.pk, "B"])
    assert client_for(other_focal_point).get(handback).status_code == 404
    assert client_for(isu_staff).get(handback).status_code == 403
    assert client_for(nra).get(handback).status_code == 404
    assert client_for(nra).post(reverse("reporting:form_ready", args=[given.pk, "B"])).status_code == 404
    assert FormAssignment.objects.get(report=given, form_code="B").status == "in_progress"


def test_a_contributor_of_a_returned_form_opening_and_saving_unchanged_leaves_it_identical(
    client_for, given, mod, focal_point
):
    client = client_for(mod)
    client.post(form_url(given, "B"), form_b_data(given, stock_rows(3)))
    services.mark_ready(report=given, form_code="B", actor=mod)
    services.return_form(report=given, form_code="B", actor=focal_point, body="Row 2?", field_key="stockpile")
    given.refresh_from_db()
    before, revision = given.draft, given.revision
    page = client.get(form_url(given, "B"))
    response = client.post(form_url(given, "B"), page_post(page), headers={"Accept": "application/json"})
    assert response.status_code == 200
    given.refresh_from_db()
    assert given.draft == before and given.revision == revision + 1
    assert not AuditEntry.objects.for_object(given).filter(action="reporting.report.saved", actor=mod).count() > 1


# --- The Excel round-trip of a contributor's forms ------------------------------------------------------------
def test_a_contributor_round_trips_their_forms_through_excel_and_nothing_else(client_for, given, mod, nra, focal_point):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting.workbook import download
    from tests.reporting.test_workbook import book_of, bytes_of

    client = client_for(mod)
    response = client.get(reverse("reporting:workbook_download", args=[given.pk]))
    assert response.status_code == 200
    book = book_of(response.content)
    tables = [name for name in book.sheetnames if name not in ("About", "_meta", "_lists")]
    assert tables and all(name.startswith("B ") for name in tables)  # Form B's tables only
    sheet = book["B stockpile"]
    sheet.append(["M77", 5, 50])
    upload = client.post(
        reverse("reporting:workbook_upload", args=[given.pk]),
        {"file": SimpleUploadedFile("mod.xlsx", bytes_of(book))},
    )
    assert upload.status_code == 302, re.findall(r"<li>[^<]*</li>", upload.content.decode())[:5]
    preview_url = upload["Location"]
    assert "M77" in page_text(client.get(preview_url))
    applied = client.post(preview_url + "apply/")
    assert applied["Location"] == reverse("reporting:my_forms")
    given.refresh_from_db()
    assert [row["type"] for row in given.draft["forms"]["B"]["tables"]["stockpile"]] == ["M77"]
    # The focal point's whole-report workbook is refused to the contributor, naming the other forms.
    whole = download.build_workbook(given)
    refused = client_for(mod).post(
        reverse("reporting:workbook_upload", args=[given.pk]), {"file": SimpleUploadedFile("all.xlsx", whole)}
    )
    assert refused.status_code == 400 and "forms that are not given to you (A, C, D" in page_text(refused)
    # Their uploads are theirs: the focal point sees them, another contributor does not.
    assert client_for(focal_point).get(preview_url).status_code == 200
    assert client_for(nra).get(preview_url).status_code == 404


def test_a_contributor_of_no_form_of_the_report_gets_no_workbook(client_for, given, nra, mod):
    services.mark_ready(report=given, form_code="B", actor=mod)
    assert client_for(mod).get(reverse("reporting:workbook_download", args=[given.pk])).status_code == 403
    assert client_for(nra).get(reverse("reporting:workbook_download", args=[given.pk])).status_code == 200


@pytest.mark.celery_worker
def test_hand_back_and_return_are_told_through_the_worker_once_each(real_worker, initial_report, focal_point, mod):
    from reporting.models import Notification
    from reporting.tasks import notify_team
    from tests.helpers import wait_for

    services.assign_form(report=initial_report, form_code="B", contributor=mod, due_on=None, actor=focal_point)
    assignment = services.mark_ready(report=initial_report, form_code="B", actor=mod)
    assert wait_for(lambda: [m.to for m in mail.outbox] == [[focal_point.email]]), "the focal point was not told"
    note = services.return_form(report=initial_report, form_code="B", actor=focal_point, body="Add the M77 rows.")
    assert wait_for(lambda: len(mail.outbox) == 2), "the contributor was not told"
    assert mail.outbox[1].to == [mod.email] and "Add the M77 rows." in mail.outbox[1].body
    # A duplicate delivery of either message sends nothing more.
    assert notify_team.delay(assignment.pk, "form_ready", assignment.ready_at.isoformat()).get(timeout=20) == 0
    assert notify_team.delay(assignment.pk, "form_returned", str(note.pk)).get(timeout=20) == 0
    assert len(mail.outbox) == 2 and Notification.objects.count() == 2


@pytest.mark.parametrize("rows", [1, 60])
def test_the_contributors_form_and_the_focal_points_reading_cost_the_same_whatever_the_rows(
    client_for, given, mod, focal_point, rows, django_assert_num_queries
):
    client_for(mod).post(form_url(given, "B"), form_b_data(given, stock_rows(rows)))
    client = client_for(mod)
    client.get(form_url(given, "B"))  # the reporting rules row is made on first use
    # The focal point's count (test_focal_views.FORM_QUERIES), and the contributor's forms of the report twice:
    # which they may change now, which the page shows.
    with django_assert_num_queries(9):
        assert client.get(form_url(given, "B")).status_code == 200
    client = client_for(focal_point)
    # Session, user, the report, the form's assignment with its notes (two), the form's notes' authors.
    with django_assert_num_queries(5):
        page = client.get(reverse("reporting:form_handback", args=[given.pk, "B"]))
    assert page_text(page).count("badge--row-added") == rows
