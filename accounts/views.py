from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions, services
from accounts.decorators import capability_required
from accounts.forms import AcceptInvitationForm, EmailLanguageForm, InvitationForm
from accounts.models import Invitation, Role, User
from accounts.permissions import Capability
from deadlines.selectors import due_next_context


@login_required
def home(request: HttpRequest, language_form: EmailLanguageForm | None = None) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "needs_two_factor": permissions.requires_two_factor(user) and not permissions.has_two_factor(user),
            "capability_labels": [c.label for c in sorted(permissions.capabilities(user))],
            "areas": list(user.thematic_areas.all()) if user.role == Role.COORDINATOR else [],
            # "What is due next": the user's State's deadlines, every State's for the ISU, else meetings.
            **due_next_context(user, today=timezone.localdate()),
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
            services.accept_invitation(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                language=translation.get_language() or "",
            )
        except ValidationError as error:
            form.add_error("password1" if error.messages and not hasattr(error, "error_dict") else None, error)
        else:
            messages.success(request, _("Your account is ready. Sign in with your e-mail address and new password."))
            return redirect("account_login")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


# --- ISU staff pages --------------------------------------------------------------
@capability_required(Capability.MANAGE_USERS)
def staff_home(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("state").prefetch_related("thematic_areas").order_by("role", "email")
    invitations = Invitation.objects.pending().select_related("state", "invited_by").order_by("-created_at")
    return render(
        request,
        "accounts/staff_home.html",
        {
            "users": users,
            "invitations": invitations,
            "role_counts": dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id"))),
            "roles": Role.choices,
        },
    )


@capability_required(Capability.MANAGE_USERS)
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.create_invitation(
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                state=data["state"],
                organization=data["organization"],
                thematic_areas=data["thematic_areas"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form._update_errors(error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:staff_home")
    return render(request, "accounts/invitation_form.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@capability_required(Capability.MANAGE_USERS)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.revoke_invitation(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("accounts:staff_home")


@require_POST
@capability_required(Capability.MANAGE_USERS)
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.resend_invitation(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
    return redirect("accounts:staff_home")


@login_required
def email_fixed(request: HttpRequest) -> HttpResponse:
    """Replaces allauth's e-mail management: the address is the one the invitation went to,
    which is how the ISU knows who acts for a State. The ISU changes it in the admin."""
    return render(request, "accounts/email_fixed.html")
