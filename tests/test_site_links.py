"""Absolute links point where the portal is served (ccm_portal/core/links.py): CCM_SITE_URL when it is set, else
the host and port of the request — for a page, and for the e-mail a task sends after the request enqueued it
(in-process, and through a real worker, the origin carried in the task's message)."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Invitation, Role
from ccm_portal.core import links
from parties.models import State
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db

SERVED = "http://testserver:8123"  # the test client's host, on a port other than the default
SITE = "https://portal.example.org"
CASES = [pytest.param("", SERVED, id="CCM_SITE_URL unset"), pytest.param(SITE, SITE, id="CCM_SITE_URL set")]


def chad() -> State:
    return State.objects.get(iso3="TCD")


@pytest.fixture
def served_client(client_for):
    """``served_client(user)``: the test client signed in as ``user``, on host testserver:8123."""

    def sign_in(user):
        client = client_for(user)
        client.defaults["HTTP_HOST"] = "testserver:8123"
        return client

    return sign_in


@pytest.mark.parametrize(("site_url", "origin"), CASES)
def test_the_citation_box_links_to_where_the_portal_is_served(settings, served_client, site_url, origin):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_reports", force=True, stdout=io.StringIO())
    settings.CCM_SITE_URL = site_url
    html = served_client(None).get("/reports/LAO/2024/v1/").content.decode()
    address = f"{origin}/reports/LAO/2024/v1/"
    assert f'<link rel="canonical" href="{address}">' in html
    assert re.search(rf'id="cite-text">[^<]*{re.escape(address)} \(accessed', html), "the citation names it"
    assert "http://testserver/" not in html and "127.0.0.1" not in html
    # The origin lasts as long as the request: nothing served leaks into what runs next.
    assert links.site_url() == (site_url or links.FALLBACK)


@pytest.mark.parametrize(("site_url", "origin"), CASES)
def test_the_invitation_e_mail_links_to_where_the_portal_is_served(
    settings, served_client, isu_staff, django_capture_on_commit_callbacks, site_url, origin
):
    settings.CCM_SITE_URL = site_url
    with django_capture_on_commit_callbacks(execute=True):
        response = served_client(isu_staff).post(
            "/isu/invitations/new/",
            {
                "email": "new.fp@example.org",
                "full_name": "New Focal Point",
                "role": "focal_point",
                "state": chad().pk,
            },
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert re.search(rf"{re.escape(origin)}/invitations/[^\s/]+/", message.body), message.body
    assert "http://testserver/" not in message.body and "127.0.0.1" not in message.body


@pytest.mark.parametrize(("site_url", "origin"), CASES)
def test_calendar_feed_addresses_point_where_the_portal_is_served(
    settings, served_client, focal_point, site_url, origin
):
    settings.CCM_SITE_URL = site_url
    client = served_client(focal_point)
    client.post("/me/calendar/new/", {"state": "LAO"})
    html = client.get("/me/calendar/").content.decode()
    assert re.search(rf'value="{re.escape(origin)}/calendar/[^"]+\.ics"', html)


@pytest.mark.celery_worker
def test_a_worker_builds_links_from_the_origin_of_the_request_that_enqueued_the_task(settings, real_worker, isu_staff):
    """The worker runs in its own thread and context: only the task's message can tell it the origin."""
    from accounts import services

    settings.CCM_SITE_URL = ""
    with links.served_from(SERVED):  # as while a request on testserver:8123 is served
        invitation = services.create_invitation(
            email="via.worker@example.org",
            role=Role.FOCAL_POINT,
            state=State.objects.get(iso3="TCD"),
            invited_by=isu_staff,
        )
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the invitation"
    assert f"{SERVED}/invitations/" in mail.outbox[0].body
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
    # A task no request started (beat, a shell) links to the fallback origin.
    other = services.create_invitation(
        email="no.request@example.org", role=Role.FOCAL_POINT, state=chad(), invited_by=isu_staff
    )
    assert wait_for(lambda: len(mail.outbox) == 2), "the worker did not send the second invitation"
    assert f"{links.FALLBACK}/invitations/" in mail.outbox[1].body
    assert other.email in mail.outbox[1].to


def test_a_host_the_portal_does_not_serve_gives_no_origin(rf, settings):
    settings.CCM_SITE_URL = ""
    request = rf.get("/", HTTP_HOST="attacker.example")
    assert links.origin_of(request) is None
    assert links.site_url(request) == links.FALLBACK
