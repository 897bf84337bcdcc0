"""Public pages rendered once per change of the public data (ccm_portal/core/page_cache.py): a repeat costs no
query, every answer has its own CSP nonce and CSRF token, a committed change or a new day shows at once, signed-in
readers and readers with a message waiting get their own page, and a reader who has the page gets 304."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ccm_portal.core import data_version
from parties.models import Meeting, MeetingKind, State

pytestmark = pytest.mark.django_db

NONCE_IN_PAGE = re.compile(r'nonce="([^"]+)"')
TOKEN_IN_PAGE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """The tests' settings turn the page cache off (a write inside a test's transaction never commits, so never
    moves the data version); here it is on, and changes are committed as they would be in production."""
    settings.CCM_PAGE_CACHE_SECONDS = 600


def _nonces(response) -> tuple[set[str], str]:
    body = response.content.decode()
    return set(NONCE_IN_PAGE.findall(body)), response["Content-Security-Policy"]


def test_a_repeat_visit_is_served_without_a_query_and_shows_the_same_page(
    reference_data, client: Client, django_assert_num_queries
):
    first = client.get("/states/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = Client().get("/states/")
    assert again.status_code == 200
    assert "Lao People" in again.content.decode()
    strip = lambda r: TOKEN_IN_PAGE.sub("", NONCE_IN_PAGE.sub("", r.content.decode()))  # noqa: E731
    assert strip(again) == strip(first), "the page from the cache is the page rendered"


def test_every_answer_has_its_own_nonce_in_the_page_and_in_its_policy(reference_data):
    answers = [Client().get("/states/") for _ in range(3)]
    seen = []
    for response in answers:
        nonces, policy = _nonces(response)
        assert len(nonces) == 1, "one nonce per page"
        (nonce,) = nonces
        assert f"'nonce-{nonce}'" in policy, "the nonce in the page is the one the policy allows"
        assert "ccm-nonce-" not in response.content.decode(), "no placeholder left"
        seen.append(nonce)
    assert len(set(seen)) == 3, "never the same nonce twice"


def test_the_language_switcher_works_from_a_page_served_from_the_cache(reference_data):
    Client().get("/states/")  # rendered and kept
    reader = Client(enforce_csrf_checks=True)
    page = reader.get("/states/")
    tokens = TOKEN_IN_PAGE.findall(page.content.decode())
    assert tokens and all(not token.startswith("ccm-csrf-") for token in tokens)
    assert reader.cookies.get("csrftoken"), "the cookie the token belongs to is set"
    switched = reader.post("/i18n/setlang/", {"language": "fr", "next": "/states/", "csrfmiddlewaretoken": tokens[0]})
    assert switched.status_code == 302, "the token of a cached page is accepted"
    assert reader.cookies["django_language"].value == "fr"


def test_a_committed_change_shows_on_the_next_request(reference_data, django_capture_on_commit_callbacks):
    assert "Utopia" not in Client().get("/states/LAO/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        State.objects.filter(iso3="LAO").update(name="Utopia")
        data_version.bump()  # a queryset update sends no signal: its service bumps, as here
    assert "Utopia" in Client().get("/states/LAO/").content.decode()


def test_a_saved_model_moves_the_page_by_itself(reference_data, django_capture_on_commit_callbacks):
    Client().get("/meetings/")
    with django_capture_on_commit_callbacks(execute=True):
        Meeting.objects.create(
            code="99MSP",
            name="Ninety-ninth Meeting of States Parties",
            kind=MeetingKind.MSP,
            start_date=dt.date(2099, 9, 1),
            end_date=dt.date(2099, 9, 3),
        )
    assert "Ninety-ninth" in Client().get("/meetings/").content.decode()


def test_a_new_day_renders_the_page_again(reference_data, set_today):
    set_today(dt.date(2026, 6, 1))
    Client().get("/states/")
    set_today(dt.date(2026, 6, 2))
    with CaptureQueriesContext(connection) as queries:
        Client().get("/states/")
    assert queries.captured_queries, "rendered again: it reads the States"


def test_a_signed_in_reader_gets_their_own_page(reference_data, client_for, focal_point):
    Client().get("/states/")
    page = client_for(focal_point).get("/states/").content.decode()
    assert focal_point.get_full_name() in page, "their name in the header, not the anonymous page"


def test_the_public_page_never_shows_a_signed_in_readers_page(reference_data, client_for, focal_point):
    client_for(focal_point).get("/states/")
    page = Client().get("/states/").content.decode()
    assert focal_point.get_full_name() not in page
    assert "Sign in" in page


def test_a_message_waiting_is_shown_once(reference_data, client_for, focal_point):
    Client().get("/states/")  # the page without a message is in the cache
    reader = client_for(focal_point)
    reader.post("/accounts/logout/")  # signed out: "You have signed out." waits for the next page
    page = reader.get("/states/").content.decode()
    assert "You have signed out." in page
    assert "You have signed out." not in reader.get("/states/").content.decode(), "shown once"


def test_a_refused_filter_is_not_kept_and_has_a_real_nonce(reference_data):
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get("/reports/?period=not-a-year")
        assert response.status_code == 400
        assert queries.captured_queries, "rendered each time, never kept"
        (nonce,), policy = _nonces(response)
        assert f"'nonce-{nonce}'" in policy
        assert "ccm-csrf-" not in response.content.decode()


def test_json_twins_are_kept_too(reference_data, django_assert_num_queries):
    first = Client().get("/states/?format=json")
    assert first["Content-Type"].startswith("application/json")
    with django_assert_num_queries(0):
        again = Client().get("/states/?format=json")
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]


def test_a_reader_who_has_the_page_gets_304_without_a_query_until_it_changes(
    reference_data, django_assert_num_queries, django_capture_on_commit_callbacks
):
    reader = Client()
    reader.get("/states/")  # a first visit: the CSRF cookie is set
    first = reader.get("/states/")
    etag = first["ETag"]
    with django_assert_num_queries(0):
        same = reader.get("/states/", headers={"if-none-match": etag})
    assert same.status_code == 304
    assert "Content-Security-Policy" not in same, "the browser keeps the policy that matches the page it has"
    with django_capture_on_commit_callbacks(execute=True):
        State.objects.filter(iso3="LAO").update(name="Utopia")
        data_version.bump()
    changed = reader.get("/states/", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert "Utopia" in changed.content.decode()
    assert changed["ETag"] != etag


def test_the_etag_follows_the_csrf_cookie_the_page_belongs_to(reference_data):
    one, two = Client(), Client()
    one.get("/states/")
    two.get("/states/")
    first = one.get("/states/")
    other = two.get("/states/")
    assert first["ETag"] != other["ETag"], "a page's token belongs to its reader's cookie"
    assert one.get("/states/", headers={"if-none-match": other["ETag"]}).status_code == 200


def test_off_when_the_setting_is_zero(reference_data, settings, django_assert_num_queries):
    settings.CCM_PAGE_CACHE_SECONDS = 0
    Client().get("/states/")
    response = Client().get("/states/")
    assert "ETag" not in response
