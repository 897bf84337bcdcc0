"""The ISU's review queue at volume: each row is put into words once in the view (no tag per cell), shows what
the reviewer needs, follows every committed change on the next request (a reviewer's new name too: the rows
and filter fields rendered once per process are kept by all they show), the filters narrow the whole queue as
the reports' own due dates and reviewers say, and the page runs the same number of queries for a few reports as
for many, filtered or not."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import selectors, services
from reporting.models import Report, ReportKind, ReviewComment
from tests.reporting.test_review_views import (  # noqa: F401 (fixtures)
    QUEUE_QUERIES,
    _queue_of,
    in_review,
    lao,
    page,
    submit,
    submitted,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("reporting:review_queue")


def rows(response) -> list[str]:
    """Each row of the queue as its visible text."""
    found = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", page(response), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in found]


def test_a_row_shows_the_report_its_wait_its_queries_and_its_reviewer(client_for, isu_staff, in_review):  # noqa: F811
    response = client_for(isu_staff).get(QUEUE)
    body = page(response)
    assert f'<a href="{reverse("reporting:review_detail", args=[in_review.pk])}">Lao People' in body
    assert '<tr class="is-overdue">' in body and '<time datetime="2022-04-30">30 Apr 2022</time>' in body
    assert '<span class="badge badge--under_review">Under review</span>' in body
    (row,) = rows(response)
    assert row.startswith("Lao People's Democratic Republic , 2021 LAO · Asia 2021 Annual update Under review")
    assert "Version 1 submitted" in row and "30 Apr 2022 Overdue" in row
    assert "0 days 1 oldest waiting 0 days" in row and row.endswith(isu_staff.get_full_name())


def test_a_committed_change_shows_on_the_next_request(
    client_for,
    isu_staff,
    in_review,  # noqa: F811
    other_focal_point,
    django_capture_on_commit_callbacks,
):
    client = client_for(isu_staff)
    assert len(rows(client.get(QUEUE))) == 1
    with django_capture_on_commit_callbacks(execute=True):
        aus = services.start_report(
            state=other_focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=other_focal_point
        )
        submit(aus, other_focal_point)
    listed = rows(client.get(QUEUE))
    assert len(listed) == 2 and listed[1].startswith("Australia")
    assert "Initial report" in listed[1] and "Submitted" in listed[1] and listed[1].endswith("Not taken yet")

    with django_capture_on_commit_callbacks(execute=True):
        services.start_review(report=aus, actor=isu_staff)
    assert rows(client.get(QUEUE))[1].endswith(isu_staff.get_full_name())


@pytest.mark.parametrize("count", [3, 40])
def test_the_filtered_queue_runs_a_fixed_number_of_queries(client_for, isu_staff, django_assert_num_queries, count):
    _queue_of(count, isu_staff)
    client = client_for(isu_staff)
    with django_assert_num_queries(QUEUE_QUERIES):  # the whole queue read once, for the figures and the rows
        response = client.get(QUEUE, {"overdue": "yes"})
    assert response.status_code == 200
    assert len(rows(response)) == count  # every initial report of these States is overdue


def test_a_rows_values_are_the_reports_own(isu_staff):
    _queue_of(12, isu_staff)
    today = timezone.localdate()
    rows = selectors.review_queue(today=today)
    reports = {r.pk: r for r in Report.objects.filter(status__in=selectors.QUEUE_STATUSES).select_related("state")}
    assert sorted(r.pk for r in rows) == sorted(reports)
    for row in rows:
        report = reports[row.pk]
        latest = report.versions.order_by("-number").first()
        queries = ReviewComment.objects.filter(report=report, parent__isnull=True, resolved_at__isnull=True)
        assert (row.state_name, row.state_iso3, row.state_region) == (
            report.state.name,
            report.state.iso3,
            report.state.region,
        )
        assert (row.status, row.kind, row.period_year, row.is_initial) == (
            report.status,
            report.kind,
            report.period_year,
            report.is_initial,
        )
        assert row.due == report.due_date and row.is_overdue == (report.due_date < today)
        assert (row.latest_version_number, row.latest_submitted_at) == (latest.number, latest.submitted_at)
        assert row.open_queries == queries.count()
        oldest = queries.order_by("created_at").first()
        assert row.oldest_query_at == (oldest.created_at if oldest else None)
        assert row.reviewer_name == (report.reviewer.get_full_name() if report.reviewer else "")
    assert any(r.open_queries > 1 for r in rows) and any(r.reviewer_id is None for r in rows)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "under_review"}, lambda r, isu: r.status == "under_review"),
        ({"status": "changes_requested"}, lambda r, isu: r.status == "changes_requested"),
        ({"region": "Europe"}, lambda r, isu: r.state.region == "Europe"),
        ({"reviewer": "none"}, lambda r, isu: r.reviewer_id is None),
        ({"reviewer": "isu"}, lambda r, isu: r.reviewer_id == isu.pk),
        ({"overdue": "no"}, lambda r, isu: not r.due_date or r.due_date >= timezone.localdate()),
        ({"due_before": "2012-01-01"}, lambda r, isu: r.due_date < dt.date(2012, 1, 1)),
    ],
)
def test_each_filter_narrows_the_whole_queue_to_the_matching_reports(client_for, isu_staff, filters, expected):
    _queue_of(12, isu_staff)
    if filters.get("reviewer") == "isu":
        filters = {"reviewer": str(isu_staff.pk)}
    response = client_for(isu_staff).get(QUEUE, filters)
    assert response.status_code == 200
    matching = [
        r
        for r in Report.objects.filter(status__in=selectors.QUEUE_STATUSES).select_related("state")
        if expected(r, isu_staff)
    ]
    links = re.findall(r'<a href="/isu/reviews/(\d+)/">', page(response))
    assert sorted(int(pk) for pk in links) == sorted(r.pk for r in matching)
    assert f"{len(matching)} report" in page(response)
    all_reports = Report.objects.filter(status__in=selectors.QUEUE_STATUSES).count()
    assert 0 < len(matching) < all_reports or filters.get("overdue") == "no"


def test_a_reviewers_new_name_shows_in_the_rows_and_the_filter_on_the_next_request(
    client_for,
    isu_staff,
    in_review,  # noqa: F811
):
    client = client_for(isu_staff)
    before = page(client.get(QUEUE))
    assert f">{isu_staff.get_full_name()}</option>" in before and rows(client.get(QUEUE))[0].endswith(
        isu_staff.get_full_name()
    )
    isu_staff.full_name = "Renamed Reviewer"
    isu_staff.save(update_fields=["full_name"])
    after = client.get(QUEUE)
    assert ">Renamed Reviewer</option>" in page(after) and rows(after)[0].endswith("Renamed Reviewer")
    assert rows(client.get(QUEUE, {"status": "under_review"}))[0].endswith("Renamed Reviewer")


def test_a_filtered_page_keeps_what_was_chosen_and_the_unfiltered_page_does_not(client_for, isu_staff, in_review):  # noqa: F811
    client = client_for(isu_staff)
    chosen = page(client.get(QUEUE, {"region": "Asia", "reviewer": "none"}))
    assert '<option value="Asia" selected>Asia</option>' in chosen
    assert '<option value="none" selected>Not taken into review yet</option>' in chosen
    plain = page(client.get(QUEUE))
    assert '<option value="Asia">Asia</option>' in plain and '<option value="" selected>All regions</option>' in plain
    assert "No report matches these filters" in chosen  # LAO's report is taken by the ISU officer
