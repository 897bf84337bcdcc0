"""Gives Django's admin the model permissions that a user's role carries."""

from accounts import permissions


class RolePermissionBackend:
    def authenticate(self, request, **credentials):
        return None  # grants permissions only; it never signs anyone in

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if "." not in perm:
            return False
        app_label, codename = perm.split(".", 1)
        return permissions.model_permission(user_obj, app_label, codename)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return permissions.module_permission(user_obj, app_label)
