"""People who sign in, their role, and the invitations that bring them in."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FOCAL_POINT = "focal_point", _("National focal point")
    ISU_STAFF = "isu_staff", _("ISU staff")
    COORDINATOR = "coordinator", _("Thematic coordinator")
    DONOR = "donor", _("Donor focal point")
    # Someone of a national body (a ministry, the mine action centre) who contributes forms of the State's reports;
    # invited by the State's focal point, who alone submits to the ISU.
    CONTRIBUTOR = "contributor", _("National contributor")


class ThematicArea(models.Model):
    """A thematic area of the Coordination Committee; the ISU keeps the list current."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(role=Role.ISU_STAFF, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class RoleFields(models.Model):
    """What a role is attached to: the State of a focal point, the areas of a coordinator,
    the State or organization of a donor focal point. Shared by users and invitations."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    state = models.ForeignKey(
        "parties.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("State"),
    )
    organization = models.CharField(
        _("organization"),
        max_length=200,
        blank=True,
        help_text=_("For a donor focal point not acting for a State; for a national contributor, their body."),
    )

    class Meta:
        abstract = True


def _role_constraints(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=~Q(role=Role.FOCAL_POINT) | Q(state__isnull=False),
            name=f"{prefix}_focal_point_has_state",
        ),
        models.CheckConstraint(
            condition=~Q(role=Role.DONOR) | Q(state__isnull=False) | ~Q(organization=""),
            name=f"{prefix}_donor_has_state_or_organization",
        ),
        models.CheckConstraint(
            condition=~Q(role=Role.CONTRIBUTOR) | (Q(state__isnull=False) & ~Q(organization="")),
            name=f"{prefix}_contributor_has_state_and_body",
        ),
    ]


class User(AbstractBaseUser, PermissionsMixin, RoleFields):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="coordinators", verbose_name=_("thematic areas")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("Set for ISU staff; gives access to the administration pages.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    language = models.CharField(
        _("language for e-mails"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_bounced_at = models.DateTimeField(
        _("e-mail bounced"),
        null=True,
        blank=True,
        help_text=_("Set when mail to this address was refused; cleared by the ISU."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = _role_constraints("user")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Django lets a superuser do anything in the admin; here only in a session whose second
    # factor was given, as for every other staff capability (accounts.permissions).
    def has_perm(self, perm: str, obj=None) -> bool:
        if self.is_superuser and not self._second_factor_verified():
            return False
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_superuser and not self._second_factor_verified():
            return False
        return super().has_module_perms(app_label)

    def _second_factor_verified(self) -> bool:
        from accounts import permissions

        return permissions.second_factor_verified(self)


def _new_nonce() -> str:
    return secrets.token_urlsafe(16)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(RoleFields):
    """An ISU invitation; it fixes the role (and State or areas) of the account it creates."""

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="+", verbose_name=_("thematic areas")
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="invitation", verbose_name=_("account")
    )
    # Part of the signed token in the link; replacing it voids links already sent.
    nonce = models.CharField(max_length=32, default=_new_nonce, editable=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = _role_constraints("invitation")

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
