"""Reminders sent in batches (``deadlines.services.send_reminders``): one connection and a constant number of
queries per batch, each reminder sent once whatever fails in the middle — the mail server (a refused address, a
temporary failure), the worker (killed with an e-mail in hand) or the cache that keeps the batch's progress.

The failures come from real mail and cache backends that fail (below), never from mocks of the database.
"""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from audit.models import AuditEntry
from deadlines import services, tasks
from deadlines.models import Reminder, ReminderSettings, ReminderStatus
from parties.models import State
from tests.factories import make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)  # 60 days before 30 April: an annual report reminder for every focal point


@pytest.fixture
def five_reminders():
    """Five focal points of Lao PDR, each with a reminder queued on ``DAY``; their ids, in order."""
    rules = ReminderSettings.current()
    rules.kinds = ["annual_report"]
    rules.tracking_starts_on = dt.date(2026, 1, 1)
    rules.save()
    for n in range(5):
        make_user(Role.FOCAL_POINT, iso3="LAO", email=f"fp{n}@example.org")
    services.run_daily_reminders(today=DAY)  # recorded; the batches are queued on commit, which never comes here
    ids = list(Reminder.objects.filter(status=ReminderStatus.QUEUED).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 5
    cache.clear()
    return ids


def statuses(ids):
    rows = dict(Reminder.objects.filter(pk__in=ids).values_list("pk", "status"))
    return [rows[pk] for pk in ids]


def mailed():
    return [m.to[0] for m in mail.outbox]


class Counting(LocmemBackend):
    """The locmem outbox, counting the messages handed to it across connections (``calls``)."""

    calls = 0
    connections = 0

    def open(self):
        type(self).connections += 1 if not getattr(self, "_opened", False) else 0
        self._opened = True
        return super().open()

    def send_messages(self, messages):
        type(self).calls += 1
        self.fail_on(type(self).calls, messages)
        return super().send_messages(messages)

    def fail_on(self, call, messages):
        pass


class TryLaterOnThird(Counting):
    """A mail server that accepts two messages, then answers one "try later", then accepts again."""

    def fail_on(self, call, messages):
        if call == 3:
            raise smtplib.SMTPServerDisconnected("421 try later")


class RefusesTheSecond(Counting):
    def fail_on(self, call, messages):
        if call == 2:
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


class WorkerKilled(BaseException):
    """What a SIGKILL is to the code that runs: the end, whatever it was doing (not an ``Exception``)."""


class DiesAfterHandingOverTheThird(Counting):
    """The third message reaches the mail server, and the worker dies before it hears so."""

    def send_messages(self, messages):
        type(self).calls += 1
        sent = LocmemBackend.send_messages(self, messages)
        if type(self).calls == 3:
            raise WorkerKilled
        return sent


class CacheStopsAfter(LocMemCache):
    """A cache (as Redis would) that stops answering after ``writes`` writes."""

    writes = 0

    def set(self, *args, **kwargs):
        type(self).writes -= 1
        if type(self).writes < 0:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return super().set(*args, **kwargs)


@pytest.fixture
def backend(settings):
    def use(cls):
        cls.calls = cls.connections = 0
        settings.EMAIL_BACKEND = f"{__name__}.{cls.__name__}"

    return use


def test_a_batch_goes_through_one_connection_in_three_queries(five_reminders, backend):
    backend(Counting)
    with CaptureQueriesContext(connection) as ctx:
        assert services.send_reminders(reminder_ids=five_reminders) == 5
    assert len(ctx.captured_queries) == 3  # claim, read with recipient and State, mark the five sent
    assert Counting.connections == 1 and Counting.calls == 5
    assert statuses(five_reminders) == [ReminderStatus.SENT] * 5
    assert sorted(mailed()) == [f"fp{n}@example.org" for n in range(5)]
    # The same batch again (a message delivered twice, the day's next run): nothing more.
    assert services.send_reminders(reminder_ids=five_reminders) == 0
    assert len(mail.outbox) == 5


def test_a_temporary_failure_on_the_third_of_five_sends_the_rest_later_once(five_reminders, backend):
    backend(TryLaterOnThird)
    with pytest.raises(services.RetryLater) as retry:
        services.send_reminders(reminder_ids=five_reminders)
    assert retry.value.ids == five_reminders[2:] and retry.value.countdown == 60
    assert statuses(five_reminders) == [ReminderStatus.SENT] * 2 + [ReminderStatus.QUEUED] * 3
    attempts = dict(Reminder.objects.filter(pk__in=five_reminders).values_list("pk", "attempts"))
    assert [attempts[pk] for pk in five_reminders] == [1, 1, 1, 0, 0]  # only what was tried counts an attempt
    assert "try later" in Reminder.objects.get(pk=five_reminders[2]).last_error
    assert not Reminder.objects.filter(pk__in=five_reminders[2:]).exclude(batch="").exists()  # free again
    assert len(mail.outbox) == 2
    # The retry (the task's, after a minute) sends the three, once each.
    assert services.send_reminders(reminder_ids=retry.value.ids) == 3
    assert statuses(five_reminders) == [ReminderStatus.SENT] * 5
    assert sorted(mailed()) == [f"fp{n}@example.org" for n in range(5)]


def test_the_task_sends_again_what_a_temporary_failure_stopped_and_counts_emails(five_reminders, backend):
    """Eagerly (no broker in the tests), the batch queued again after the back-off runs at once."""
    from ccm_portal.operations.metrics import REMINDERS_SENT

    backend(TryLaterOnThird)
    before = REMINDERS_SENT._value.get()
    assert tasks.send_reminder.apply(args=[five_reminders]).get() == 2  # then 3 in the batch queued again
    assert statuses(five_reminders) == [ReminderStatus.SENT] * 5
    assert sorted(mailed()) == [f"fp{n}@example.org" for n in range(5)]
    assert REMINDERS_SENT._value.get() - before == 5  # e-mails, not batches


def test_a_refused_address_inside_a_batch_bounces_alone(five_reminders, backend, django_capture_on_commit_callbacks):
    backend(RefusesTheSecond)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(reminder_ids=five_reminders) == 4
    assert statuses(five_reminders) == [ReminderStatus.SENT, ReminderStatus.BOUNCED] + [ReminderStatus.SENT] * 3
    bounced = Reminder.objects.select_related("recipient").get(pk=five_reminders[1])
    assert bounced.recipient.email_bounced_at is not None
    assert AuditEntry.objects.filter(action="accounts.user.email_bounced", object_id=str(bounced.recipient_id)).exists()
    told = [m for m in mail.outbox if m.to == [ReminderSettings.current().isu_email]]
    assert len(told) == 1 and bounced.email in told[0].subject
    # The five reminders on one connection; the ISU's message on its own.
    assert RefusesTheSecond.calls == 6 and RefusesTheSecond.connections == 1


def test_a_batch_interrupted_mid_send_is_recovered_by_the_next_run_once(
    five_reminders, backend, django_capture_on_commit_callbacks
):
    """The worker dies while the third e-mail is with the mail server: the two before are sent, the third in
    doubt ("being sent", it did go out: the ISU decides), the last two are sent by the day's next run, once."""
    backend(DiesAfterHandingOverTheThird)
    with pytest.raises(WorkerKilled):
        services.send_reminders(reminder_ids=five_reminders, batch="batch-1")
    assert len(mail.outbox) == 3
    # Within the batch's lease nobody else takes the reminder it had in hand; the day's next run, an hour on, does.
    services.send_reminders(reminder_ids=five_reminders, batch="another")
    assert Reminder.objects.get(pk=five_reminders[2]).status == ReminderStatus.QUEUED
    Reminder.objects.filter(batch="batch-1").update(claimed_at=dt.datetime(2026, 3, 1, 6, tzinfo=dt.UTC))
    backend(Counting)
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        services.run_daily_reminders(today=DAY)
    assert statuses(five_reminders) == [ReminderStatus.SENT] * 2 + [ReminderStatus.SENDING] + [ReminderStatus.SENT] * 2
    assert sorted(mailed()) == [f"fp{n}@example.org" for n in range(5)]  # each once, the one in doubt included
    assert len(ctx.captured_queries) <= 16 + 3 * 4  # planning, three batches of one (the one in hand: +1)


def test_a_dead_batch_redelivered_takes_back_its_reminders_from_the_marks(five_reminders, backend):
    """What a SIGKILL leaves (nothing settled in the database): the batch's claim and its marks in the cache."""
    claimed = services._claim(five_reminders, "batch-1")
    assert len(claimed) == 5
    cache.set(services._mark_key(five_reminders[0]), (services.SENT, dt.datetime(2026, 3, 1, 6, tzinfo=dt.UTC)))
    cache.set(services._mark_key(five_reminders[1]), (services.IN_HAND, dt.datetime(2026, 3, 1, 6, tzinfo=dt.UTC)))
    assert statuses(five_reminders) == [ReminderStatus.QUEUED] * 5  # held by the dead batch
    backend(Counting)
    assert services.send_reminders(reminder_ids=five_reminders, batch="batch-1") == 4  # one found sent + three
    assert statuses(five_reminders) == [ReminderStatus.SENT, ReminderStatus.SENDING] + [ReminderStatus.SENT] * 3
    assert mailed() == [f"fp{n}@example.org" for n in range(2, 5)]


def test_the_isu_sends_the_one_in_doubt_again(five_reminders, backend, isu_staff, django_capture_on_commit_callbacks):
    """A reminder left "being sent" by a dead batch: the ISU decides to send it again; its mark is forgotten."""
    services._claim(five_reminders[:1], "batch-1")
    cache.set(services._mark_key(five_reminders[0]), (services.IN_HAND, dt.datetime(2026, 3, 1, 6, tzinfo=dt.UTC)))
    backend(Counting)
    assert services.send_reminders(reminder_ids=five_reminders[:1], batch="batch-1") == 0
    assert statuses(five_reminders[:1]) == [ReminderStatus.SENDING]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_reminders(reminder_ids=five_reminders[:1], actor=isu_staff) == 1
    assert statuses(five_reminders[:1]) == [ReminderStatus.SENT]
    assert mailed() == ["fp0@example.org"]


def test_the_cache_stopping_mid_batch_leaves_nothing_in_doubt(five_reminders, backend, settings):
    """Redis stops after the second e-mail's marks: the batch stops before the third, the two are marked sent
    by the process that sent them, the rest wait queued for the day's next run."""
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.CacheStopsAfter"}}
    CacheStopsAfter.writes = 4  # in hand and sent, twice
    backend(Counting)
    assert services.send_reminders(reminder_ids=five_reminders) == 2
    assert statuses(five_reminders) == [ReminderStatus.SENT] * 2 + [ReminderStatus.QUEUED] * 3
    assert not Reminder.objects.filter(pk__in=five_reminders[2:]).exclude(batch="").exists()
    CacheStopsAfter.writes = 100
    assert services.send_reminders(reminder_ids=five_reminders) == 3
    assert sorted(mailed()) == [f"fp{n}@example.org" for n in range(5)]


def test_the_whole_busiest_day_in_at_most_60_queries(five_reminders, backend, django_capture_on_commit_callbacks):
    """Five focal points for every State Party (more than 500 e-mails): planning and every batch."""
    for state in State.objects.exclude(deposit_date=None).exclude(iso3="LAO"):
        for n in range(5):
            make_user(Role.FOCAL_POINT, iso3=state.iso3, email=f"fp{n}.{state.iso3.lower()}@example.org")
    backend(Counting)
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        services.run_daily_reminders(today=DAY)
    assert len(mail.outbox) >= 500
    # The day's reminders are recorded in one bulk INSERT; SQLite takes at most 999 parameters a statement, so
    # Django sends it there in several (11 here), PostgreSQL in one: count it once.
    sql = [query["sql"] for query in ctx.captured_queries]
    inserts = [q for q in sql if q.startswith(("INSERT INTO", "INSERT OR IGNORE INTO"))]
    assert inserts and all('"deadlines_reminder"' in q for q in inserts)
    assert len(sql) - len(inserts) + 1 <= 60
    assert not Reminder.objects.filter(status__in=[ReminderStatus.QUEUED, ReminderStatus.SENDING]).exists()


class RecordsExpiries(LocMemCache):
    """A cache that notes the expiry each mark was written with (as Redis keeps a key's TTL)."""

    expiries: list = []

    def set(self, key, value, timeout=None, version=None):
        type(self).expiries.append((key, timeout))
        return super().set(key, value, timeout, version)


def test_marks_never_expire_and_are_forgotten_once_the_database_holds_the_outcome(five_reminders, backend, settings):
    """docker-compose's Redis makes room by evicting keys that expire: a mark (the only record of an e-mail handed
    to the mail server until the batch settles) must have no expiry, and must not outlive its settlement."""
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.RecordsExpiries"}}
    RecordsExpiries.expiries = []
    backend(RefusesTheSecond)
    assert services.send_reminders(reminder_ids=five_reminders) == 4
    marks = [(key, timeout) for key, timeout in RecordsExpiries.expiries if key.endswith(":mark")]
    assert len(marks) == 9 and all(timeout is None for _key, timeout in marks), marks  # in hand x5, sent x4
    left = cache.get_many([services._mark_key(pk) for pk in five_reminders])
    assert left == {}, f"marks left after the batch settled (sent and bounced): {left}"
