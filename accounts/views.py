from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView as AllauthActivateTOTPView
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import home_page, permissions, services, team, two_factor
from accounts.decorators import capability_required
from accounts.forms import (
    AcceptInvitationForm,
    AccountFilterForm,
    ContributorInvitationForm,
    EmailLanguageForm,
    InvitationForm,
)
from accounts.models import Invitation, Role, User
from accounts.permissions import Capability
from ccm_portal.core import clock
from ccm_portal.core.views import attempt, submit


@login_required
def home(request: HttpRequest, language_form: EmailLanguageForm | None = None) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "needs_two_factor": permissions.requires_two_factor(user) and not permissions.has_two_factor(user),
            "needs_second_factor_now": (
                permissions.requires_two_factor(user) and not permissions.second_factor_verified(user)
            ),
            "capability_labels": [c.label for c in sorted(permissions.capabilities(user))],
            "areas": list(user.thematic_areas.all()) if user.role == Role.COORDINATOR else [],
            # The sections the apps above add (deadlines: what is due next), registered from their ready().
            **home_page.sections_context(user, clock.today()),
            "language_form": language_form or EmailLanguageForm(initial={"language": user.language}),
        },
        status=400 if language_form is not None else 200,
    )


@require_POST
@login_required
def email_language(request: HttpRequest) -> HttpResponse:
    form = EmailLanguageForm(request.POST)
    if not form.is_valid():
        return home(request, language_form=form)
    services.set_email_language(user=request.user, language=form.cleaned_data["language"])
    messages.success(request, _("Your e-mails will be written in %(language)s.") % {"language": form.language_label()})
    return redirect("accounts:home")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in. Sign out first to accept an invitation for someone else."))
        return redirect("accounts:home")
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                language=translation.get_language() or "",
            )
        except ValidationError as error:
            form.add_error("password1" if error.messages and not hasattr(error, "error_dict") else None, error)
        else:
            if permissions.requires_two_factor(user):
                return _enrol_after_invitation(request, user)
            messages.success(request, _("Your account is ready. Sign in with your e-mail address and new password."))
            return redirect("account_login")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


def _enrol_after_invitation(request: HttpRequest, user: User) -> HttpResponse:
    """An ISU invitee enrols an authenticator app now, before the account holds any staff
    capability: the invitation link that reached their mailbox is the proof enrolment asks for."""
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    two_factor.record_password_sign_in(request, user)
    two_factor.grant_mailbox_proof(request, user)
    services.record_mailbox_proven(user=user, via="invitation")
    messages.success(
        request,
        _("Your account is ready. One step remains: ISU staff pages need an authenticator app. Set it up now."),
    )
    return redirect("mfa_activate_totp")


# --- Two-factor enrolment -------------------------------------------------------------
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Before an account whose role needs a second factor enrols one, its mailbox must be proven:
    the password alone (whoever holds it) never reaches staff capability."""
    user = request.user
    if not permissions.requires_two_factor(user) or two_factor.has_mailbox_proof(request, user):
        return redirect("mfa_activate_totp")
    if permissions.has_two_factor(user):
        if permissions.second_factor_verified(user):
            return redirect("mfa_index")
        return redirect(two_factor.verification_url(request, user))
    sent = False
    if request.method == "POST":
        token = two_factor.enrolment_link_token(request, user)
        # The request's own origin even when CCM_SITE_URL differs: the link works only in this browser's session.
        url = request.build_absolute_uri(reverse("accounts:two_factor_confirm", args=[token]))
        services.send_two_factor_enrolment_link(user=user, url=url)
        sent = True
    return render(request, "accounts/two_factor_setup.html", {"sent": sent})


@login_required
def two_factor_confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = request.user
    if not two_factor.accept_enrolment_link(request, user, token):
        return render(request, "accounts/two_factor_link_invalid.html", status=404)
    services.record_mailbox_proven(user=user, via="email_link")
    messages.success(request, _("Thank you: your address is confirmed. Now set up your authenticator app."))
    return redirect("mfa_activate_totp")


class ActivateTOTPView(AllauthActivateTOTPView):
    """allauth's enrolment page, with two differences: an account whose role needs a second factor
    enrols only after proving its mailbox in this session, and the code typed to activate the app
    counts as this session's second factor."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not two_factor.may_enrol(request, user) and not permissions.has_two_factor(user):
            return redirect("accounts:two_factor_setup")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        two_factor.record_enrolment(self.request, user, authenticator)
        services.record_two_factor_enrolled(user=user, authenticator_id=authenticator.pk)
        return response


