from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts import permissions


def capability_required(capability: permissions.Capability):
    """Signed-in users holding ``capability``; others get 403 (they know staff pages exist).

    Staff pages also sit under a prefix that ``StaffTwoFactorMiddleware`` guards.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not permissions.can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
