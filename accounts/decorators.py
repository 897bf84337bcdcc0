from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts import permissions, two_factor


def capability_required(capability: permissions.Capability):
    """Signed-in users holding ``capability``; others get 403 (they know staff pages exist).

    ISU staff whose session has not given its second factor hold no capability: they are sent to
    give it (or to enrol) instead of a bare 403.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not permissions.can(user, capability):
                if permissions.requires_two_factor(user) and not permissions.second_factor_verified(user):
                    return redirect(two_factor.verification_url(request, user))
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
