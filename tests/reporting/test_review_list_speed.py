"""The ISU's review queue at volume: each row is put into words once in the view (no tag per cell), shows what
the reviewer needs, follows every committed change on the next request, and the page runs the same number of
queries for a few reports as for many, filtered or not."""

import html
import re

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import ReportKind
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
    with django_assert_num_queries(QUEUE_QUERIES + 1):  # the whole queue again, for the figures
        response = client.get(QUEUE, {"overdue": "yes"})
    assert response.status_code == 200
    assert len(rows(response)) == count  # every initial report of these States is overdue
