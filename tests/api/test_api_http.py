"""What every answer of the open-data API shares (api/http.py, api/pagination.py, api/v1.py): the OpenAPI
document and its docs, one page shape with absolute links, conditional GET, the rate limit, CORS, and the
same answer for everyone (the API reads as the public)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parties.models import Meeting, MeetingKind

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings"


def test_the_openapi_document_describes_every_operation(client, reference_data):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    repeated = []

    def no_repeated_keys(pairs):
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    document = json.loads(response.content, object_pairs_hook=no_repeated_keys)
    assert repeated == [], "a key given twice (200 and '200') makes the docs page refuse the document"
    assert document["openapi"].startswith("3.")
    assert document["info"]["version"] == "1"
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert len(operations) >= 15
    assert {method for _, method, _ in operations} == {"get"}, "read-only"
    for path, _method, operation in operations:
        assert path.startswith("/api/v1/"), path
        assert operation.get("summary") and operation.get("description"), f"{path} says what it answers"
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{path}: parameter {parameter['name']} is described"


def test_the_docs_page_is_served_from_the_portal(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/api/v1/openapi.json" in page
    assert "cdn" not in page.lower(), "no script from elsewhere: the CSP allows the portal's own only"


def test_a_list_is_one_shape_with_absolute_links(client, reference_data):
    first = client.get(MEETINGS, {"page_size": 2}, HTTP_HOST="data.example.org").json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == Meeting.objects.count() > 4
    assert len(first["results"]) == 2 and first["previous"] is None
    assert first["next"].startswith("http://data.example.org/api/v1/meetings?")
    second = client.get(first["next"].removeprefix("http://data.example.org"), HTTP_HOST="data.example.org").json()
    assert second["previous"].startswith("http://data.example.org/api/v1/meetings?")
    assert {m["code"] for m in first["results"]}.isdisjoint({m["code"] for m in second["results"]})
    last_page = (first["count"] + 1) // 2
    last = client.get(MEETINGS, {"page_size": 2, "page": last_page}).json()
    assert last["next"] is None and last["results"]


def test_a_page_past_the_end_is_empty_and_a_bad_page_is_refused(client, reference_data):
    assert client.get(MEETINGS, {"page": 999}).json()["results"] == []
    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 100_000}, {"page": "x"}):
        response = client.get(MEETINGS, bad)
        assert response.status_code == 422, bad
        assert response.json()["detail"]


@pytest.fixture(autouse=True)
def _another_host(settings):
    """A host the portal serves besides the test server's, to show links follow the request's host."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "data.example.org"]


def test_an_unchanged_answer_is_a_304_and_a_change_gives_a_new_one(
    client, reference_data, django_capture_on_commit_callbacks
):
    first = client.get(MEETINGS)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = client.get(MEETINGS, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert client.get(MEETINGS, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(MEETINGS + "?page_size=3", HTTP_IF_NONE_MATCH=etag).status_code == 200, "another address"
    assert client.get(MEETINGS, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # as the write's commit would
        Meeting.objects.create(
            code="99MSP", name="Ninety-ninth Meeting", kind=MeetingKind.MSP, start_date=dt.date(2099, 9, 1)
        )
    changed = client.get(MEETINGS, {"page_size": 500}, HTTP_IF_NONE_MATCH=etag)
    assert client.get(MEETINGS, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "99MSP" in {m["code"] for m in changed.json()["results"]}


def test_the_next_day_is_a_new_answer_even_when_no_data_changed(client, reference_data, set_today):
    set_today(dt.date(2026, 12, 6))
    etag = client.get(MEETINGS)["ETag"]
    set_today(dt.date(2026, 12, 7))
    assert client.get(MEETINGS, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_over_the_rate_limit_the_api_answers_429_with_when_to_try_again(client, reference_data, settings):
    settings.CCM_RATE_LIMITS = {**settings.CCM_RATE_LIMITS, "api": "3/m/ip", "api_user": "3/m/ip"}
    cache.clear()
    assert [client.get(MEETINGS).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(MEETINGS)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "60 seconds" in refused.json()["detail"]
    other_address = client.get(MEETINGS, REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200, "counted per address"


def test_any_site_may_read_the_api_from_a_script(client, reference_data):
    response = client.get(MEETINGS, HTTP_ORIGIN="https://research.example.edu")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        MEETINGS, HTTP_ORIGIN="https://research.example.edu", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_the_api_writes_nothing(client, reference_data):
    assert client.post(MEETINGS, {}).status_code == 405
    assert client.delete(MEETINGS).status_code == 405


def test_signed_in_or_not_everyone_gets_the_same_answer(client_for, isu_staff, focal_point, reference_data):
    answers = set()
    for user in (None, focal_point, isu_staff):
        client = client_for(user)
        for url in (MEETINGS, "/api/v1/states?page_size=500", "/api/v1/reports?page_size=500"):
            answers.add((user is None, url, client.get(url).content))
    by_url = {}
    for _, url, content in answers:
        by_url.setdefault(url, set()).add(content)
    assert all(len(contents) == 1 for contents in by_url.values()), "the API reads as the public for everyone"


def test_every_page_links_the_api_its_docs_and_the_data_package(client, reference_data):
    page = client.get(reverse("parties:state_list")).content.decode()
    for href in ("/api/v1/docs/", "/api/v1/openapi.json", "/api/v1/open-data/datapackage.json"):
        assert f'href="{href}"' in page


def test_an_answer_is_kept_for_every_reader_until_the_public_data_changes(
    client_for, focal_point, reference_data, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The API reads as the public, so an answer rendered once serves anyone, signed in or not, with no query,
    until a committed change moves the public data's version (ccm_portal.core.page_cache.shared_answer)."""
    settings.CCM_PAGE_CACHE_SECONDS = 600
    cache.clear()
    first = Client().get(MEETINGS, {"page_size": 500})
    with django_assert_num_queries(0):
        again = Client().get(MEETINGS, {"page_size": 500})
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]
    signed_in = client_for(focal_point)
    with CaptureQueriesContext(connection) as read:  # the portal's middleware reads the session and the user
        assert signed_in.get(MEETINGS, {"page_size": 500}).json() == first.json()
    assert [q["sql"].split('"')[1] for q in read.captured_queries] == ["django_session", "accounts_user"]

    with django_capture_on_commit_callbacks(execute=True):
        Meeting.objects.create(
            code="99MSP", name="Ninety-ninth Meeting", kind=MeetingKind.MSP, start_date=dt.date(2099, 9, 1)
        )
    changed = Client().get(MEETINGS, {"page_size": 500})
    assert "99MSP" in {m["code"] for m in changed.json()["results"]}
    assert changed["ETag"] != first["ETag"]


def test_kept_answers_and_304s_count_against_the_rate_limit(client, reference_data, settings):
    settings.CCM_PAGE_CACHE_SECONDS = 600
    settings.CCM_RATE_LIMITS = {**settings.CCM_RATE_LIMITS, "api": "3/m/ip"}
    cache.clear()
    etag = client.get(MEETINGS)["ETag"]  # rendered and kept
    assert client.get(MEETINGS).status_code == 200  # from the cache
    assert client.get(MEETINGS, HTTP_IF_NONE_MATCH=etag).status_code == 304
    refused = client.get(MEETINGS)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert client.get(MEETINGS, HTTP_IF_NONE_MATCH=etag).status_code == 429
    assert client.get(MEETINGS, REMOTE_ADDR="192.0.2.7").status_code == 200, "counted per address"
