from django.utils.functional import SimpleLazyObject

from accounts import permissions


def roles(request):
    """``perms_for`` in templates: the capabilities of the signed-in user, computed once."""
    user = getattr(request, "user", None)
    return {"capabilities": SimpleLazyObject(lambda: {c.value for c in permissions.capabilities(user)})}