activate_totp = ActivateTOTPView.as_view()


# --- ISU staff pages --------------------------------------------------------------
ACCOUNTS_PAGE_SIZE = 50  # accounts a page on the ISU's staff page


@capability_required(Capability.MANAGE_USERS)
def staff_home(request: HttpRequest) -> HttpResponse:
    """Users and invitations: the active accounts by role, the pending invitations and every account, a page at
    a time (one role's with ``?role=``); a fixed number of queries, whatever the number of accounts."""
    form = AccountFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    role = form.cleaned_data.get("role") if request.GET and valid else ""
    users = User.objects.select_related("state").prefetch_related("thematic_areas").order_by("role", "email", "pk")
    if role:
        users = users.filter(role=role)
    page = Paginator(users, ACCOUNTS_PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = Invitation.objects.pending().select_related("state", "invited_by").order_by("-created_at")
    counts = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")))
    return render(
        request,
        "accounts/staff_home.html",
        {
            "users": page.object_list,
            "page": page,
            "role": role,
            "role_label": Role(role).label if role else "",
            "invitations": invitations,
            "role_stats": [(value, label, counts.get(value, 0)) for value, label in Role.choices],
        },
        status=200 if valid else 400,
    )


@capability_required(Capability.MANAGE_USERS)
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    invitation = None
    if request.method == "POST":
        invitation = submit(
            form,
            lambda: services.create_invitation(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                state=form.cleaned_data["state"],
                organization=form.cleaned_data["organization"],
                thematic_areas=form.cleaned_data["thematic_areas"],
                invited_by=request.user,
            ),
        )
    if invitation is not None:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("accounts:staff_home")
    return render(request, "accounts/invitation_form.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@capability_required(Capability.MANAGE_USERS)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    attempt(
        request,
        lambda: services.revoke_invitation(invitation=invitation, actor=request.user),
        _("Invitation to %(email)s revoked.") % {"email": invitation.email},
    )
    return redirect("accounts:staff_home")


@require_POST
@capability_required(Capability.MANAGE_USERS)
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    attempt(
        request,
        lambda: services.resend_invitation(invitation=invitation, actor=request.user),
        _("Invitation sent again to %(email)s.") % {"email": invitation.email},
    )
    return redirect("accounts:staff_home")


@login_required
def email_fixed(request: HttpRequest) -> HttpResponse:
    """Replaces allauth's e-mail management: the address is the one the invitation went to,
    which is how the ISU knows who acts for a State. The ISU changes it in the admin."""
    return render(request, "accounts/email_fixed.html")


# --- The national reporting team (a focal point's) ------------------------------------------------
@capability_required(Capability.MANAGE_TEAM)
def team_page(request: HttpRequest) -> HttpResponse:
    """The State's contributors and pending invitations; the form to invite one more (POST)."""
    form = ContributorInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        invitation = submit(
            form,
            lambda: team.invite(
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                body=form.cleaned_data["organization"],
            ),
        )
        if invitation is not None:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:team")
    return render(
        request,
        "accounts/team.html",
        {"team": team.team_of(request.user.state), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@capability_required(Capability.MANAGE_TEAM)
def team_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Another State's invitation is not found: the focal point may not know it exists.
    invitation = get_object_or_404(Invitation, pk=pk, role=Role.CONTRIBUTOR, state_id=request.user.state_id)
    attempt(
        request,
        lambda: team.revoke(actor=request.user, invitation=invitation),
        _("Invitation to %(email)s revoked.") % {"email": invitation.email},
    )
    return redirect("accounts:team")


@require_POST
@capability_required(Capability.MANAGE_TEAM)
def team_member_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a contributor off the team (``active=0``: their account is deactivated) or back on (``active=1``)."""
    member = get_object_or_404(User, pk=pk, role=Role.CONTRIBUTOR, state_id=request.user.state_id)
    active = request.POST.get("active") == "1"
    done = (
        _("%(name)s is on the team again.") if active else _("%(name)s is no longer on the team and cannot sign in.")
    ) % {"name": member.get_full_name()}
    attempt(request, lambda: team.set_active(actor=request.user, member=member, active=active), done)
    return redirect("accounts:team")
