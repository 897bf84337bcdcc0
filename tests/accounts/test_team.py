"""The national reporting team: a focal point invites the contributors of national bodies for their State's
reports, as the ISU invites people (a signed link that works once and expires, every step audited); nobody else
manages that team, and a contributor acts for no other State and sees nothing of the State's until given forms."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import permissions
from accounts.models import Invitation, Role, User
from accounts.permissions import Capability
from audit.models import AuditEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TEAM = "/me/team/"
INVITE = {"full_name": "Somsak Phommachanh", "email": "Somsak@MoD.example.la", "organization": "Ministry of Defence"}


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitations/[^\s\"<]+/)", message.body).group(1)


def invite(client, **fields):
    return client.post(TEAM, INVITE | fields)


def test_the_focal_point_invites_a_contributor_for_their_state(
    client_for, focal_point, django_capture_on_commit_callbacks
):
    client = client_for(focal_point)
    assert "National reporting team" in client.get(reverse("accounts:home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client)
    assert response.status_code == 302 and response["Location"] == TEAM
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.state.iso3, invitation.organization) == (
        Role.CONTRIBUTOR,
        "LAO",
        "Ministry of Defence",
    )
    assert invitation.email == "somsak@mod.example.la" and invitation.invited_by == focal_point
    assert mail.outbox[0].to == ["somsak@mod.example.la"] and "National contributor" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="accounts.invitation.created")
    assert entry.actor == focal_point and entry.changes["role"] == [None, "contributor"]
    page = client.get(TEAM).content.decode()
    assert "somsak@mod.example.la" in page and "Ministry of Defence" in page


def test_a_rejected_invitation_keeps_what_was_typed(client_for, focal_point):
    response = invite(client_for(focal_point), organization="")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Somsak Phommachanh"' in html and 'value="Somsak@MoD.example.la"' in html
    assert not Invitation.objects.exists()


def test_the_contributor_accepts_and_acts_for_that_state_only(
    client, client_for, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(focal_point))
    client.logout()
    url = link_in(mail.outbox[0])
    passphrase = "a long passphrase 42"
    client.post(url, {"full_name": "Somsak Phommachanh", "password1": passphrase, "password2": passphrase})
    contributor = User.objects.get(email="somsak@mod.example.la")
    assert (contributor.role, contributor.state.iso3, contributor.organization) == (
        Role.CONTRIBUTOR,
        "LAO",
        "Ministry of Defence",
    )
    assert permissions.capabilities(contributor) == {Capability.CONTRIBUTE_TO_REPORTS}
    assert not permissions.acts_for_state(contributor, contributor.state)
    signed_in = client_for(contributor)
    # Not the team's manager, no report to prepare, no assistance to ask for.
    assert signed_in.get(TEAM).status_code == 403
    assert signed_in.get(reverse("reporting:my_reports")).status_code == 403
    assert signed_in.get(reverse("assistance:request_new")).status_code == 403


def test_no_one_else_manages_the_team(client_for, focal_point, other_focal_point, isu_staff):
    invite(client_for(focal_point))
    invitation = Invitation.objects.get()
    member = make_user(Role.CONTRIBUTOR, iso3="LAO", organization="Mine action centre", email="nrA@example.la")
    other = client_for(other_focal_point)
    # Another State's focal point does not find Laos's invitation or contributor, and its own team is empty.
    revoke = reverse("accounts:team_invitation_revoke", args=[invitation.pk])
    assert other.post(revoke).status_code == 404
    assert other.post(reverse("accounts:team_member_active", args=[member.pk]), {"active": "0"}).status_code == 404
    assert "nrA@example.la" not in other.get(TEAM).content.decode()
    # The ISU invites people from its own pages; the team is the State's.
    assert client_for(isu_staff).get(TEAM).status_code == 403
    invitation.refresh_from_db()
    member.refresh_from_db()
    assert invitation.is_pending and member.is_active


def test_the_focal_point_revokes_an_invitation_and_takes_a_contributor_off_and_back(client_for, focal_point):
    client = client_for(focal_point)
    invite(client)
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:team_invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert not invitation.is_pending
    member = make_user(Role.CONTRIBUTOR, iso3="LAO", organization="Mine action centre", email="nrA@example.la")
    client.post(reverse("accounts:team_member_active", args=[member.pk]), {"active": "0"})
    member.refresh_from_db()
    assert not member.is_active
    client.post(reverse("accounts:team_member_active", args=[member.pk]), {"active": "1"})
    member.refresh_from_db()
    assert member.is_active
    actions = list(AuditEntry.objects.filter(actor=focal_point).values_list("action", flat=True).order_by("pk"))
    assert actions[-3:] == ["accounts.invitation.revoked", "accounts.user.deactivated", "accounts.user.activated"]


def test_a_contributor_needs_a_state_and_a_body():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="x@example.org", role=Role.CONTRIBUTOR)
