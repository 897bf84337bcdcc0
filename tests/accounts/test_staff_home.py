"""The ISU's users and invitations page (/isu/) at volume: every account a page at a time, one role's on asking,
the counts by role, and the same number of queries for a handful of accounts as for hundreds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.views import ACCOUNTS_PAGE_SIZE
from parties.models import State

pytestmark = pytest.mark.django_db


def focal_points(n: int) -> None:
    states = list(State.objects.exclude(deposit_date=None).order_by("iso3")[:25])
    User.objects.bulk_create(
        User(email=f"fp{i:03}@example.org", role=Role.FOCAL_POINT, state=states[i % len(states)]) for i in range(n)
    )


def listed(response) -> list[str]:
    body = response.content.decode()
    table = body[body.index('id="users-caption"') : body.index("</table>", body.index('id="users-caption"'))]
    return re.findall(r'<th scope="row">\s*([^<\s][^<]*?)\s*<', table)


def test_every_account_a_page_at_a_time_with_nothing_left_out(client_for, isu_staff, focal_point, coordinator):
    focal_points(2 * ACCOUNTS_PAGE_SIZE)
    client = client_for(isu_staff)
    expected = [u.full_name or u.email for u in User.objects.order_by("role", "email", "pk")]
    shown, number = [], 1
    while True:
        response = client.get("/isu/", {"page": number})
        assert response.status_code == 200
        page = listed(response)
        assert len(page) <= ACCOUNTS_PAGE_SIZE
        shown += page
        if 'rel="next"' not in response.content.decode():
            break
        number += 1
    assert shown == expected
    assert number == 3


def test_one_roles_accounts_with_the_counts_and_a_way_back(client_for, isu_staff, focal_point, coordinator):
    focal_points(3)
    response = client_for(isu_staff).get("/isu/", {"role": Role.COORDINATOR})
    body = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == [coordinator.full_name or coordinator.email]
    assert "Accounts: Thematic coordinator" in body
    assert 'href="/isu/#users-title">All accounts</a>' in body
    # The counts by role stay those of every active account, each a link to its role's accounts.
    stats = dict(
        re.findall(r'<dt><a href="\?role=(\w+)#users-title"[^>]*>[^<]+</a></dt>\s*<dd class="stat-value">(\d+)', body)
    )
    assert stats[Role.FOCAL_POINT] == "4" and stats[Role.COORDINATOR] == "1" and stats[Role.ISU_STAFF] == "1"
    assert 'href="?role=coordinator#users-title" aria-current="true"' in body


def test_an_unknown_role_is_refused(client_for, isu_staff):
    assert client_for(isu_staff).get("/isu/", {"role": "emperor"}).status_code == 400


def test_the_page_costs_the_same_for_a_few_accounts_as_for_hundreds(client_for, isu_staff, focal_point):
    client = client_for(isu_staff)

    def queries() -> int:
        client.get("/isu/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/isu/").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    focal_points(300)
    # The session and the user; the pending invitations, the counts by role, the number of accounts, one page of
    # them and their thematic areas.
    assert few == queries() == 7
