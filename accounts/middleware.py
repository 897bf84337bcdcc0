from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions

# Every page under these prefixes is a staff page.
STAFF_PATH_PREFIXES = ("/admin/", "/isu/")  # includes /isu/reviews/


class StaffTwoFactorMiddleware:
    """ISU staff must enrol an authenticator app before they may use any staff page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(STAFF_PATH_PREFIXES)
            and permissions.requires_two_factor(user)
            and not permissions.has_two_factor(user)
        ):
            messages.warning(
                request,
                _("Staff pages need two-factor authentication. Set up an authenticator app to continue."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
