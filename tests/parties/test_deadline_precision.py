"""A deadline a source gives only to its month or year is shown so and has passed only once that period is
over (Afghanistan's Art. 4 extension to "2026", Chad's to "October 2026"); an extension holds from its
decision, never before (Bulgaria's first Art. 3 extension, granted at the 9th Meeting, 2–4 September 2019)."""

import datetime as dt

import pytest

from parties.dates import Precision
from parties.models import Obligation

D = dt.date.fromisoformat


def obligation(iso3: str, article: int) -> Obligation:
    return Obligation.objects.with_related().get(state__iso3=iso3, article=article)


@pytest.mark.django_db
def test_a_deadline_known_to_its_year_is_shown_as_the_year_and_passes_only_at_its_end(reference_data):
    afghanistan = obligation("AFG", 4)
    in_force = afghanistan.deadline_in_force(D("2026-06-01"))
    assert (in_force.isoformat(), in_force.precision) == ("2026", Precision.YEAR)
    assert afghanistan.deadline_on(D("2026-06-01")) == D("2026-12-31")
    chad = obligation("TCD", 4)
    assert chad.deadline_in_force(D("2026-06-01")).isoformat() == "2026-10"
    assert chad.deadline_on(D("2026-06-01")) == D("2026-10-31")


@pytest.mark.django_db
def test_an_extension_holds_from_the_last_day_of_the_meeting_that_granted_it(reference_data):
    bulgaria = obligation("BGR", 3)
    assert bulgaria.deadline_on(D("2018-11-12")) == D("2019-10-01")  # before the 9th Meeting: the original
    assert bulgaria.deadline_on(D("2019-09-03")) == D("2019-10-01")  # the meeting has not ended
    assert bulgaria.deadline_on(D("2019-09-04")) == D("2021-04-01")  # its last day: granted "September 2019"
    # The Second Review Conference's silence procedure (decisions expected by the end of February 2021).
    assert bulgaria.deadline_on(D("2021-02-27")) == D("2021-04-01")
    assert bulgaria.deadline_in_force(D("2021-02-28")).isoformat() == "2022-10"
    assert bulgaria.deadline_on(D("2022-09-02")) == D("2023-12-31")  # the 10th Meeting's last day
    germany = obligation("DEU", 4)
    assert germany.deadline_on(D("2018-11-12")) == D("2020-08-01")
    assert germany.deadline_on(D("2019-09-04")) == D("2025-08-01")


@pytest.mark.django_db
def test_a_request_known_only_by_its_year_is_a_fact_from_the_meeting_that_considered_it(reference_data):
    from parties.models import ExtensionStage

    chile = obligation("CHL", 4)
    first = next(e for e in chile.extensions.all() if e.previous_deadline == D("2021-06-01"))
    assert first.submitted.isoformat() == "2020"  # submitted "in 2020", considered on 25-27 November 2020
    assert first.stage_on(D("2020-11-24")) is None
    assert first.stage_on(D("2020-11-25")) == ExtensionStage.PENDING
    assert first.stage_on(D("2020-11-27")) == ExtensionStage.GRANTED
    assert chile.deadline_on(D("2020-11-27")) == D("2022-06-01")


@pytest.mark.django_db
def test_a_deadline_awaiting_a_decision_on_its_extension_is_not_called_overdue(client):
    # Lao PDR's Art. 4 deadline of 1 August 2025: a second request went to the 12th Meeting (September 2024);
    # its outcome is not in the record. The State page says so instead of "overdue".
    page = client.get("/states/LAO/", {"as_of": "2026-03-01"}).content.decode()
    calendar = page.split('id="calendar"')[-1] if 'id="calendar"' in page else page
    assert "Extension requested (12MSP); no decision recorded" in calendar
    row = calendar.split("Clearance deadline (Art. 4)")[0].rsplit("<tr", 1)[-1]
    assert "is-overdue" not in row


@pytest.mark.django_db
def test_the_state_calendar_shows_a_deadline_known_to_its_year_as_the_year(client):
    page = client.get("/states/AFG/", {"as_of": "2026-03-01"}).content.decode()
    assert '<time datetime="2026">2026</time>' in page
    assert "31 December 2026" not in page and "1 January 2026" not in page
