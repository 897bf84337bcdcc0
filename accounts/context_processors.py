from django.utils.functional import SimpleLazyObject

from accounts import permissions


def roles(request):
    """``capabilities`` in templates: the set of capability codes of the signed-in user, computed once."""
    user = getattr(request, "user", None)
    return {"capabilities": SimpleLazyObject(lambda: {c.value for c in permissions.capabilities(user)})}
