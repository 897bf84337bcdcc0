"""Reminders sent once, snoozes and calendar feeds. Every write is here.

Who may snooze, follow a State or send reminders again is ``deadlines.access``'s to say; e-mails go out
through the tasks (``deadlines.tasks.send_reminder``), enqueued by name once the reminders are committed."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from ccm_portal.core import links
from ccm_portal.core.tasks import enqueue_each
from deadlines import access, calendar
from deadlines.models import (
    CalendarFeed,
    DeadlineKind,
    Reminder,
    ReminderSettings,
    ReminderStatus,
    Snooze,
    reminder_title,
)
from parties.models import State

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SNOOZE_MAX_DAYS = 90


# --- Planning and recording the day's reminders -------------------------------------------------
def run_daily_reminders(*, today: dt.date) -> dict[str, int]:
    """Record every reminder due on ``today`` (once: a unique key per deadline, step and recipient)
    and queue an e-mail for each one that can go out. Safe to run any number of times, at once."""
    rules = ReminderSettings.current()
    data = calendar.load(as_of=today)
    longest = max([*rules.days_before, 0])
    start = max(rules.tracking_starts_on, today - dt.timedelta(days=3660))
    deadlines = [
        d
        for state in data.states
        for d in calendar.state_deadlines(state, data, start=start, end=today + dt.timedelta(days=longest), as_of=today)
        # Never a reminder for a report due before the portal was its complete record: it may have been sent
        # outside the portal ("no record" is not "not sent").
        if d.kind in rules.kinds and not d.met and d.remindable and _step_is_due(rules, d, (today - d.date).days)
    ]
    states = {s.iso3: s for s in data.states}
    focal_points: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(access.reminded()):
        focal_points[user.state_id].append(user)
    verified = set(
        EmailAddress.objects.filter(verified=True, user__in=User.objects.filter(access.reminded())).values_list(
            "user_id", "email"
        )
    )
    snoozed = set(Snooze.objects.filter(until__gte=today).values_list("user_id", "deadline_key"))
    rows = []
    for deadline in deadlines:
        state = states[deadline.state_iso3]
        offset = (today - deadline.date).days
        common = {
            "deadline_key": deadline.key,
            "deadline_kind": deadline.kind,
            "deadline_date": deadline.date,
            "state": state,
            "offset_days": offset,
            "for_day": today,
            "copy_to_isu": offset > 0,
        }
        recipients = focal_points.get(state.pk, [])
        if not recipients:
            rows.append(
                Reminder(
                    key=f"{deadline.key}@{deadline.date}|{offset}|none", status=ReminderStatus.NO_RECIPIENT, **common
                )
            )
            continue
        for user in recipients:
            if (user.pk, deadline.key) in snoozed:
                status = ReminderStatus.SNOOZED
            elif user.email_bounced_at:
                status = ReminderStatus.SKIPPED_BOUNCED
            elif (user.pk, user.email) not in verified:
                status = ReminderStatus.SKIPPED_UNVERIFIED
            else:
                status = ReminderStatus.QUEUED
            rows.append(
                Reminder(
                    key=f"{deadline.key}@{deadline.date}|{offset}|{user.pk}",
                    recipient=user,
                    email=user.email,
                    status=status,
                    **common,
                )
            )
    with transaction.atomic():
        # The unique key makes a second run, or a run in a second beat process, insert nothing.
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        queued = list(
            Reminder.objects.filter(key__in=[r.key for r in rows], status=ReminderStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
        enqueue_each("deadlines.tasks.send_reminder", queued)
    return {"deadlines": len(deadlines), "recorded": len(rows), "queued": len(queued)}


def _step_is_due(rules: ReminderSettings, deadline: calendar.Deadline, offset: int) -> bool:
    # A missed extension-request date cannot be caught up: no overdue notices for it.
    if offset > 0 and deadline.kind == DeadlineKind.EXTENSION_REQUEST:
        return False
    return rules.offset_is_due(offset)


# --- Sending one reminder ------------------------------------------------------------------------
class RetryLater(Exception):
    pass


def claim_reminder(reminder_id: int) -> Reminder | None:
    """Move a queued reminder to "sending", noting when; exactly one caller wins."""
    claimed = Reminder.objects.filter(pk=reminder_id, status=ReminderStatus.QUEUED).update(
        status=ReminderStatus.SENDING, attempts=F("attempts") + 1, claimed_at=Now()
    )
    if not claimed:
        return None
    return Reminder.objects.select_related("recipient", "state").get(pk=reminder_id)


def send_reminder(*, reminder_id: int, final_attempt: bool = False) -> bool:
    """Send a recorded reminder once. A temporary SMTP failure puts it back in the queue and
    raises ``RetryLater``; after the last attempt it is marked failed for the ISU to see."""
    reminder = claim_reminder(reminder_id)
    if reminder is None:
        return False
    rules = ReminderSettings.current()
    user = reminder.recipient
    context = {
        "reminder": reminder,
        "user": user,
        "state": reminder.state,
        "days": abs(reminder.offset_days),
        "site_url": links.site_url(),
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context["title"] = reminder_title(reminder.deadline_kind, reminder.deadline_key)
        subject = render_to_string("deadlines/email/reminder_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body=render_to_string("deadlines/email/reminder.txt", context),
            to=[reminder.email],
            cc=[rules.isu_email] if reminder.copy_to_isu else [],
        )
        message.attach_alternative(render_to_string("deadlines/email/reminder.html", context), "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        _mark_bounced(reminder, str(error))
        return False
    except (smtplib.SMTPException, OSError) as error:
        status = ReminderStatus.FAILED if final_attempt or reminder.attempts >= MAX_ATTEMPTS else ReminderStatus.QUEUED
        Reminder.objects.filter(pk=reminder.pk).update(status=status, last_error=str(error)[:1000])
        if status == ReminderStatus.FAILED:
            log.error("Reminder %s failed after %s attempts: %s", reminder.key, reminder.attempts, error)
            return False
        raise RetryLater(str(error)) from error
    Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


@transaction.atomic
def _mark_bounced(reminder: Reminder, error: str) -> None:
    Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.BOUNCED, last_error=error[:1000])
    user = reminder.recipient
    if user and not user.email_bounced_at:
        user.email_bounced_at = timezone.now()
        user.save(update_fields=["email_bounced_at"])
        audit.record(
            actor=None, action="accounts.user.email_bounced", obj=user, changes={"email_bounced_at": [None, "now"]}
        )
    rules = ReminderSettings.current()
    transaction.on_commit(
        lambda: EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
            + _("A reminder bounced: %(email)s") % {"email": reminder.email},
            body=_("Mail to %(email)s (%(state)s) was refused: %(error)s\nReminder: %(key)s")
            % {"email": reminder.email, "state": reminder.state.name, "error": error, "key": reminder.key},
            to=[rules.isu_email],
        ).send()
    )


def record_bounce(*, email: str) -> int:
    """Mark an address as bounced (e.g. from a delivery report the mail server sent back)."""
    users = list(User.objects.filter(email__iexact=email, email_bounced_at__isnull=True))
    with transaction.atomic():
        for user in users:
            user.email_bounced_at = timezone.now()
            user.save(update_fields=["email_bounced_at"])
            audit.record(
                actor=None, action="accounts.user.email_bounced", obj=user, changes={"email_bounced_at": [None, "now"]}
            )
    return len(users)


# --- Snoozes -----------------------------------------------------------------------------------
@transaction.atomic
def snooze(*, user: User, deadline_key: str, until: dt.date, today: dt.date) -> Snooze:
    if not access.may_snooze(user, deadline_key):
        raise PermissionDenied
    if until <= today:
        raise ValidationError({"until": _("Choose a day after today.")})
    if until > today + dt.timedelta(days=SNOOZE_MAX_DAYS):
        raise ValidationError(
            {"until": _("A reminder can be snoozed for %(n)s days at most.") % {"n": SNOOZE_MAX_DAYS}}
        )
    row, _created = Snooze.objects.update_or_create(user=user, deadline_key=deadline_key, defaults={"until": until})
    audit.record(actor=user, action="deadlines.snooze.set", obj=row, changes={"until": [None, until.isoformat()]})
    return row


@transaction.atomic
def unsnooze(*, user: User, deadline_key: str) -> None:
    deleted, _rows = Snooze.objects.filter(user=user, deadline_key=deadline_key).delete()
    if deleted:
        audit.record(actor=user, action="deadlines.snooze.removed", obj=user, context={"deadline": deadline_key})


# --- Calendar feeds ------------------------------------------------------------------------------
@transaction.atomic
def create_feed(*, user: User, state: State | None) -> CalendarFeed:
    """A personal feed (``state`` None: the user's own deadlines) or a State's feed (its focal points
    and the ISU). Creating a feed again replaces the live one, so a leaked URL can be cut off."""
    if state is not None and not access.may_follow_state(user, state):
        raise PermissionDenied
    for old in CalendarFeed.objects.filter(user=user, state=state, revoked_at__isnull=True):
        revoke_feed(feed=old, user=user)
    feed = CalendarFeed.objects.create(user=user, state=state)
    audit.record(
        actor=user, action="deadlines.feed.created", obj=feed, context={"state": state.iso3 if state else None}
    )
    return feed


@transaction.atomic
def revoke_feed(*, feed: CalendarFeed, user: User) -> None:
    if not access.may_revoke_feed(user, feed):
        raise PermissionDenied
    if feed.revoked_at:
        return
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record(actor=user, action="deadlines.feed.revoked", obj=feed)


@transaction.atomic
def requeue_reminders(*, reminder_ids: list[int], actor: User) -> int:
    """Send again reminders that failed, that a crashed worker left "being sent", or whose queued message
    was lost (still queued: one more message is harmless, the send claims a reminder once). The ISU
    decides (a reminder stuck while sending may have gone out already: check the mail log)."""
    if not access.may_requeue_reminders(actor):
        raise PermissionDenied
    rows = list(
        Reminder.objects.select_for_update().filter(
            pk__in=reminder_ids, status__in=[ReminderStatus.FAILED, ReminderStatus.SENDING, ReminderStatus.QUEUED]
        )
    )
    for reminder in rows:
        audit.record(
            actor=actor,
            action="deadlines.reminder.requeued",
            obj=reminder,
            changes={"status": [reminder.status, ReminderStatus.QUEUED]},
        )
    ids = [r.pk for r in rows]
    Reminder.objects.filter(pk__in=ids).update(status=ReminderStatus.QUEUED, last_error="")
    enqueue_each("deadlines.tasks.send_reminder", ids)
    return len(rows)
