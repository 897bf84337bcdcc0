"""Writes on accounts and invitations. Each function is atomic and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Invitation, Role, ThematicArea, User
from audit import services as audit
from ccm_portal.core import links
from ccm_portal.core.tasks import enqueue
from parties.models import State

_TOKEN_SALT = "ccm_portal.accounts.invitation"  # noqa: S105 (a namespace for signing, not a secret)


# --- Invitation links ------------------------------------------------------------
def invitation_token(invitation: Invitation) -> str:
    return signing.Signer(salt=_TOKEN_SALT).sign(f"{invitation.pk}.{invitation.nonce}")


def invitation_from_token(token: str) -> Invitation | None:
    """The pending invitation a link points to, or ``None`` (forged, used, revoked or expired)."""
    try:
        value = signing.Signer(salt=_TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, nonce = value.partition(".")
    invitation = Invitation.objects.select_related("state").filter(pk=pk if pk.isdigit() else 0, nonce=nonce).first()
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


def invitation_url(invitation: Invitation) -> str:
    return links.absolute(reverse("accounts:accept_invitation", args=[invitation_token(invitation)]))


# --- Role invariants ----------------------------------------------------------------
def check_role_fields(
    *, role: str, state: State | None, organization: str, thematic_areas: Iterable[ThematicArea]
) -> None:
    """What each role needs (a focal point's State, a coordinator's areas…), refused field by field; the
    invitation form checks it too, so its errors show beside the fields."""
    errors: dict[str, str] = {}
    if role == Role.FOCAL_POINT and state is None:
        errors["state"] = _("A national focal point acts for one State: choose it.")
    if role == Role.DONOR and state is None and not organization:
        errors["organization"] = _("A donor focal point acts for a State or an organization: give one.")
    if role == Role.DONOR and state is not None and organization:
        errors["organization"] = _("Give either a State or an organization, not both.")
    if role == Role.COORDINATOR and not list(thematic_areas):
        errors["thematic_areas"] = _("A thematic coordinator needs at least one thematic area.")
    if role == Role.CONTRIBUTOR and state is None:
        errors["state"] = _("A national contributor works for one State's reports: choose it.")
    if role == Role.CONTRIBUTOR and not organization.strip():
        errors["organization"] = _("Give the national body the contributor works for.")
    if role in (Role.ISU_STAFF, Role.COORDINATOR) and state is not None:
        errors["state"] = _("This role is not attached to a State.")
    if errors:
        raise ValidationError(errors)


# --- Invitations ----------------------------------------------------------------------
@transaction.atomic
def create_invitation(
    *,
    email: str,
    role: str,
    invited_by: User,
    state: State | None = None,
    organization: str = "",
    thematic_areas: Iterable[ThematicArea] = (),
    full_name: str = "",
) -> Invitation:
    email = email.strip().lower()
    areas = list(thematic_areas)
    check_role_fields(role=role, state=state, organization=organization, thematic_areas=areas)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone already has an account with this e-mail address.")})
    # A new invitation replaces any earlier one still pending for the same address.
    now = timezone.now()
    for earlier in Invitation.objects.pending().filter(email__iexact=email):
        earlier.revoked_at = now
        earlier.save(update_fields=["revoked_at"])
        audit.record(
            actor=invited_by, action="accounts.invitation.revoked", obj=earlier, context={"reason": "replaced"}
        )
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name,
        role=role,
        state=state,
        organization=organization,
        invited_by=invited_by,
        expires_at=now + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.thematic_areas.set(areas)
    audit.record(
        actor=invited_by,
        action="accounts.invitation.created",
        obj=invitation,
        changes={
            "email": [None, email],
            "role": [None, role],
            "state": [None, state.iso3 if state else None],
            "organization": [None, organization or None],
            "thematic_areas": [None, [a.code for a in areas]],
        },
    )
    _enqueue_invitation_email(invitation)
    return invitation


def _enqueue_invitation_email(invitation: Invitation) -> None:
    enqueue("accounts.tasks.send_invitation_email", invitation.pk)


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, actor: User) -> None:
    if not invitation.is_pending:
        raise ValidationError(_("Only a pending invitation can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="accounts.invitation.revoked", obj=invitation)


@transaction.atomic
def resend_invitation(*, invitation: Invitation, actor: User) -> None:
    """Send the link again, with a fresh expiry; links sent before stop working."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation was already used or revoked."))
    invitation.nonce = Invitation._meta.get_field("nonce").default()
    invitation.expires_at = timezone.now() + dt.timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.sent_at = None
    invitation.save(update_fields=["nonce", "expires_at", "sent_at"])
    audit.record(actor=actor, action="accounts.invitation.resent", obj=invitation)
    _enqueue_invitation_email(invitation)


