"""The second factor of a session, and the proof of mailbox an unenrolled account gives before enrolling.

allauth records in the session each way the user authenticated ("password", then "mfa" after a
TOTP or recovery code). Staff capability follows the "mfa" record of *this* session
(``accounts.permissions``); enrolling an authenticator app in this session counts as one.

Whoever holds an unenrolled ISU account's password could otherwise enrol their own authenticator
and hold staff capability. So enrolment asks for proof of the account's mailbox first: the
invitation link (when the account is created), or a signed link e-mailed to the address, which
works for 30 minutes and only in the session that asked for it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records

# allauth's own recorder, so an enrolment reads exactly as a TOTP step read at sign-in.
from allauth.account.internal.flows.login import record_authentication
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions

ENROLMENT_LINK_MAX_AGE = 30 * 60  # seconds
_LINK_SALT = "ccm_portal.accounts.two_factor_enrolment"
_LINK_NONCE_KEY = "ccm_two_factor_link_nonce"
_MAILBOX_PROOF_KEY = "ccm_two_factor_mailbox_proof"


# --- Was a second factor given in this session? --------------------------------------------------
def verified_in_session(request: HttpRequest, user: Any) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def record_enrolment(request: HttpRequest, user: Any, authenticator: Any) -> None:
    """The code typed to activate an authenticator app proves it as a sign-in code would."""
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)


def record_password_sign_in(request: HttpRequest, user: Any) -> None:
    """After signing an invitee in with the password they typed twice a moment ago: it counts as
    allauth's "enter your password again" before a sensitive step, so enrolment follows at once."""
    record_authentication(request, user, "password", email=user.email, reauthenticated=True)


def act_as_issuer_of_token(user: Any, issued_at: Any) -> None:
    """For a secret-token URL served without a session (a calendar feed): its owner acts with the
    capability of the session that created it. An account enrolled before the token was issued could
    only have created it in a session that gave its code (allauth asks for it at every sign-in, and
    enrolling in a session counts); a token issued earlier, by an account with no second factor yet,
    never carries staff capability."""
    if not permissions.requires_two_factor(user):
        return
    from allauth.mfa.models import Authenticator

    enrolled = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP, created_at__lte=issued_at).exists()
    permissions.mark_second_factor(user, verified=enrolled)


def verification_url(request: HttpRequest, user: Any) -> str:
    """Where a user who needs a second factor gives it: the code step, or enrolment."""
    query = urlencode({"next": request.get_full_path()})
    if permissions.has_two_factor(user):
        return f"{reverse('mfa_reauthenticate')}?{query}"
    return f"{reverse('accounts:two_factor_setup')}?{query}"


# --- Proof of mailbox before enrolment ------------------------------------------------------------
def _session_tag(request: HttpRequest) -> str:
    key = request.session.session_key or ""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def enrolment_link_token(request: HttpRequest, user: Any) -> str:
    """A token for the e-mailed link; a newer link voids the earlier ones of this session."""
    if request.session.session_key is None:
        request.session.save()
    nonce = secrets.token_urlsafe(12)
    request.session[_LINK_NONCE_KEY] = nonce
    return signing.dumps({"u": user.pk, "s": _session_tag(request), "n": nonce}, salt=_LINK_SALT)


def accept_enrolment_link(request: HttpRequest, user: Any, token: str) -> bool:
    """Whether ``token`` is a live link sent to ``user`` from this very session; if so, the
    session may enrol an authenticator app."""
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=ENROLMENT_LINK_MAX_AGE)
    except signing.BadSignature:  # also an expired link
        return False
    expected_nonce = request.session.get(_LINK_NONCE_KEY)
    if (
        not isinstance(data, dict)
        or data.get("u") != user.pk
        or data.get("s") != _session_tag(request)
        or not expected_nonce
        or data.get("n") != expected_nonce
    ):
        return False
    request.session.pop(_LINK_NONCE_KEY, None)
    grant_mailbox_proof(request, user)
    return True


def grant_mailbox_proof(request: HttpRequest, user: Any) -> None:
    request.session[_MAILBOX_PROOF_KEY] = {"user": user.pk, "at": time.time()}


def has_mailbox_proof(request: HttpRequest, user: Any) -> bool:
    proof = request.session.get(_MAILBOX_PROOF_KEY)
    return (
        isinstance(proof, dict)
        and proof.get("user") == user.pk
        and time.time() - float(proof.get("at", 0)) < ENROLMENT_LINK_MAX_AGE
    )


def may_enrol(request: HttpRequest, user: Any) -> bool:
    """Anyone may add an authenticator to their account, except that an account whose role needs
    one must first prove its mailbox in this session."""
    return not permissions.requires_two_factor(user) or has_mailbox_proof(request, user)
