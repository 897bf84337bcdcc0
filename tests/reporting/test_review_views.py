"""The ISU review pages, as ISU staff and everyone else sees them."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from accounts.models import Role
from parties.models import State
from reporting import services
from reporting.formats import Choice
from reporting.models import ReportKind, ReportStatus, ReviewComment, VersionOutcome
from tests.factories import make_user
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

# Queries for one page, whatever the number of reports, States, rows or comments:
# session and user (the second factor is read from the session), then the page's own reads.
QUEUE_QUERIES = 4  # + the reviewers for the filter, the queue with its subqueries
# + report, versions, audit trail, the report compared with, comments, reviewer; and check_report's
# last accepted version, reporting rules, the deliveries recorded for the State and year (Form I) and
# the accepted version the draft was started from (forms marked unchanged that differ from it); who was given
# each form (reporting.selectors_team.form_contributors).
DETAIL_QUERIES = 12


# --- Building reports through the services ---------------------------------------------------------
def areas(n, *, prefix="a", start=0):
    return [
        {"_id": f"{prefix}{i}", "location": f"Village {i}", "area": str(1000 + i), "status": "confirmed"}
        for i in range(start, start + n)
    ]


def stockpile(n):
    return [{"_id": f"s{i}", "type": f"Type {i}", "munitions": str(10 + i), "submunitions": "100"} for i in range(n)]


def fill(report, *, area_rows=None, stock_rows=None):
    content = fill_minimal(report, form_b_stock=stock_rows)
    if area_rows is not None:
        content["forms"]["F"].update(choice=Choice.CHANGED, na_statement="")
        content["forms"]["F"]["narratives"]["programme"] = "Survey and clearance continue in the north."
        content["forms"]["F"]["tables"]["areas"] = area_rows
        # Contaminated areas: risk education and victim assistance apply too (else a cross-form warning).
        content["forms"]["G"].update(choice=Choice.CHANGED, na_statement="")
        content["forms"]["G"]["narratives"]["measures"] = "Risk education in the villages of the north."
        content["forms"]["H"].update(choice=Choice.CHANGED, na_statement="")
        content["forms"]["H"]["narratives"]["progress"] = "Survivors are registered by the national authority."
    return content


def submit(report, actor, content=None, **kwargs):
    report.refresh_from_db()
    content = content if content is not None else fill(report)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=actor)
    services.set_visibility(report=report, visibility="public", actor=actor)
    return services.submit_report(report=report, actor=actor, **kwargs)


def accepted_annual(state, focal, isu, year, **rows):
    report = services.start_report(state=state, kind=ReportKind.ANNUAL, period_year=year, actor=focal)
    submit(report, focal, fill(report, **rows))
    services.start_review(report=report, actor=isu)
    services.accept_report(report=report, actor=isu)
    return report


@pytest.fixture
def lao(reference_data):
    return State.objects.get(iso3="LAO")


@pytest.fixture
def submitted(focal_point, isu_staff, lao):
    """LAO's 2021 update, started from its accepted 2020 update, with Form F edited."""
    accepted_annual(lao, focal_point, isu_staff, 2020, area_rows=areas(2))
    report = services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2021, actor=focal_point, from_last_year=True
    )
    content = report.draft
    f = content["forms"]["F"]
    f["tables"]["areas"][0]["area"] = "600"  # a0 partly cleared
    f["tables"]["areas"].append({"_id": "new1", "location": "Phonsavan", "area": "2500", "status": "suspected"})
    f["narratives"]["programme"] = "Survey and clearance continue in the north and the south."
    submit(report, focal_point, content)
    report.refresh_from_db()
    return report


@pytest.fixture
def in_review(submitted, isu_staff):
    services.start_review(report=submitted, actor=isu_staff)
    comment = services.add_comment(
        report=submitted, actor=isu_staff, body="Why is a0 smaller?", form_code="F", field_key="areas", row_id="a0"
    )
    submitted.refresh_from_db()
    submitted.comment = comment
    return submitted


def page(response):
    return response.content.decode()


