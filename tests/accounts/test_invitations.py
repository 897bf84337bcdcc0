"""ISU staff invite people; the invitation fixes role and State; there is no open sign-up."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Role, ThematicArea, User
from audit.models import AuditEntry
from parties.models import State

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitations/[^\s\"<]+/)", message.body).group(1)


def invite(isu_staff, **fields) -> Invitation:
    defaults = {"email": "new.fp@example.org", "role": Role.FOCAL_POINT, "state": State.objects.get(iso3="TCD")}
    return services.create_invitation(invited_by=isu_staff, **(defaults | fields))


def test_isu_staff_invite_a_focal_point_from_the_staff_page(client_for, isu_staff, django_capture_on_commit_callbacks):
    client = client_for(isu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/isu/invitations/new/",
            {
                "email": "Focal.Point@Example.org",
                "full_name": "A. Person",
                "role": "focal_point",
                "state": State.objects.get(iso3="TCD").pk,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "focal.point@example.org"
    assert invitation.state.iso3 == "TCD"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["focal.point@example.org"]
    assert "National focal point" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="accounts.invitation.created", actor=isu_staff).exists()
    assert "focal.point@example.org" in client.get("/isu/").content.decode()


def test_invitation_form_keeps_what_was_typed_and_explains_the_error(client_for, isu_staff):
    response = client_for(isu_staff).post(
        "/isu/invitations/new/", {"email": "someone@example.org", "full_name": "Kept Name", "role": "focal_point"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "A national focal point acts for one State" in html
    assert 'value="someone@example.org"' in html and 'value="Kept Name"' in html
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"role": Role.COORDINATOR, "state": None}, "thematic_areas", "at least one thematic area"),
        ({"role": Role.DONOR, "state": None}, "organization", "a State or an organization"),
        ({"role": Role.ISU_STAFF}, "state", "not attached to a State"),
    ],
)
def test_role_invariants_are_enforced(isu_staff, fields, field, message):
    with pytest.raises(Exception) as error:
        invite(isu_staff, **fields)
    assert message in str(error.value.message_dict[field])


def test_cannot_invite_someone_who_already_has_an_account(isu_staff, focal_point):
    with pytest.raises(Exception) as error:
        invite(isu_staff, email=focal_point.email.upper())
    assert "already has an account" in str(error.value)


def test_accepting_creates_the_account_with_the_invited_role(client, isu_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(
            isu_staff,
            role=Role.COORDINATOR,
            state=None,
            thematic_areas=ThematicArea.objects.filter(code="victim-assistance"),
        )
    url = link_in(mail.outbox[0])
    page = client.get(url)
    assert page.status_code == 200
    assert "new.fp@example.org" in page.content.decode()
    response = client.post(
        url, {"full_name": "New Coordinator", "password1": "a long passphrase 42", "password2": "a long passphrase 42"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    user = User.objects.get(email="new.fp@example.org")
    assert user.role == Role.COORDINATOR
    assert [a.code for a in user.thematic_areas.all()] == ["victim-assistance"]
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.user == user
    # The link works once.
    assert client.get(url).status_code == 404


def test_weak_password_is_refused_and_nothing_is_created(client, isu_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(isu_staff)
    url = link_in(mail.outbox[0])
    response = client.post(url, {"full_name": "Kept", "password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "too common" in response.content.decode() or "too short" in response.content.decode()
    assert 'value="Kept"' in response.content.decode()
    assert not User.objects.filter(email="new.fp@example.org").exists()


def test_expired_revoked_and_forged_links_are_404(client, isu_staff):
    invitation = invite(isu_staff)
    token = services.invitation_token(invitation)
    assert client.get(f"/invitations/{token}/").status_code == 200
    assert client.get(f"/invitations/{token}x/").status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"/invitations/{token}/").status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    services.revoke_invitation(invitation=invitation, actor=isu_staff)
    assert client.get(f"/invitations/{token}/").status_code == 404


def test_resending_voids_the_old_link(client_for, isu_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(isu_staff)
    old = link_in(mail.outbox[0])
    client = client_for(isu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/isu/invitations/{invitation.pk}/resend/").status_code == 302
    new = link_in(mail.outbox[1])
    assert old != new
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_there_is_no_open_sign_up(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "walk.in@example.org", "password1": "a long passphrase 42", "password2": "a long passphrase 42"},
    )
    assert not User.objects.filter(email="walk.in@example.org").exists()
    assert "closed" in response.content.decode().lower() or "invitation" in response.content.decode().lower()


# --- Who may use the staff invitation pages ------------------------------------------------
STAFF_URLS = ["/isu/", "/isu/invitations/new/"]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_staff_pages_for_each_persona(
    client_for, url, isu_staff, isu_staff_without_2fa, focal_point, coordinator, donor
):
    assert client_for(isu_staff).get(url).status_code == 200
    # ISU staff without an authenticator app are sent to set one up first (after proving their mailbox).
    response = client_for(isu_staff_without_2fa).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/me/two-factor/")
    # With an authenticator app but no code given in this session: asked for the code.
    response = client_for(isu_staff, second_factor=False).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/reauthenticate/")
    for lesser in (focal_point, coordinator, donor):
        assert client_for(lesser).get(url).status_code == 403
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_revoke_and_resend_are_post_only_and_staff_only(client_for, isu_staff, focal_point):
    invitation = invite(isu_staff)
    for action in ("revoke", "resend"):
        url = f"/isu/invitations/{invitation.pk}/{action}/"
        assert client_for(isu_staff).get(url).status_code == 405
        assert client_for(focal_point).post(url).status_code == 403
        assert client_for(None).post(url).status_code == 302
    assert client_for(isu_staff).post(f"/isu/invitations/{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client_for(isu_staff).post("/isu/invitations/999999/revoke/").status_code == 404


def test_my_portal_page_for_each_persona(client_for, isu_staff_without_2fa, focal_point, coordinator):
    html = client_for(focal_point).get("/me/").content.decode()
    assert "Lao" in html and "National focal point" in html
    html = client_for(coordinator).get("/me/").content.decode()
    assert "Clearance and risk reduction education" in html
    response = client_for(isu_staff_without_2fa).get("/me/")
    assert response.context["needs_two_factor"] is True
    assert client_for(None).get("/me/").status_code == 302


def test_the_invited_address_cannot_be_changed_by_its_owner(client_for, focal_point):
    client = client_for(focal_point)
    page = client.get("/accounts/email/")
    assert page.status_code == 200
    assert focal_point.email in page.content.decode()
    client.post("/accounts/email/", {"action_add": "", "email": "elsewhere@example.org"})
    assert list(focal_point.emailaddress_set.values_list("email", flat=True)) == [focal_point.email]
    assert client_for(None).get("/accounts/email/").status_code == 302


def test_staff_page_query_count_does_not_grow_with_users(client_for, isu_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_user

    client = client_for(isu_staff)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/isu/").status_code == 200
        return len(ctx.captured_queries)

    queries()
    before = queries()
    for n in range(15):
        make_user(Role.COORDINATOR, areas=["transparency", "victim-assistance"], email=f"c{n}@example.org")
        invite(isu_staff, email=f"invitee{n}@example.org")
    assert queries() == before


def test_users_choose_the_language_of_their_emails(client_for, focal_point, other_focal_point):
    client = client_for(focal_point)
    response = client.post("/me/language/", {"language": "fr"})
    assert response.status_code == 302
    focal_point.refresh_from_db()
    assert focal_point.language == "fr"
    entry = AuditEntry.objects.get(action="accounts.user.language_set")
    assert entry.changes == {"language": ["en", "fr"]} and entry.actor == focal_point
    refused = client.post("/me/language/", {"language": "de"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    other_focal_point.refresh_from_db()
    assert other_focal_point.language == "en"  # only one's own
    assert client_for(None).post("/me/language/", {"language": "fr"}).status_code == 302  # to sign-in
    assert client_for(focal_point).get("/me/language/").status_code == 405


def test_the_invitees_browsing_language_becomes_their_email_language(
    client, isu_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(isu_staff, email="francophone@example.org")
    url = link_in(mail.outbox[0])
    client.cookies["django_language"] = "fr"
    client.post(
        url, {"full_name": "A. Dupont", "password1": "une longue phrase 42", "password2": "une longue phrase 42"}
    )
    assert User.objects.get(email="francophone@example.org").language == "fr"
