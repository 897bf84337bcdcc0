"""Admin pieces shared by the apps: every save and delete through the admin is audited (``AuditedAdminMixin``);
what changes only through the portal's services or background work is shown read-only (``ReadOnlyAdmin``)."""

from django.contrib import admin
from django.db import transaction

from audit import services as audit


class AuditedAdminMixin:
    audit_action_prefix = ""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {}
            if change and obj.pk:
                stored = type(obj)._default_manager.filter(pk=obj.pk).first()
                before = audit.snapshot(stored) if stored else {}
            super().save_model(request, obj, form, change)
            changes = audit.diff(before, audit.snapshot(obj))
            if changes or not change:
                audit.record(
                    actor=request.user,
                    action=f"{self.audit_action_prefix}.{'changed' if change else 'created'}",
                    obj=obj,
                    changes=changes,
                    context={"via": "admin"},
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action=f"{self.audit_action_prefix}.deleted",
                obj=obj,
                changes=audit.diff(audit.snapshot(obj), {}),
                context={"via": "admin"},
            )
            super().delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        """Many-to-many fields (a coalition's partners, a user's areas) are saved after the object:
        their change gets its own entry, with the related objects before and after."""
        obj = form.instance
        fields = [f for f in obj._meta.many_to_many if f.name in form.cleaned_data]

        def related() -> dict[str, list[str]]:
            return {f.name: sorted(str(o) for o in getattr(obj, f.name).all()) for f in fields}

        with transaction.atomic():
            before = related() if change else {f.name: [] for f in fields}
            super().save_related(request, form, formsets, change)
            after = related()
            changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
            if changes:
                audit.record(
                    actor=request.user,
                    action=f"{self.audit_action_prefix}.relations_changed",
                    obj=obj,
                    changes=changes,
                    context={"via": "admin"},
                )

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit.record(
                    actor=request.user,
                    action=f"{self.audit_action_prefix}.deleted",
                    obj=obj,
                    changes=audit.diff(audit.snapshot(obj), {}),
                    context={"via": "admin"},
                )
            super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages to look at; nothing is added, changed or deleted here (the services that write
    these records audit each step)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
