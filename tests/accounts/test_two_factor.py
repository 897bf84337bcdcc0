"""Two-factor is a property of the capability, not of the path: ISU staff hold staff capability only
in a session that gave the code from their authenticator app (or enrolled one), and enrolling needs
more than the password: the invitation link, or a link e-mailed to the account's address."""

import re
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import permissions, services
from accounts.models import Role, User
from assistance.models import AssistanceRequest, Match
from audit.models import AuditEntry
from parties.models import State
from reporting import services as reporting_services
from reporting.models import ReportKind, ReportPdf
from tests.factories import PASSWORD
from tests.helpers import totp_now

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ACTIVATE = "/accounts/2fa/totp/activate/"
NEW_PASSWORD = "a long and new passphrase 2026"


@pytest.fixture
def lao_draft(focal_point):
    """Lao PDR's initial report, a draft: only its focal points and the ISU may read it."""
    return reporting_services.start_report(
        state=State.objects.get(iso3="LAO"), kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )


@pytest.fixture
def lao_request(focal_point):
    """A restricted assistance request of Lao PDR (the default: not public)."""
    import datetime as dt

    from accounts.models import ThematicArea

    return AssistanceRequest.objects.create(
        state=State.objects.get(iso3="LAO"),
        area=ThematicArea.objects.get(code="clearance-rre"),
        created_by=focal_point,
        kind="financial",
        title="Survey in two provinces",
        description="Non-technical survey.",
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 12, 31),
        amount=Decimal("250000"),
        currency="USD",
    )