def text(response):
    """The visible text, tags stripped and spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page(response))).split())


# --- Who may see what --------------------------------------------------------------------------------
def _requests(report):
    pk, comment = report.pk, report.comment.pk
    return [
        ("get", reverse("reporting:review_queue"), {}),
        ("get", reverse("reporting:review_detail", args=[pk]), {}),
        ("post", reverse("reporting:comment_add", args=[pk]), {"form_code": "F", "body": "A question."}),
        ("post", reverse("reporting:comment_resolve", args=[pk, comment]), {}),
        ("post", reverse("reporting:review_request_changes", args=[pk]), {"reason": "Give the 2021 figures."}),
        ("post", reverse("reporting:review_start", args=[pk]), {}),
        ("post", reverse("reporting:review_accept", args=[pk]), {}),
        ("post", reverse("reporting:review_publish", args=[pk]), {}),
    ]


def test_isu_staff_use_every_review_page(client_for, isu_staff, in_review):
    client = client_for(isu_staff)
    detail = reverse("reporting:review_detail", args=[in_review.pk])
    for method, url, data in _requests(in_review):
        response = getattr(client, method)(url, data)
        if method == "get":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302 and response["Location"].startswith(detail), url


@pytest.mark.parametrize("persona", ["focal_point", "coordinator", "donor"])
def test_everyone_else_signed_in_is_refused(request, client_for, persona, in_review):
    client = client_for(request.getfixturevalue(persona))
    for method, url, data in _requests(in_review):
        assert getattr(client, method)(url, data).status_code == 403, url
    in_review.refresh_from_db()
    assert in_review.status == ReportStatus.UNDER_REVIEW
    assert ReviewComment.objects.filter(report=in_review).count() == 1


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client_for, isu_staff_without_2fa, in_review):
    client = client_for(isu_staff_without_2fa)
    for method, url, data in _requests(in_review):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/me/two-factor/"), url
    assert ReviewComment.objects.filter(report=in_review).count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client_for, in_review):
    client = client_for(None)
    for method, url, data in _requests(in_review):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_actions_are_post_only(client_for, isu_staff, in_review):
    client = client_for(isu_staff)
    for method, url, _data in _requests(in_review):
        if method == "post":
            assert client.get(url).status_code == 405, url
    in_review.refresh_from_db()
    assert in_review.status == ReportStatus.UNDER_REVIEW


def test_unknown_report_is_404(client_for, isu_staff):
    assert client_for(isu_staff).get(reverse("reporting:review_detail", args=[999999])).status_code == 404


def test_a_comment_of_another_report_is_404(client_for, isu_staff, in_review, other_focal_point):
    aus = services.start_report(
        state=other_focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=other_focal_point
    )
    submit(aus, other_focal_point)
    client = client_for(isu_staff)
    url = reverse("reporting:comment_resolve", args=[aus.pk, in_review.comment.pk])
    assert client.post(url).status_code == 404
    reply = {"parent": in_review.comment.pk, "body": "Reply in the wrong place."}
    assert client.post(reverse("reporting:comment_add", args=[aus.pk]), reply).status_code == 404
    in_review.comment.refresh_from_db()
    assert in_review.comment.is_open and not ReviewComment.objects.filter(report=aus).exists()


# --- The queue ---------------------------------------------------------------------------------------
def test_queue_lists_what_waits_with_dashboard(client_for, isu_staff, in_review, other_focal_point):
    aus = services.start_report(
        state=other_focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=other_focal_point
    )
    submit(aus, other_focal_point)
    response = client_for(isu_staff).get(reverse("reporting:review_queue"))
    assert response.status_code == 200
    body = text(response)
    # Dashboard strip: one per status, open queries, longest wait.
    assert "Submitted 1" in body and "Under review 1" in body and "Changes requested 0" in body
    assert "Open queries 1" in body and "Longest-waiting open query 0 days" in body
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", page(response), re.S)
    assert len(rows) == 2
    # Oldest submission first: LAO submitted before Australia.
    assert "Lao People" in rows[0] and "Australia" in rows[1]
    lao_row = " ".join(re.sub(r"<[^>]+>", " ", rows[0]).split())
    assert "2021" in lao_row and "Under review" in lao_row and "Version 1" in lao_row
    assert "30 Apr 2022" in lao_row and "Overdue" in lao_row
    assert "oldest waiting 0 days" in lao_row and isu_staff.get_full_name() in lao_row
    aus_row = " ".join(re.sub(r"<[^>]+>", " ", rows[1]).split())
    assert "Initial report" in aus_row and "Not taken yet" in aus_row


def test_queue_filters(client_for, isu_staff, in_review, other_focal_point):
    aus = services.start_report(
        state=other_focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=other_focal_point
    )
    submit(aus, other_focal_point)
    client = client_for(isu_staff)
    url = reverse("reporting:review_queue")

    def states(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [s for s in ("Lao People", "Australia") if f">{s}" in page(response)]

    assert states(status="submitted") == ["Australia"]
    assert states(status="under_review") == ["Lao People"]
    assert states(region="Pacific") == ["Australia"]
    assert states(region="Asia") == ["Lao People"]
    assert states(reviewer=str(isu_staff.pk)) == ["Lao People"]
    assert states(reviewer="none") == ["Australia"]
    assert states(overdue="yes") == ["Lao People", "Australia"]  # AUS initial report was due in 2013
    assert states(overdue="no") == []
    assert states(due_before="2022-04-30") == ["Australia"]
    assert states(due_before="2022-05-01") == ["Lao People", "Australia"]
    response = client.get(url, {"status": "nonsense", "due_before": "soon"})
    assert response.status_code == 400
    assert "There is a problem" in page(response) and "Enter a valid date" in page(response)


def test_queue_leaves_out_drafts_and_finished_reports(client_for, isu_staff, focal_point, lao):
    accepted_annual(lao, focal_point, isu_staff, 2019)
    services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2018, actor=focal_point)
    response = client_for(isu_staff).get(reverse("reporting:review_queue"))
    assert "Nothing to review" in page(response)


def _queue_of(count, isu):
    states = list(State.objects.filter(deposit_date__isnull=False).order_by("iso3")[:count])
    assert len(states) == count
    for index, state in enumerate(states):
        focal = make_user(Role.FOCAL_POINT, iso3=state.iso3, email=f"fp.{state.iso3.lower()}@example.org")
        report = services.start_report(state=state, kind=ReportKind.INITIAL, period_year=None, actor=focal)
        submit(report, focal)
        if index % 3:
            services.start_review(report=report, actor=isu)
            for n in range(index % 4):
                services.add_comment(report=report, actor=isu, body=f"Query {n}", form_code="A", field_key="summary")
        if index % 3 == 2:
            services.request_changes(report=report, actor=isu, reason="Complete Form A.")


@pytest.mark.parametrize("count", [3, 40])
def test_queue_runs_a_fixed_number_of_queries(client_for, isu_staff, django_assert_num_queries, count):
    _queue_of(count, isu_staff)
    client = client_for(isu_staff)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("reporting:review_queue"))
    assert page(response).count('<th scope="row">') == count


# --- The review page ---------------------------------------------------------------------------------
def test_review_page_shows_the_changes_side_by_side(client_for, isu_staff, submitted):
    response = client_for(isu_staff).get(reverse("reporting:review_detail", args=[submitted.pk]))
    assert response.status_code == 200
    html, body = page(response), text(response)
    assert "The State’s last accepted report: 2020, version 1." in body
    assert "Start review" in body and "Accept" not in re.findall(r"<button[^>]*>([^<]*)</button>", html)
    # Form F changed: open, with the row changes; the other forms are the same: folded.
    assert re.search(r'id="form-F"[^>]*>\s*<details class="review-details" open>', html)
    for code in "ABCDEGHIJ":
        assert re.search(rf'id="form-{code}"[^>]*>\s*<details class="review-details">', html), code
    row_a0 = re.search(r'<tr id="form-F-areas-a0".*?</tr>', html, re.S).group(0)
    assert "Changed" in row_a0 and "1000 m²" in row_a0 and "600 m²" in row_a0
    row_new = re.search(r'<tr id="form-F-areas-new1".*?</tr>', html, re.S).group(0)
    assert "Added" in row_new and "Phonsavan" in row_new
    assert "1 row added 0 removed 1 changed 1 unchanged" in body
    assert '<ins><span class="visually-hidden">[inserted:] </span> and the south</ins>.' in html
    # Every anchored place has its comment form.
    for anchor in ("cover", "form-F", "form-F-programme", "form-F-areas", "form-F-areas-a0", "report"):
        assert f'id="comment-body-{anchor}"' in html, anchor
    assert 'name="row_id" value="new1"' in html
    # Version history and audit trail.
    assert "Version 1" in body and "Awaiting review" in body
    assert "Submitted" in body and "Draft saved" in body and "Report started" in body


def test_cross_check_warnings_at_the_top_and_next_to_their_form(client_for, isu_staff, submitted, monkeypatch):
    from types import SimpleNamespace

    from reporting.views import review

    seen = {}

    def fake_check(report, cleaned=None):
        seen["cleaned"] = cleaned
        return [
            SimpleNamespace(code="cleared_gt", form_code="F", path="forms.F", message="Cleared exceeds contaminated.")
        ]

    monkeypatch.setattr(review, "check_report", fake_check)
    response = client_for(isu_staff).get(reverse("reporting:review_detail", args=[submitted.pk]))
    html = page(response)
    assert seen["cleaned"] == submitted.versions.get().content
    assert "1 cross-check to look at" in text(response)
    assert '<a href="#form-F">Form F</a>: Cleared exceeds contaminated.' in html
    form_f = html[html.index('id="form-F"') : html.index('id="form-G"')]
    assert "Cleared exceeds contaminated." in form_f and "1 warning" in form_f


def test_a_correction_is_compared_with_the_version_it_corrects(client_for, isu_staff, submitted, focal_point):
    services.start_review(report=submitted, actor=isu_staff)
    services.accept_report(report=submitted, actor=isu_staff)
    services.start_correction(report=submitted, actor=focal_point)
    submitted.refresh_from_db()
    content = submitted.draft
    content["forms"]["A"]["narratives"]["summary"] = "Law No. 12 of 2012 prohibits cluster munitions."
    submit(submitted, focal_point, content, correction_note="corrects the law's title in Form A")
    response = client_for(isu_staff).get(reverse("reporting:review_detail", args=[submitted.pk]))
    body = text(response)
    assert "Version 1 of this report (Accepted). This version corrects it." in body
    assert "corrects the law's title in Form A" in body
    html = page(response)
    assert re.search(r'id="form-A"[^>]*>\s*<details class="review-details" open>', html)
    assert re.search(r'id="form-G"[^>]*>\s*<details class="review-details">', html)
    # The reviewer may still compare with last year's report.
    response = client_for(isu_staff).get(
        reverse("reporting:review_detail", args=[submitted.pk]), {"compare": "last-year"}
    )
    assert "The State’s last accepted report: 2020, version 1." in text(response)


def test_an_initial_report_has_nothing_to_compare_with(client_for, isu_staff, focal_point, lao):
    report = services.start_report(state=lao, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)
    submit(report, focal_point)
    response = client_for(isu_staff).get(reverse("reporting:review_detail", args=[report.pk]))
    assert "There is no earlier accepted report of this State to compare with" in text(response)
    assert 'class="review-details">' not in page(response)  # every form open


def test_full_review_flow_through_the_pages(client_for, isu_staff, submitted, focal_point):
    client = client_for(isu_staff)
    detail = reverse("reporting:review_detail", args=[submitted.pk])

    response = client.post(reverse("reporting:review_start", args=[submitted.pk]), follow=True)
    assert "You are reviewing this report." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.UNDER_REVIEW and submitted.reviewer == isu_staff

    # A query on one row of Form F, anchored by its row id.
    response = client.post(
        reverse("reporting:comment_add", args=[submitted.pk]),
        {"form_code": "F", "field_key": "areas", "row_id": "a0", "body": "Where did the 400 m² go?"},
    )
    comment = ReviewComment.objects.get(report=submitted)
    assert response.status_code == 302 and response["Location"] == f"{detail}#comment-{comment.pk}"
    assert (comment.form_code, comment.field_key, comment.row_id, comment.author) == ("F", "areas", "a0", isu_staff)
    html = page(client.get(detail))
    thread = re.search(r'<tr class="comment-row" id="form-F-areas-a0-comments">.*?</tr>', html, re.S).group(0)
    assert "Where did the 400 m² go?" in thread and "Open" in thread and "Resolve" in thread
    assert "1 open comment" in html

    # An empty comment is refused and nothing is written.
    response = client.post(
        reverse("reporting:comment_add", args=[submitted.pk]), {"form_code": "F", "body": "  "}, follow=True
    )
    assert "Write the comment." in text(response)
    assert ReviewComment.objects.filter(report=submitted).count() == 1

    # Requesting changes needs a reason: refused with the error, nothing lost.
    response = client.post(reverse("reporting:review_request_changes", args=[submitted.pk]), {"reason": "   "})
    assert response.status_code == 400
    assert "There is a problem" in text(response) and "Say what the State must change." in text(response)
    assert "Where did the 400 m² go?" in page(response)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.UNDER_REVIEW

    response = client.post(
        reverse("reporting:review_request_changes", args=[submitted.pk]),
        {"reason": "Explain the smaller area in Form F."},
        follow=True,
    )
    assert "Changes requested." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.CHANGES_REQUESTED
    assert "Explain the smaller area in Form F." in text(response)

    # The State replies and resubmits.
    services.add_comment(report=submitted, actor=focal_point, body="400 m² were cleared in 2021.", parent=comment)
    content = submitted.draft
    content["forms"]["F"]["tables"]["cleared"] = [{"_id": "c1", "location": "Village 0", "area": "400"}]
    submit(submitted, focal_point, content)

    # The resubmission is compared with last year; version 1 is one choice away.
    response = client.post(reverse("reporting:review_start", args=[submitted.pk]), follow=True)
    body = text(response)
    assert "400 m² were cleared in 2021." in body
    assert "Version 1 of this report (Changes requested)" in body
    response = client.post(reverse("reporting:comment_resolve", args=[submitted.pk, comment.pk]), follow=True)
    assert "Comment marked as resolved." in text(response)
    comment.refresh_from_db()
    assert not comment.is_open and comment.resolved_by == isu_staff
    assert f"Resolved by {isu_staff.get_full_name()}" in text(response)

    response = client.post(reverse("reporting:review_accept", args=[submitted.pk]), follow=True)
    assert "Version 2 accepted." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.ACCEPTED
    assert submitted.versions.get(number=2).outcome == VersionOutcome.ACCEPTED

    response = client.post(reverse("reporting:review_publish", args=[submitted.pk]), follow=True)
    assert "Report published." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.PUBLISHED

    # The history says who did what, from what to what.
    body = text(client.get(detail))
    for line in (
        "Review started",
        "status : Submitted → to Under review",
        "Changes requested",
        "Explain the smaller area in Form F.",
        "Comment added",
        "Comment resolved",
        "status : Accepted → to Published",
    ):
        assert line in body, line
    assert "Changes requested" in body and "Version 2" in body


def test_a_refused_transition_is_explained(client_for, isu_staff, submitted):
    client = client_for(isu_staff)
    response = client.post(reverse("reporting:review_accept", args=[submitted.pk]), follow=True)
    assert "Only a report under review can be accepted." in text(response)
    response = client.post(
        reverse("reporting:review_request_changes", args=[submitted.pk]), {"reason": "Something."}, follow=True
    )
    assert "Changes can be requested only on a report under review." in text(response)
    response = client.post(reverse("reporting:review_publish", args=[submitted.pk]), follow=True)
    assert "Only an accepted report can be published." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_a_comment_on_an_unknown_field_is_refused(client_for, isu_staff, in_review):
    response = client_for(isu_staff).post(
        reverse("reporting:comment_add", args=[in_review.pk]),
        {"form_code": "F", "field_key": "nonsense", "body": "Hello"},
        follow=True,
    )
    assert "No such field in this form." in text(response)
    assert ReviewComment.objects.filter(report=in_review).count() == 1


def _detail_with_rows(count, focal, isu, lao):
    accepted_annual(lao, focal, isu, 2020, area_rows=areas(count), stock_rows=stockpile(count))
    report = services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2021, actor=focal, from_last_year=True
    )
    content = report.draft
    content["forms"]["F"]["tables"]["areas"][0]["area"] = "1"
    content["forms"]["F"]["tables"]["areas"] += areas(count, prefix="n", start=count)
    content["forms"]["B"]["tables"]["stockpile"].pop()
    submit(report, focal, content)
    services.start_review(report=report, actor=isu)
    for i in range(count):
        services.add_comment(
            report=report, actor=isu, body=f"Row {i}?", form_code="F", field_key="areas", row_id=f"a{i}"
        )
    return report


@pytest.mark.parametrize("count", [2, 300])
def test_review_page_runs_a_fixed_number_of_queries(
    client_for, isu_staff, focal_point, lao, django_assert_num_queries, count
):
    report = _detail_with_rows(count, focal_point, isu_staff, lao)
    client = client_for(isu_staff)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("reporting:review_detail", args=[report.pk]))
    html = page(response)
    assert html.count('<tr id="form-F-areas-') == 2 * count
    assert html.count('<tr id="form-B-stockpile-') == count
    assert f"{count} open comments" in html
