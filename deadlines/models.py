"""Reminder settings, the log of reminders (one row per deadline, step and recipient), snoozes
and calendar feeds."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _default_offsets() -> list[int]:
    return [60, 30, 7, 0]


def _default_team_offsets() -> list[int]:
    return [7, 1]


def _step_is_due(offset: int, days_before: list[int], overdue_every: int) -> bool:
    """Whether a schedule reminds ``offset`` days after a date: on the days before it listed, then every
    ``overdue_every`` days once it has passed (0: never)."""
    if offset <= 0:
        return -offset in set(days_before)
    return overdue_every > 0 and offset % overdue_every == 0


def _default_kinds() -> list[str]:
    return ["initial_report", "annual_report", "stockpile", "clearance", "extension_request"]


class DeadlineKind(models.TextChoices):
    INITIAL_REPORT = "initial_report", _("Initial Article 7 report")
    ANNUAL_REPORT = "annual_report", _("Annual Article 7 report")
    STOCKPILE = "stockpile", _("Art. 3 stockpile destruction")
    CLEARANCE = "clearance", _("Art. 4 clearance")
    EXTENSION_REQUEST = "extension_request", _("Last day to request an extension")
    MEETING = "meeting", _("Meeting of States Parties")
    # A form of a report given to a national contributor by the State's focal point, by an internal date of the
    # State's own (``reporting.FormAssignment``): reminded on its own schedule, never a treaty deadline.
    INTERNAL = "internal", _("Internal due date")


def internal_deadline_key(*, iso3: str, assignment_id: int, contributor_id: int, period: str, form_code: str) -> str:
    """The deadline a form given to a contributor is, for reminders: it names the State (first, as every
    deadline key), the assignment and its contributor (another contributor, another deadline) and what the
    title says (``reminder_title``), so a reminder row is read without its assignment."""
    return f"{iso3}:internal:{assignment_id}:{contributor_id}:{period}:{form_code}"


def _internal_title(deadline_key: str) -> str:
    _iso3, _kind, _assignment, _contributor, period, form = deadline_key.split(":", 5)
    if period == "initial":
        return gettext("Form %(form)s of the initial report, internal due date") % {"form": form}
    return gettext("Form %(form)s of the annual update for %(year)s, internal due date") % {
        "form": form,
        "year": period,
    }


def reminder_title(kind: str, deadline_key: str) -> str:
    """The deadline a reminder is about, from what the reminder row holds."""
    label = DeadlineKind(kind).label
    if kind == DeadlineKind.INTERNAL:
        return _internal_title(deadline_key)
    if kind == DeadlineKind.ANNUAL_REPORT:
        return gettext("%(label)s for %(year)s") % {"label": label, "year": deadline_key.rsplit(":", 1)[-1]}
    return str(label)


class ReminderSettings(models.Model):
    """When reminders go out: rows the ISU edits in the admin, not constants in code."""

    days_before = models.JSONField(
        _("days before the deadline"),
        default=_default_offsets,
        help_text=_("Reminders go out this many days before the deadline; 0 is the day itself."),
    )
    overdue_every_days = models.PositiveSmallIntegerField(_("overdue notice every (days)"), default=14)
    kinds = models.JSONField(_("deadlines reminded"), default=_default_kinds)
    tracking_starts_on = models.DateField(
        _("remind deadlines from"),
        default=dt.date(2026, 1, 1),
        help_text=_("Deadlines before this date (from before the portal) get no reminders or overdue notices."),
    )
    isu_email = models.EmailField(
        _("ISU address"), default="info@cmconvention.org", help_text=_("Copied on overdue notices; told of problems.")
    )
    batch_size = models.PositiveSmallIntegerField(
        _("e-mails per batch"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_(
            "Reminders are sent this many at a time through one connection to the mail server. Whatever the size,"
            " a worker that dies mid-batch leaves at most the e-mail in hand in doubt."
        ),
    )
    # The national reporting team's internal due dates (forms given to contributors): their own schedule.
    team_days_before = models.JSONField(
        _("days before an internal due date"),
        default=_default_team_offsets,
        help_text=_(
            "Contributors are reminded of a form given to them this many days before its internal due date; 0 is"
            " the day itself."
        ),
    )
    team_overdue_every_days = models.PositiveSmallIntegerField(
        _("internal overdue notice every (days)"),
        default=7,
        help_text=_(
            "Once a form's internal due date has passed, its contributor and the State's focal points are told"
            " every this many days until the form is ready. 0: no overdue notices."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    @classmethod
    def current(cls) -> ReminderSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row

    def offset_is_due(self, offset: int) -> bool:
        """``offset`` = today − deadline in days: negative before, 0 on the day, positive overdue."""
        return _step_is_due(offset, self.days_before, self.overdue_every_days)

    def team_offset_is_due(self, offset: int) -> bool:
        """The same for a form's internal due date, on the team's own schedule."""
        return _step_is_due(offset, self.team_days_before, self.team_overdue_every_days)


class ReminderStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed after retries")
    BOUNCED = "bounced", _("Address bounced")
    SKIPPED_UNVERIFIED = "skipped_unverified", _("Not sent: e-mail address not verified")
    SKIPPED_BOUNCED = "skipped_bounced", _("Not sent: address bounced before")
    SNOOZED = "snoozed", _("Not sent: snoozed by the recipient")
    NO_RECIPIENT = "no_recipient", _("Not sent: the State has no focal point")
    # An internal reminder whose form was marked ready, taken back, given to someone else or given another date
    # (or whose report was submitted) after it was queued.
    NO_LONGER_DUE = "no_longer_due", _("Not sent: no longer due")


PROBLEM_STATUSES = frozenset(
    {
        ReminderStatus.FAILED,
        ReminderStatus.BOUNCED,
        ReminderStatus.SKIPPED_UNVERIFIED,
        ReminderStatus.SKIPPED_BOUNCED,
        ReminderStatus.NO_RECIPIENT,
    }
)


class Reminder(models.Model):
    """One reminder step for one deadline and one recipient. The row is written before the
    e-mail goes out, under a unique key, so that no run, retry or second worker sends it twice."""

    key = models.CharField(max_length=160, unique=True)
    deadline_key = models.CharField(_("deadline"), max_length=80, db_index=True)
    deadline_kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    deadline_date = models.DateField(_("deadline date"))
    state = models.ForeignKey("parties.State", on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.SmallIntegerField(
        _("step"), help_text=_("Days after the deadline: −60, −30, −7, 0, then +14, +28… when overdue.")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    email = models.EmailField(_("sent to"), blank=True)
    copy_to_isu = models.BooleanField(_("copied to the ISU"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    for_day = models.DateField(_("reminder day"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When a batch claimed it (``deadlines.services.send_reminders``): a reminder "being sent" for long had its
    # worker die with its e-mail in hand; a queued one held by a batch (``batch``) for longer than the batch's
    # lease had its worker die before reaching it.
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    # The batch (its task's id) that holds this queued reminder to send it; blank when no batch holds it.
    batch = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Internal due dates only: the form given to a contributor this reminder is about (none once taken back).
    assignment = models.ForeignKey(
        "reporting.FormAssignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-for_day", "deadline_key"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["status", "for_day"]), models.Index(fields=["state", "deadline_key"])]

    def __str__(self) -> str:
        return self.key

    @property
    def is_overdue_notice(self) -> bool:
        return self.offset_days > 0


class Snooze(models.Model):
    """A user asked not to be reminded of one deadline until a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="snoozes")
    deadline_key = models.CharField(max_length=80)
    until = models.DateField(_("snoozed until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "deadline_key"], name="one_snooze_per_deadline")]

    def __str__(self) -> str:
        return f"{self.user} {self.deadline_key} until {self.until}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A secret-token iCalendar URL: for one State's deadlines, or for one user's."""

    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds", help_text=_("Owner")
    )
    state = models.ForeignKey(
        "parties.State", on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "state"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_user_and_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.state or 'personal'}"
