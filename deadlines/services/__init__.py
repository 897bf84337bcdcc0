"""Reminders sent once, snoozes and calendar feeds. Every write is here.

Who may snooze, follow a State or send reminders again is ``deadlines.access``'s to say; e-mails go out
through the tasks (``deadlines.tasks.send_reminder``), enqueued by name once the reminders are committed.
``team``: the national reporting team's internal due dates, reminded on the same machinery."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
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
from deadlines.services import queue, team
from parties.models import State

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SNOOZE_MAX_DAYS = 90


# --- Planning and recording the day's reminders -------------------------------------------------
def run_daily_reminders(*, today: dt.date) -> dict[str, int]:
    """Record every reminder due on ``today`` (once: a unique key per deadline, step and recipient)
    and queue the ones that can go out, in batches (``send_reminders``). Safe to run any number of times, at
    once: a later run queues again what is still queued (a lost message, a batch whose worker died)."""
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
            else:
                status = queue.initial_status(user, verified)
            rows.append(
                Reminder(
                    key=f"{deadline.key}@{deadline.date}|{offset}|{user.pk}",
                    recipient=user,
                    email=user.email,
                    status=status,
                    **common,
                )
            )
    queued = queue.record_and_queue(rows, rules)
    return {"deadlines": len(deadlines), "recorded": len(rows), "queued": queued}


def _step_is_due(rules: ReminderSettings, deadline: calendar.Deadline, offset: int) -> bool:
    # A missed extension-request date cannot be caught up: no overdue notices for it.
    if offset > 0 and deadline.kind == DeadlineKind.EXTENSION_REQUEST:
        return False
    return rules.offset_is_due(offset)


# --- Sending reminders in batches ----------------------------------------------------------------
#
# The day's queued reminders go out in batches (``ReminderSettings.batch_size``, 50 by default), one task each
# (``deadlines.tasks.send_reminder``), each through one connection to the mail server: a constant number of
# queries per batch, none per e-mail. What must survive a crash is which e-mail was handed to the mail server,
# and the database is not told per e-mail (it would cost a query each), so the progress is written to the cache
# (Redis in production), one key per reminder (``_mark_key``):
#
# - before message k is handed to the mail server, its key says "in hand";
# - once the server has accepted it, "sent";
# - at the end of the batch (also on any error, in a ``finally``) one UPDATE marks the sent ones sent and one
#   releases those not attempted, which stay "queued" and free for the next batch.
#
# A claimed reminder stays "queued" in the database while its batch holds it (``Reminder.batch``,
# ``claimed_at``): "being sent" keeps its meaning, *in doubt*, and is given only to the one e-mail a dead
# worker had in hand. If a mark cannot be written (Redis stopped), the batch stops before the next e-mail, so
# at most the one in hand is unknown, and the process that had it knows how it ended.
#
# Recovery: a batch's message is acknowledged late (``CELERY_TASK_ACKS_LATE``), so a batch whose worker died is
# delivered again (same task id, so it may take back its own reminders at once), and the day's next run (beat,
# every hour) queues again every reminder still queued. Whoever claims a reminder reads its mark first: "sent"
# → marked sent, not sent again; "in hand" → "being sent", for the ISU to decide (``requeue_reminders``), as a
# reminder a worker died sending always was; no mark → sent now. A reminder held by a batch that may still be
# running is left alone until the batch's lease (``BATCH_LEASE``) has passed; a batch stops handing e-mails
# to the server after half its lease, so that no two batches ever send the same reminder.
class RetryLater(Exception):
    """A temporary failure stopped a batch: ``ids`` are to be sent again after ``countdown`` seconds."""

    def __init__(self, message: str, *, ids: list[int], countdown: int, sent: int = 0) -> None:
        super().__init__(message)
        self.ids = ids
        self.countdown = countdown
        self.sent = sent  # e-mails the batch sent before it stopped


BATCH_LEASE = dt.timedelta(minutes=10)
# A mark has no expiry, so a cache that must make room (docker-compose's Redis evicts only keys that expire) never
# drops the record of an e-mail handed to the mail server; it is forgotten as soon as the database holds the outcome.
IN_HAND, SENT = "in_hand", "sent"


def _mark_key(reminder_id: int) -> str:
    return f"deadlines:reminder:{reminder_id}:mark"


def _claim(ids: list[int], batch: str) -> list[Reminder]:
    """Take the queued reminders of ``ids`` that no live batch holds (or that ``batch`` held before its worker
    died), with their recipient and State. Two queries: one UPDATE, which one claimer wins per row, then the
    rows it won."""
    now = timezone.now()
    free = Q(batch="") | Q(batch=batch) | Q(claimed_at__lt=now - BATCH_LEASE) | Q(claimed_at=None)
    Reminder.objects.filter(free, pk__in=ids, status=ReminderStatus.QUEUED).update(batch=batch, claimed_at=now)
    return list(
        Reminder.objects.filter(pk__in=ids, status=ReminderStatus.QUEUED, batch=batch)
        # An internal reminder's form, as it now stands (``team.still_due``) and as its e-mail names it.
        .select_related(
            "recipient",
            "state",
            "assignment__contributor",
            "assignment__report__state",
            "assignment__report__format_version",
        )
        .order_by("pk")
    )


def _recover(claimed: list[Reminder], marks: dict[str, Any]) -> tuple[list[Reminder], int]:
    """Settle what an earlier batch left marked: "sent" → sent, "in hand" → being sent (in doubt). The
    reminders still to send, and how many were found sent. No query unless marks are found."""
    found = {r.pk: marks.get(_mark_key(r.pk)) for r in claimed}
    sent = [pk for pk, mark in found.items() if mark and mark[0] == SENT]
    in_hand = [pk for pk, mark in found.items() if mark and mark[0] == IN_HAND]
    if sent:
        Reminder.objects.filter(pk__in=sent).update(
            status=ReminderStatus.SENT, sent_at=found[sent[0]][1], last_error="", attempts=F("attempts") + 1
        )
    for pk in in_hand:  # rare: one per dead worker
        Reminder.objects.filter(pk=pk).update(status=ReminderStatus.SENDING, claimed_at=found[pk][1])
        log.warning("Reminder %s was in hand when its worker died: left 'being sent' for the ISU", pk)
    _forget([*sent, *in_hand])
    return [r for r in claimed if not found[r.pk]], len(sent)


def _drop_no_longer_due(pending: list[Reminder]) -> list[Reminder]:
    """Internal reminders whose form changed since they were queued (ready, taken back, given to someone else or
    another date, report submitted: ``team.still_due``) are marked "no longer due" and not sent. No query unless
    one is found."""
    moot = {r.pk for r in pending if r.deadline_kind == DeadlineKind.INTERNAL and not team.still_due(r)}
    if moot:
        Reminder.objects.filter(pk__in=moot, status=ReminderStatus.QUEUED).update(
            status=ReminderStatus.NO_LONGER_DUE, batch="", claimed_at=None
        )
    return [r for r in pending if r.pk not in moot]


def _forget(reminder_ids: list[int]) -> None:
    """Drop the marks of reminders whose outcome the database now holds (called only after it was written). A
    mark that cannot be dropped (the cache is down) is harmless: a settled reminder is never claimed again."""
    if reminder_ids:
        with contextlib.suppress(Exception):
            cache.delete_many([_mark_key(pk) for pk in reminder_ids])


@dataclass
class _Progress:
    """What a batch did, kept in memory as it goes and settled in the database at its end."""

    batch: str
    sent: list[int] = field(default_factory=list)
    rest: list[int] = field(default_factory=list)  # claimed and not attempted: released
    failed: tuple[Reminder, str] | None = None  # the temporary failure that stopped the batch


def send_reminders(*, reminder_ids: list[int], batch: str | None = None, isu_email: str | None = None) -> int:
    """Send the queued reminders of ``reminder_ids`` once each, through one connection; how many e-mails went
    out. ``batch`` names the batch (its task's id: a redelivered message takes back what it held). A refused
    address marks its reminder bounced; a temporary failure stops the batch and raises ``RetryLater`` with the
    reminders to send again (the failed one is failed after ``MAX_ATTEMPTS``). Three queries for a batch that
    goes well (a fourth to read the ISU's address when a notice is copied to it and ``isu_email`` was not
    given). See the comment above."""
    batch = batch or uuid.uuid4().hex
    claimed = _claim(reminder_ids, batch)
    if not claimed:
        return 0
    progress = _Progress(batch=batch)
    try:
        marks = cache.get_many([_mark_key(r.pk) for r in claimed])
    except Exception as error:  # the cache is down: nothing can be sent safely
        progress.rest = [r.pk for r in claimed]
        _settle(progress)
        raise RetryLater(str(error), ids=progress.rest, countdown=60) from error
    pending, recovered = _recover(claimed, marks)
    pending = _drop_no_longer_due(pending)
    if isu_email is None:
        isu_email = ReminderSettings.current().isu_email if any(r.copy_to_isu for r in pending) else ""
    progress.rest = [r.pk for r in pending]
    try:
        _send_each(pending, isu_email, progress)
    finally:
        _settle(progress)
    _forget(progress.sent)  # the database holds them now; an error in _settle keeps the marks for recovery
    if progress.failed:
        reminder, error = progress.failed
        again = ([] if reminder.attempts >= MAX_ATTEMPTS else [reminder.pk]) + progress.rest
        if again:
            # Back off as a single reminder did: 1, 2, 4, 8 minutes, by the failed reminder's attempts.
            raise RetryLater(
                error, ids=again, countdown=60 * 2 ** min(reminder.attempts - 1, 3), sent=recovered + len(progress.sent)
            )
    return recovered + len(progress.sent)


def _send_each(pending: list[Reminder], isu_email: str, progress: _Progress) -> None:
    """Hand each message to the mail server on one connection, marking each in the cache before and after."""
    started = timezone.now()
    connection = get_connection()
    try:
        for reminder in pending:
            if timezone.now() - started > BATCH_LEASE / 2:
                return  # the rest are released: another batch may take them once this one's lease is over
            message = _message(reminder, isu_email, connection)
            if not _mark(reminder.pk, IN_HAND):
                return
            progress.rest.remove(reminder.pk)
            try:
                connection.open()
                message.send()
            except smtplib.SMTPRecipientsRefused as error:
                _mark_bounced(reminder, str(error))
                _forget([reminder.pk])
                continue
            except (smtplib.SMTPException, OSError) as error:
                reminder.attempts += 1
                progress.failed = (reminder, str(error))
                with contextlib.suppress(Exception):  # not sent: no longer in hand (if this fails: in doubt)
                    cache.delete(_mark_key(reminder.pk))
                return
            progress.sent.append(reminder.pk)
            if not _mark(reminder.pk, SENT):
                return
    finally:
        with contextlib.suppress(Exception):
            connection.close()


def _mark(reminder_id: int, what: str) -> bool:
    try:
        cache.set(_mark_key(reminder_id), (what, timezone.now()), None)
    except Exception:  # Redis stopped: stop before the next e-mail, so at most the one in hand is in doubt
        log.warning("Could not mark reminder %s %s in the cache: the batch stops", reminder_id, what, exc_info=True)
        return False
    return True


def _settle(progress: _Progress) -> None:
    """Write the batch's outcome: the sent ones sent, the failed one queued again (failed after its last
    attempt), the rest released. One query per kind of outcome."""
    if progress.sent:
        Reminder.objects.filter(pk__in=progress.sent).update(
            status=ReminderStatus.SENT, sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1
        )
    if progress.failed:
        reminder, error = progress.failed
        final = reminder.attempts >= MAX_ATTEMPTS
        Reminder.objects.filter(pk=reminder.pk).update(
            status=ReminderStatus.FAILED if final else ReminderStatus.QUEUED,
            attempts=reminder.attempts,
            last_error=error[:1000],
            batch="",
        )
        if final:
            log.error("Reminder %s failed after %s attempts: %s", reminder.key, reminder.attempts, error)
    if progress.rest:
        Reminder.objects.filter(pk__in=progress.rest, status=ReminderStatus.QUEUED, batch=progress.batch).update(
            batch="", claimed_at=None
        )


def _message(reminder: Reminder, isu_email: str, connection: Any) -> EmailMultiAlternatives:
    """The reminder's e-mail, in its recipient's language; the ISU copied on overdue notices."""
    if reminder.deadline_kind == DeadlineKind.INTERNAL:
        return team.message(reminder, connection)
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
            cc=[isu_email] if reminder.copy_to_isu else [],
            connection=connection,
        )
        message.attach_alternative(render_to_string("deadlines/email/reminder.html", context), "text/html")
    return message


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
            % {"email": reminder.email, "state": reminder.state.local_name, "error": error, "key": reminder.key},
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
    was lost (still queued: one more message is harmless, a batch claims a reminder once). The ISU
    decides (a reminder stuck while sending may have gone out already: check the mail log): its mark of a
    dead batch is forgotten. A queued reminder is only queued again: a batch may hold it, and the batch that
    takes it next reads what an earlier one left marked (see "Sending reminders in batches")."""
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
    decided = [r.pk for r in rows if r.status != ReminderStatus.QUEUED]
    Reminder.objects.filter(pk__in=decided).update(status=ReminderStatus.QUEUED, last_error="", batch="")
    Reminder.objects.filter(pk__in=[r.pk for r in rows]).update(last_error="")
    transaction.on_commit(lambda: cache.delete_many([_mark_key(pk) for pk in decided]))
    batch_size = ReminderSettings.current().batch_size
    enqueue_each("deadlines.tasks.send_reminder", queue.batches([r.pk for r in rows], batch_size))
    return len(rows)
