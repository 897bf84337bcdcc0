from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts import permissions, two_factor

# Every page under these prefixes is a staff page: the friendly redirect below applies there.
STAFF_PATH_PREFIXES = ("/admin/", "/isu/")  # includes /isu/reviews/


class SecondFactorSessionMiddleware:
    """Marks ``request.user`` with whether this session gave a second factor, so that
    ``accounts.permissions.can`` (the one decision) holds staff capability to it everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if permissions.requires_two_factor(user):
            permissions.mark_second_factor(user, verified=two_factor.verified_in_session(request, user))
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """A courtesy, not the guard: ISU staff opening a staff page before giving their second factor
    in this session are sent to give it (or to enrol, after proving their mailbox). Every view
    refuses them anyway, through ``accounts.permissions``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(STAFF_PATH_PREFIXES)
            and permissions.requires_two_factor(user)
            and not permissions.second_factor_verified(user)
        ):
            messages.warning(
                request,
                _("Staff pages need two-factor authentication. Give your authenticator code (or set one up)."),
            )
            return redirect(two_factor.verification_url(request, user))
        return self.get_response(request)