def sign_in_with_password(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def activate_with_the_app(client):
    """Open the enrolment page, read the secret as a person would from the page, type the app's code."""
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    return client.post(ACTIVATE, {"code": totp_now(secret)})


def test_capabilities_need_the_second_factor_of_the_acting_session(isu_staff, isu_staff_without_2fa):
    fresh = User.objects.get(pk=isu_staff.pk)  # as loaded for a request, before the session is read
    assert permissions.capabilities(fresh) == frozenset()
    assert not fresh.has_perm("parties.change_state")
    permissions.mark_second_factor(fresh, verified=True)
    assert permissions.Capability.REVIEW_REPORTS in permissions.capabilities(fresh)
    assert fresh.has_perm("parties.change_state")
    assert permissions.capabilities(isu_staff_without_2fa) == frozenset()


def test_a_superuser_holds_nothing_in_the_admin_without_the_second_factor(reference_data):
    admin = User.objects.create_superuser("root@example.org", PASSWORD)
    assert not admin.has_perm("parties.change_state")
    assert not admin.has_module_perms("parties")
    permissions.mark_second_factor(admin, verified=True)
    assert admin.has_perm("parties.change_state")


def test_real_sign_in_with_the_code_reaches_a_restricted_draft(client, isu_staff, lao_draft):
    assert sign_in_with_password(client, isu_staff.email)["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_now(isu_staff.totp_secret)})
    assert response.status_code == 302
    page = client.get(f"/reporting/{lao_draft.pk}/")
    assert page.status_code == 200
    assert "Lao" in page.content.decode()


def test_enrolled_staff_signed_in_with_the_password_alone_get_nothing_restricted(
    client_for, isu_staff, lao_draft, lao_request, donor
):
    client = client_for(isu_staff, second_factor=False)
    # The State's draft and its restricted request do not exist for them.
    assert client.get(f"/reporting/{lao_draft.pk}/").status_code == 404
    assert client.get(f"/assistance/requests/{lao_request.pk}/").status_code == 404
    assert lao_request.title not in client.get("/assistance/requests/").content.decode()
    # The board and the review queue send them to give the code.
    for url in ("/assistance/board/", "/isu/reviews/", "/isu/progress/", "/admin/parties/state/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/"), url
    # No draft PDF is made for them, and no match is proposed.
    assert client.post(f"/reporting/{lao_draft.pk}/pdf/").status_code == 404
    assert not ReportPdf.objects.exists()
    assert client.post(f"/assistance/board/{lao_request.pk}/propose/", {"offer": "1"}).status_code in (302, 403, 404)
    assert not Match.objects.exists()

    # Giving the code in this session opens them all.
    response = client.post("/accounts/2fa/reauthenticate/", {"code": totp_now(isu_staff.totp_secret)})
    assert response.status_code == 302
    assert client.get(f"/reporting/{lao_draft.pk}/").status_code == 200
    assert client.get(f"/assistance/requests/{lao_request.pk}/").status_code == 200
    assert client.get("/assistance/board/").status_code == 200


def test_without_the_friendly_redirect_the_views_still_refuse(settings, client_for, isu_staff, lao_draft):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "accounts.middleware.StaffTwoFactorMiddleware"]
    client = client_for(isu_staff, second_factor=False)
    assert client.get("/isu/").status_code == 302  # capability_required: to the code step
    assert client.get(f"/isu/reviews/{lao_draft.pk}/").status_code in (302, 403, 404)
    assert client.get("/isu/progress/").status_code == 403
    admin = client.get("/admin/parties/state/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_unenrolled_staff_cannot_enrol_with_the_password_alone(client, isu_staff_without_2fa):
    user = isu_staff_without_2fa
    assert sign_in_with_password(client, user.email)["Location"] == "/me/"
    # The enrolment page is closed until the mailbox is proven: a password thief cannot add their app.
    response = client.get(ACTIVATE)
    assert response.status_code == 302 and response["Location"] == "/me/two-factor/"
    assert client.post(ACTIVATE, {"code": "123456"}).status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    assert client.get("/isu/").status_code == 302

    page = client.get("/me/two-factor/")
    assert page.status_code == 200 and user.email in page.content.decode()
    assert client.post("/me/two-factor/").status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = re.search(r"https?://[^/\s]+(/me/two-factor/\S+/)", mail.outbox[0].body).group(1)

    # The link works only in the session that asked for it.
    elsewhere = Client()
    sign_in_with_password(elsewhere, user.email)
    assert elsewhere.get(link).status_code == 404
    assert elsewhere.get(ACTIVATE)["Location"] == "/me/two-factor/"
    assert client.get(link.replace("/me/two-factor/", "/me/two-factor/x")).status_code == 404

    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == ACTIVATE
    # Enrolling is a sensitive step: allauth asks for the password once more, then the app's code.
    assert client.get(ACTIVATE)["Location"].startswith("/accounts/reauthenticate/")
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    assert activate_with_the_app(client).status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Enrolling in this session counts as this session's second factor.
    assert client.get("/isu/").status_code == 200
    assert client.get(link).status_code == 404  # once
    actions = list(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {
        "accounts.two_factor.enrolment_link_sent",
        "accounts.two_factor.mailbox_proven",
        "accounts.two_factor.enrolled",
    } <= set(actions)


def test_an_isu_invitee_enrols_before_holding_any_staff_capability(
    client, isu_staff, lao_draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.create_invitation(email="new.officer@example.org", role=Role.ISU_STAFF, invited_by=isu_staff)
    link = re.search(r"https?://\S+(/invitations/\S+/)", mail.outbox[0].body).group(1)
    response = client.post(link, {"full_name": "New Officer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # Straight on to enrolment: the invitation link proved the mailbox.
    assert response.status_code == 302 and response["Location"] == ACTIVATE
    user = User.objects.get(email="new.officer@example.org")
    assert user.role == Role.ISU_STAFF
    # Signed in, but without staff capability until the app is enrolled.
    assert client.get("/isu/").status_code == 302
    assert client.get(f"/reporting/{lao_draft.pk}/").status_code == 404
    assert activate_with_the_app(client).status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/isu/").status_code == 200
    assert client.get(f"/reporting/{lao_draft.pk}/").status_code == 200


def test_an_abandoned_invitation_enrolment_needs_the_emailed_link_later(client, isu_staff):
    services.create_invitation(email="new.officer@example.org", role=Role.ISU_STAFF, invited_by=isu_staff)
    from accounts.models import Invitation

    token = services.invitation_token(Invitation.objects.get(email="new.officer@example.org"))
    client.post(
        f"/invitations/{token}/",
        {"full_name": "New Officer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.post("/accounts/logout/")
    sign_in_with_password(client, "new.officer@example.org", NEW_PASSWORD)
    assert client.get(ACTIVATE)["Location"] == "/me/two-factor/"


def test_a_calendar_feed_made_before_enrolment_never_carries_staff_capability(client, isu_staff_without_2fa):
    from deadlines import services as deadline_services
    from tests.factories import enrol_totp

    def uids(feed):
        body = client.get(reverse("deadlines:feed", args=[feed.token])).content.decode()
        return {line.split(":", 1)[1].split("@")[0] for line in body.splitlines() if line.startswith("UID:")}

    early = deadline_services.create_feed(user=isu_staff_without_2fa, state=None)
    assert not any(uid.startswith("LAO:") for uid in uids(early))  # meetings only, as for the public
    enrol_totp(isu_staff_without_2fa)
    assert not any(uid.startswith("LAO:") for uid in uids(early))  # still: made on the password alone
    later = deadline_services.create_feed(user=isu_staff_without_2fa, state=None)
    assert any(uid.startswith("LAO:") for uid in uids(later))  # made after enrolment: every State's
