"""The public data's version (ccm_portal.core.data_version): it moves once per committed change to public
data, not on a rollback, not for background work, and a lost value reads as "changed"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction

from ccm_portal.core import data_version
from deadlines.models import DeadlineKind, Reminder
from parties.models import Meeting, MeetingKind
from reporting import services
from reporting.models import ReportKind
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db


def _meeting(code: str = "TEST-1") -> Meeting:
    return Meeting.objects.create(
        code=code,
        name="Test meeting",
        kind=MeetingKind.MSP,
        start_date=dt.date(2030, 9, 1),
        end_date=dt.date(2030, 9, 3),
    )


def test_a_committed_save_moves_the_version_once_per_transaction(django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    monkeypatch.setattr(data_version, "_callbacks", [])
    data_version.on_change(lambda: calls.append(1))
    before, _ = data_version.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meeting = _meeting()
        meeting.place = "Geneva"
        meeting.save()
        meeting.delete()
    after, changed_at = data_version.current()
    assert len(callbacks) == 1, "three writes in one transaction ask for one bump"
    assert after != before
    assert calls == [1]
    assert abs((changed_at - dt.datetime.now(dt.UTC)).total_seconds()) < 60


def test_a_rolled_back_write_does_not_move_it(django_capture_on_commit_callbacks):
    before, _ = data_version.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        _meeting()
        transaction.set_rollback(True)
    assert callbacks == []
    assert data_version.current()[0] == before


def test_background_work_does_not_move_it(django_capture_on_commit_callbacks, focal_point):
    before, _ = data_version.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Reminder.objects.create(
            key="test-reminder",
            deadline_key="test",
            deadline_kind=DeadlineKind.ANNUAL_REPORT,
            deadline_date=dt.date(2030, 4, 30),
            state=focal_point.state,
            offset_days=30,
            recipient=focal_point,
            for_day=dt.date(2030, 3, 31),
        )
    assert callbacks == []
    assert data_version.current()[0] == before


def test_a_lost_value_reads_as_a_new_version():
    before, _ = data_version.current()
    assert data_version.current()[0] == before, "stable while nothing changes"
    cache.delete(data_version.KEY)
    assert data_version.current()[0] != before


def test_a_drafts_autosave_does_not_move_it_but_its_submission_does(focal_point, monkeypatch):
    """The public reads a report only through its submitted versions: a focal point's autosave (every few seconds
    in the filing season) leaves the public pages' cache and the API's ETags as they are. (Counted at the call:
    a test's transaction never commits.)"""
    report = services.start_report(state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2025, actor=focal_point)
    asked: list[int] = []
    monkeypatch.setattr(data_version, "bump", lambda: asked.append(1))
    content = fill_minimal(report)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    assert asked == [], "an autosave moved the public data's version"
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    assert asked, "a submission must move it"