def send_invitation_email(*, invitation_id: int) -> bool:
    """Send the invitation e-mail once. Returns whether a message went out."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("state", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_pending or invitation.sent_at is not None:
            return False
        context = {"invitation": invitation, "url": invitation_url(invitation), "site_url": links.site_url()}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body=render_to_string("accounts/email/invitation_message.txt", context),
            to=[invitation.email],
        )
        message.attach_alternative(render_to_string("accounts/email/invitation_message.html", context), "text/html")
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
        return True


@transaction.atomic
def accept_invitation(*, invitation: Invitation, full_name: str, password: str, language: str = "") -> User:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer valid. Ask the ISU for a new one."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("Someone already has an account with this e-mail address."))
    user = User(
        email=invitation.email,
        full_name=full_name.strip(),
        role=invitation.role,
        state=invitation.state,
        organization=invitation.organization,
        is_staff=invitation.role == Role.ISU_STAFF,
        # The language the invitee read the portal in when accepting: e-mails follow it.
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.thematic_areas.set(invitation.thematic_areas.all())
    # The link reached this address, so the address is verified.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    audit.record(actor=user, action="accounts.invitation.accepted", obj=invitation)
    audit.record(
        actor=user,
        action="accounts.user.created",
        obj=user,
        changes={"role": [None, user.role], "state": [None, user.state.iso3 if user.state else None]},
    )
    return user


@transaction.atomic
def set_user_active(*, user: User, active: bool, actor: User) -> None:
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="accounts.user.activated" if active else "accounts.user.deactivated",
        obj=user,
        changes={"is_active": [not active, active]},
    )


@transaction.atomic
def set_email_language(*, user: User, language: str) -> None:
    """The language reminders and notifications are written in for this user."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the six languages of the Convention.")})
    if user.language == language:
        return
    before = user.language
    user.language = language
    user.save(update_fields=["language"])
    audit.record(actor=user, action="accounts.user.language_set", obj=user, changes={"language": [before, language]})


# --- Two-factor enrolment ------------------------------------------------------------------
def send_two_factor_enrolment_link(*, user: User, url: str) -> None:
    """E-mail ``user`` the link that lets this session enrol an authenticator app (their proof
    that the mailbox is theirs, not only the password). Sent at once: the user is waiting for it."""
    context = {"user": user, "url": url, "site_url": links.site_url(), "minutes": 30}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/two_factor_link_subject.txt", context).strip()
        body = render_to_string("accounts/email/two_factor_link_message.txt", context)
    EmailMultiAlternatives(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, to=[user.email]).send()
    with transaction.atomic():
        audit.record(actor=user, action="accounts.two_factor.enrolment_link_sent", obj=user)


@transaction.atomic
def record_mailbox_proven(*, user: User, via: str) -> None:
    """``via``: "invitation" (the invitation link) or "email_link" (the link sent before enrolment)."""
    audit.record(actor=user, action="accounts.two_factor.mailbox_proven", obj=user, context={"via": via})


@transaction.atomic
def record_two_factor_enrolled(*, user: User, authenticator_id: int) -> None:
    audit.record(
        actor=user,
        action="accounts.two_factor.enrolled",
        obj=user,
        changes={"authenticator": [None, "totp"]},
        context={"authenticator_id": authenticator_id},
    )
