"""E-mails about matches and coordinator tasks: who hears of what, once per (event, recipient), in
their language; and the daily check that raises a task on requests nobody offered anything for."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from assistance import notifications
from assistance.models import (
    AssistanceNotification,
    AssistanceSettings,
    CoordinatorTask,
    Donor,
    Match,
    MatchStatus,
    RequestStatus,
    TaskKind,
)
from assistance.services import matching
from assistance.tasks import (
    notify_match_advanced,
    notify_match_decided,
    notify_match_proposed,
    notify_no_offer_task,
    raise_no_offer_tasks,
)
from audit.models import AuditEntry
from tests.assistance.test_board import make_offer, make_request, norway
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def lao_request(focal_point):
    return make_request(focal_point)


@pytest.fixture
def offer(donor):
    return make_offer(donor, norway(donor), title="Lao clearance partnership", states=["LAO"])


@pytest.fixture
def bystanders(reference_data):
    """People who must hear nothing: another State's focal point, another donor, another area's coordinator."""
    make_user(Role.FOCAL_POINT, iso3="AUS", email="fp.aus@example.org")
    make_user(Role.DONOR, iso3="DEU", email="donor.deu@example.org")
    make_user(Role.COORDINATOR, areas=["victim-assistance"], email="va@example.org")


@pytest.fixture
def proposed(coordinator, lao_request, offer, bystanders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        match = matching.propose_match(
            actor=coordinator, request=lao_request, offer=offer, amount=Decimal("120000"), currency="USD"
        )
    return match


# --- Matches -------------------------------------------------------------------------------------------
def test_a_proposal_tells_the_donor_and_the_state_once(proposed, focal_point, donor):
    assert recipients() == [donor.email, focal_point.email]
    message = next(m for m in mail.outbox if m.to == [donor.email])
    assert message.subject == "[CCM Portal] Proposed match: Norway and Lao People's Democratic Republic"
    assert "Survey in two provinces" in message.body and "Lao clearance partnership" in message.body
    assert "120,000 USD" in message.body
    assert f"http://testserver/assistance/matches/{proposed.pk}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="http://testserver/assistance/matches/{proposed.pk}/"' in html
    # A retry or a duplicate delivery sends nothing more.
    assert notify_match_proposed.delay(proposed.pk).get() == 0
    assert len(mail.outbox) == 2
    assert AssistanceNotification.objects.count() == 2


def test_an_organization_donor_is_found_whatever_the_case(
    coordinator, focal_point, lao_request, django_capture_on_commit_callbacks
):
    gichd = Donor.objects.create(organization="GICHD")
    person = make_user(Role.DONOR, organization="gichd", email="gichd@example.org")
    make_user(Role.DONOR, organization="GICHD Foundation", email="other.org@example.org")
    offer = make_offer(person, gichd)
    with django_capture_on_commit_callbacks(execute=True):
        matching.propose_match(actor=coordinator, request=lao_request, offer=offer, amount=None, currency="")
    assert recipients() == sorted([person.email, focal_point.email])


def test_each_recipient_reads_in_their_language(coordinator, lao_request, offer, django_capture_on_commit_callbacks):
    french = make_user(Role.FOCAL_POINT, iso3="LAO", email="fp.fr@example.org", language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        match = matching.propose_match(actor=coordinator, request=lao_request, offer=offer, amount=None, currency="")
    month = {1: "janvier", 2: "février", 3: "mars", 4: "avril", 5: "mai", 6: "juin", 7: "juillet", 8: "août"}
    month |= {9: "septembre", 10: "octobre", 11: "novembre", 12: "décembre"}
    created = timezone.localtime(match.created_at)
    body = next(m for m in mail.outbox if m.to == [french.email]).body
    assert f"{created.day} {month[created.month]} {created.year}" in body
    english = next(m for m in mail.outbox if m.to != [french.email]).body
    assert created.strftime("%B") in english


def test_a_decision_tells_the_proposer_and_the_other_side(
    proposed, coordinator, focal_point, donor, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        matching.decide_match(actor=donor, match=proposed, accept=True)
    assert recipients() == [coordinator.email, focal_point.email]
    assert mail.outbox[0].subject == "[CCM Portal] Norway accepted the match for “Survey in two provinces”"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        matching.decide_match(actor=focal_point, match=proposed, accept=False, reason="Funded by the budget.")
    assert recipients() == [coordinator.email, donor.email]
    message = next(m for m in mail.outbox if m.to == [donor.email])
    assert "declined the match" in message.subject
    assert "The reason given: Funded by the budget." in message.body
    assert "Status of the match: Declined" in message.body
    assert notify_match_decided.delay(proposed.pk, "state", "declined").get() == 0
    assert len(mail.outbox) == 2


def test_commitment_and_delivery_tell_the_state(
    proposed, coordinator, focal_point, donor, django_capture_on_commit_callbacks
):
    matching.decide_match(actor=donor, match=proposed, accept=True)
    matching.decide_match(actor=focal_point, match=proposed, accept=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        matching.advance_match(actor=donor, match=proposed)
    assert recipients() == [focal_point.email]
    assert mail.outbox[0].subject == "[CCM Portal] Norway committed its assistance for “Survey in two provinces”"
    with django_capture_on_commit_callbacks(execute=True):
        matching.advance_match(actor=donor, match=proposed)
    assert recipients() == [focal_point.email, focal_point.email]
    assert "is delivered" in mail.outbox[1].body
    assert notify_match_advanced.delay(proposed.pk, "delivered").get() == 0
    assert len(mail.outbox) == 2


def test_nothing_is_sent_when_the_change_is_rolled_back(
    coordinator, lao_request, offer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                matching.propose_match(actor=coordinator, request=lao_request, offer=offer, amount=None, currency="")
                raise RuntimeError("the page failed after the proposal")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == [] and not Match.objects.exists()


# --- No offer after N months ------------------------------------------------------------------------------------
NOW = dt.datetime(2026, 9, 15, 6, 0, tzinfo=dt.UTC)


def filed(request, when: dt.datetime):
    type(request).objects.filter(pk=request.pk).update(created_at=when)
    return request


@pytest.fixture
def waiting(focal_point, coordinator, donor, bystanders):
    """Requests filed on 1 March 2026, six months and a half before NOW (the default is six months);
    one of them had a proposal, declined since: a proposal was made, so no task."""
    march = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    requests = {
        "waiting": filed(make_request(focal_point, title="Survey nobody funds"), march),
        "young": filed(make_request(focal_point, title="Young request"), dt.datetime(2026, 4, 1, tzinfo=dt.UTC)),
        "closed": filed(make_request(focal_point, title="Closed", status=RequestStatus.CLOSED), march),
        "declined": filed(make_request(focal_point, title="Declined once"), march),
    }
    Match.objects.create(
        request=requests["declined"],
        offer=make_offer(donor, norway(donor)),
        proposed_by=coordinator,
        status=MatchStatus.DECLINED,
    )
    return requests


def run(django_capture_on_commit_callbacks, now=NOW) -> list[int]:
    with django_capture_on_commit_callbacks(execute=True):
        return matching.raise_no_offer_tasks(now=now)


def test_an_old_request_without_any_proposal_becomes_a_task_for_its_coordinators(
    waiting, coordinator, django_capture_on_commit_callbacks
):
    second = make_user(Role.COORDINATOR, areas=["clearance-rre", "victim-assistance"], email="c2@example.org")
    raised = run(django_capture_on_commit_callbacks)
    task = CoordinatorTask.objects.get()
    assert raised == [task.pk]
    assert (task.request, task.kind, task.done_at) == (waiting["waiting"], TaskKind.NO_OFFER, None)
    assert recipients() == sorted([coordinator.email, second.email])
    message = mail.outbox[0]
    assert message.subject == "[CCM Portal] No offer yet for Lao People's Democratic Republic: “Survey nobody funds”"
    assert "no offer has been proposed for it yet" in message.body
    assert f"http://testserver/assistance/board/{task.request_id}/" in message.body
    entry = AuditEntry.objects.get(action="assistance.task.raised")
    assert entry.actor is None and entry.context == {"request": task.request_id, "months": 6}


def test_the_daily_check_is_idempotent(waiting, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert run(django_capture_on_commit_callbacks) == []
    assert raise_no_offer_tasks.delay(NOW.isoformat()).get() == 0
    assert CoordinatorTask.objects.count() == 1 and len(mail.outbox) == 1
    task = CoordinatorTask.objects.get()
    assert notify_no_offer_task.delay(task.pk).get() == 0
    assert len(mail.outbox) == 1


def test_a_task_done_comes_back_only_after_another_period_without_a_proposal(
    waiting, coordinator, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    task = CoordinatorTask.objects.get()
    matching.complete_task(actor=coordinator, task=task, note="Asked two donors.")
    CoordinatorTask.objects.filter(pk=task.pk).update(done_at=NOW)

    def raised_for(now):
        return [CoordinatorTask.objects.get(pk=pk).request.title for pk in run(django_capture_on_commit_callbacks, now)]

    assert raised_for(NOW + dt.timedelta(days=30)) == ["Young request"]  # its own six months are up
    assert raised_for(dt.datetime(2027, 3, 14, 6, 0, tzinfo=dt.UTC)) == []
    assert raised_for(dt.datetime(2027, 3, 16, 6, 0, tzinfo=dt.UTC)) == ["Survey nobody funds"]
    assert CoordinatorTask.objects.filter(request=waiting["waiting"]).count() == 2
    assert len(mail.outbox) == 3  # one per task


def test_the_period_is_a_setting(waiting, django_capture_on_commit_callbacks):
    settings = AssistanceSettings.current()
    settings.no_offer_after_months = 5
    settings.save()
    titles = {CoordinatorTask.objects.get(pk=pk).request.title for pk in run(django_capture_on_commit_callbacks)}
    assert titles == {"Survey nobody funds", "Young request"}  # filed 1 April: five months and a half before


def test_a_task_done_before_its_email_went_out_sends_nothing(waiting, coordinator):
    task = CoordinatorTask.objects.create(request=waiting["waiting"], kind=TaskKind.NO_OFFER)
    matching.complete_task(actor=coordinator, task=task, note="Already handled.")
    assert notifications.no_offer_task(task_id=task.pk) == 0
    assert mail.outbox == []
