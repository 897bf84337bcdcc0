"""Every dated fact holds from the day it became true, on the State pages, their JSON twins and the treaty
figures (issue 13).

The property test enumerates every dated fact in the reference data (each extension's decision and granted
deadline, each request, each statement of completion, each Art. 9 status, each meeting, each deposit and
withdrawal), draws one and a day strictly before the day it holds from, renders ``/states/<ISO3>/?as_of=<day>``
(HTML and JSON), ``/progress/?as_of=<day>`` and the completion figure's page (JSON), and checks that none of
them shows the fact. The regression tests pin each finding of the issue against figures computed here from the
CSV files, independently of the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import dateformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parties.dates import PartialDate, Precision
from parties.models import (
    CompletionFinding,
    Confidence,
    ExtensionRequest,
    ExtensionStatus,
    Meeting,
    NationalMeasures,
    Obligation,
    State,
)

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
FIXTURES = Path(django_settings.BASE_DIR) / "fixtures"
CONVENTION_OPENED = dt.date(2008, 12, 3)  # the earliest day an as-of view accepts


def long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


def shown(date: PartialDate) -> str:
    """A date as the pages show it, in its precision."""
    if date.precision == Precision.DAY:
        return long_date(date.start)
    return date.start.strftime("%B %Y") if date.precision == Precision.MONTH else str(date.start.year)


# --- Reading the pages ------------------------------------------------------------------------------
def state_json(client: Client, iso3: str, day: dt.date) -> dict:
    response = client.get(f"/states/{iso3}/", {"as_of": day.isoformat(), "format": "json"})
    assert response.status_code == 200
    return response.json()


def state_html(client: Client, iso3: str, day: dt.date) -> str:
    response = client.get(f"/states/{iso3}/", {"as_of": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


def obligation_json(page: dict, article: int) -> dict | None:
    found = next((o for o in page["obligations"] if o["article"] == article), None)
    return found if found and found["recorded"] else None


_SOURCES = re.compile(r'<p class="source-line">.*?</p>', re.DOTALL)


def obligation_html(html: str, article: int) -> str:
    """The State page's block for one obligation, without its source lines (a source is a document, which
    may well postdate the day shown: it is cited, not shown as a fact)."""
    match = re.search(rf'<article [^>]*aria-labelledby="ob-{article}-title">(.*?)</article>', html, re.DOTALL)
    return _SOURCES.sub("", match.group(1)) if match else ""


def fact_block(block: str, name: str) -> str:
    match = re.search(rf'data-fact="{name}">(.*?)</(?:dd|ol)>', block, re.DOTALL)
    return match.group(1) if match else ""


def progress_figures(client: Client, day: dt.date) -> dict[str, dict]:
    response = client.get("/progress/", {"as_of": day.isoformat(), "format": "json"})
    assert response.status_code == 200
    return {f["key"]: f for f in response.json()["figures"]}


def figure_rows(client: Client, key: str, day: dt.date) -> dict[str, dict]:
    response = client.get(f"/progress/{key}/", {"as_of": day.isoformat(), "format": "json"})
    assert response.status_code == 200
    data = response.json()
    return {row["iso3"]: row for row in [*data["states"], *data["others"]]}


# --- The dated facts of the reference data -----------------------------------------------------------
@dataclass(frozen=True)
class Fact:
    kind: str
    iso3: str
    holds_from: dt.date
    article: int | None = None
    pk: int | None = None
    label: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.iso3} Art.{self.article} from {self.holds_from} ({self.label})"


def request_made(extension: ExtensionRequest) -> dt.date | None:
    """The first day a request is certainly a fact: its submission (the last day of the month or year when
    only that is known), at the latest the opening of the meeting that considers it, or its decision."""
    days = []
    if extension.submitted_on:
        days.append(PartialDate(extension.submitted_on, Precision(extension.submitted_precision)).end)
    if extension.meeting_id:
        days.append(extension.meeting.start_date)
    if extension.decided_on:
        days.append(PartialDate(extension.decided_on, Precision(extension.decided_precision)).end)
    return min(days) if days else None


def decision_day(extension: ExtensionRequest) -> dt.date | None:
    """The first day a decision certainly holds: its day; a month or year's last day, or the deciding
    meeting's last day when that falls within it; with no date, the meeting's last day."""
    meeting_end = None
    if extension.meeting_id:
        meeting = extension.meeting
        meeting_end = meeting.end_date or PartialDate(meeting.start_date, Precision(meeting.date_precision)).end
    if not extension.decided_on:
        return meeting_end
    decided = PartialDate(extension.decided_on, Precision(extension.decided_precision))
    if meeting_end and decided.start <= meeting_end <= decided.end:
        return meeting_end
    return decided.end


def statements(obligation: Obligation) -> list[tuple[PartialDate | None, dt.date | None, bool, str]]:
    """(date, bound, counts, finding) for every source's statement of completion."""
    found = []
    if obligation.completed_on or obligation.completed_by:
        own = (
            PartialDate(obligation.completed_on, Precision(obligation.completed_precision))
            if obligation.completed_on
            else None
        )
        found.append((own, obligation.completed_by, obligation.confidence != Confidence.DISPUTED, "completed"))
    for record in obligation.completion_records.all():
        date = PartialDate(record.completed_on, Precision(record.completed_precision)) if record.completed_on else None
        counts = record.finding == CompletionFinding.COMPLETED and record.confidence != Confidence.DISPUTED
        found.append((date, record.completed_by, counts, record.finding))
    return found


def dated_facts() -> list[Fact]:
    facts: list[Fact] = []
    for extension in ExtensionRequest.objects.select_related("obligation__state", "meeting"):
        iso3, article = extension.obligation.state.iso3, extension.obligation.article
        made = request_made(extension)
        if made:
            facts.append(
                Fact("request", iso3, made, article, extension.pk, extension.meeting.code if extension.meeting else "")
            )
        decided = decision_day(extension)
        if extension.status == ExtensionStatus.GRANTED and decided:
            facts.append(Fact("extension", iso3, decided, article, extension.pk, str(extension.granted_until)))
    for obligation in Obligation.objects.select_related("state").prefetch_related("completion_records"):
        iso3, article = obligation.state.iso3, obligation.article
        certain = []
        for date, bound, counts, finding in statements(obligation):
            if date:
                facts.append(Fact("completion-date", iso3, date.start, article, obligation.pk, date.isoformat()))
            if bound:
                facts.append(Fact("completion-bound", iso3, bound, article, obligation.pk, bound.isoformat()))
            if counts and finding == "completed":
                certain += [d for d in (date.end if date else None, bound) if d]
        if certain:
            facts.append(Fact("completed", iso3, min(certain), article, obligation.pk))
    for record in NationalMeasures.objects.select_related("state"):
        holds = PartialDate(record.effective_from, Precision(record.effective_precision)).end
        facts.append(Fact("art9", record.state.iso3, holds, None, record.pk, record.status))
    for meeting in Meeting.objects.all():
        for extension in meeting.extension_requests.select_related("obligation__state"):
            facts.append(
                Fact(
                    "meeting",
                    extension.obligation.state.iso3,
                    meeting.start_date,
                    extension.obligation.article,
                    extension.pk,
                    meeting.code,
                )
            )
    for state in State.objects.all():
        if state.deposit_date:
            facts.append(Fact("deposit", state.iso3, state.deposit_date, label=str(state.deposit_date)))
        if state.withdrawal_notified_on:
            facts.append(Fact("withdrawal", state.iso3, state.withdrawal_notified_on))
    return [f for f in facts if f.holds_from > CONVENTION_OPENED]


def assert_not_shown(client: Client, fact: Fact, day: dt.date) -> None:
    """None of the pages of ``day`` shows ``fact`` (``day`` is before the fact holds)."""
    assert day < fact.holds_from
    page = state_json(client, fact.iso3, day)
    html = state_html(client, fact.iso3, day)
    where = f"{fact} shown on {day}"
    if fact.kind in ("request", "meeting", "extension"):
        extension = ExtensionRequest.objects.select_related("meeting", "obligation").get(pk=fact.pk)
        code = extension.meeting.code if extension.meeting else ""
        ob = obligation_json(page, fact.article)
        block = obligation_html(html, fact.article)
        listed = [e for e in (ob or {}).get("extensions", []) if (e["meeting"] or {}).get("code", "") == code]
        if fact.kind == "request":
            assert listed == [], where
            assert f'data-meeting="{code}"' not in block, where
        else:
            # Requested perhaps, never decided: no outcome, no granted deadline, not in force.
            assert all(
                e["stage"] == "pending" and e["decided"] is None and e["granted_until"] is None for e in listed
            ), where
            assert f'data-meeting="{code}" data-stage="granted"' not in block, where
            if fact.kind == "extension" and ob:
                granted = PartialDate(extension.granted_until, Precision(extension.granted_precision))
                set_by = ob["deadline_set_by"]
                assert set_by is None or (set_by["meeting"] or {}).get("code") != code, where
                assert ob["deadline_in_force"]["date"] != granted.isoformat(), where
                assert f"granted until {shown(granted)}" not in block, where
                assert shown(granted) not in fact_block(block, "deadline-in-force"), where
                row = figure_rows(client, f"art{fact.article}-completed", day).get(fact.iso3)
                if row and row.get("date_label") == "Deadline in force on the date":
                    assert row["date"] != extension.granted_until.isoformat(), where
                calendar = [r for r in page["calendar"] if r["key"] == f"{fact.iso3}:art{fact.article}"]
                assert all(r["date"] != extension.granted_until.isoformat() for r in calendar), where
    elif fact.kind in ("completion-date", "completion-bound"):
        ob = obligation_json(page, fact.article)
        key = "completed" if fact.kind == "completion-date" else "completed_by"
        for statement in (ob or {}).get("completion_statements", []):
            assert (statement[key] or {}).get("date") != fact.label, where
        block = fact_block(obligation_html(html, fact.article), "completion")
        date = PartialDate.parse(fact.label)
        text = shown(date) if fact.kind == "completion-date" else f"Completed by {shown(date)}"
        assert text not in block, where
    elif fact.kind == "completed":
        ob = obligation_json(page, fact.article)
        assert ob is None or (ob["status"] != "completed" and ob["completed_from"] is None), where
        assert "badge--completed" not in obligation_html(html, fact.article), where
        figure = progress_figures(client, day)[f"art{fact.article}-completed"]
        assert fact.iso3 not in figure["states"], where
    elif fact.kind == "art9":
        record = NationalMeasures.objects.get(pk=fact.pk)
        measures = page["national_measures"]
        assert measures is None or measures["effective_from"] != record.effective_from.isoformat(), where
        others = [
            r
            for r in NationalMeasures.objects.filter(state=record.state).exclude(pk=record.pk)
            if PartialDate(r.effective_from, Precision(r.effective_precision)).end <= day and r.status == record.status
        ]
        if not others:
            key = {"adopted": "art9-adopted", "existing_law": "art9-existing-law", "in_progress": "art9-in-progress"}
            key |= {"none_known": "art9-none-known"}
            assert fact.iso3 not in progress_figures(client, day)[key[record.status]]["states"], where
    elif fact.kind == "deposit":
        assert page["deposit_date"] is None and page["entry_into_force"] is None, where
        assert page["obligations"] == [], where
        assert page["status"] != "state_party", where
        listed = client.get("/states/", {"as_of": day.isoformat(), "q": fact.iso3, "format": "json"}).json()
        rows = [r for r in listed["states"] if r["iso3"] == fact.iso3]
        assert all(r["deposit_date"] is None and r["entry_into_force"] is None for r in rows), where
    elif fact.kind == "withdrawal":
        assert page["withdrawal_notified_on"] is None and page["withdrawal_effective_on"] is None, where
        assert "Withdrawal notified" not in html, where


class Facts(list):
    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example: keep it short
        return f"<{len(self)} dated facts>"


@pytest.fixture(scope="module")
def facts(django_db_setup, django_db_blocker) -> Facts:
    with django_db_blocker.unblock():
        found = dated_facts()
    assert len(found) > 150  # the data's dated facts, not a handful
    kinds = {f.kind for f in found}
    assert kinds >= {"request", "extension", "completion-date", "completion-bound", "completed", "art9", "meeting"}
    return Facts(found)


# No example database: the facts are read from the test database, so a stored example would replay against
# another list.
@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(min_value=0), back=st.integers(min_value=1, max_value=7000))
def test_no_page_shows_a_fact_before_the_day_it_holds_from(client, facts, which, back):
    """A fact, and a day from 1 to ~19 years before it holds (never before the Convention opened)."""
    fact = facts[which % len(facts)]
    span = (fact.holds_from - CONVENTION_OPENED).days  # days it can be looked at before it holds
    day = fact.holds_from - dt.timedelta(days=1 + (back - 1) % span)
    assert_not_shown(client, fact, day)


def test_on_the_eve_of_every_extension_decision_and_completion_nothing_shows_it(client, facts):
    """The day before a fact holds is where a leak would show first: checked for every fact but deposits."""
    for fact in facts:
        if fact.kind not in ("deposit",):
            assert_not_shown(client, fact, fact.holds_from - dt.timedelta(days=1))


def test_on_the_day_a_fact_holds_the_pages_show_it(client, facts):
    """The property test is not vacuous: from the day each extension holds, it is the deadline in force (or
    a later one is), and from the day an obligation is certainly complete, the figures count it."""
    for fact in facts:
        if fact.kind == "extension":
            ob = obligation_json(state_json(client, fact.iso3, fact.holds_from), fact.article)
            assert ob["deadline_set_by"] is not None, fact
            assert ob["deadline_set_by"]["in_force_from"]["date"] >= fact.holds_from.isoformat(), fact
        elif fact.kind == "completed":
            state = State.objects.get(iso3=fact.iso3)
            if state.status_on(fact.holds_from) == "state_party" and state.is_bound_on(fact.holds_from):
                figure = progress_figures(client, fact.holds_from)[f"art{fact.article}-completed"]
                assert fact.iso3 in figure["states"], fact


# --- The findings, one by one -------------------------------------------------------------------
def test_bulgaria_in_november_2018_had_its_original_deadline_and_no_completion(client):
    page = state_json(client, "BGR", D("2018-11-12"))
    art3 = obligation_json(page, 3)
    assert art3["deadline_as_of"] == "2019-10-01"  # was 1 April 2021, granted only in 2019
    assert "current_deadline" not in art3  # today's deadline is a later fact
    assert art3["deadline_in_force"]["date"] == "2019-10-01"
    assert art3["deadline_set_by"] is None
    assert art3["extensions"] == []  # the request reached the 9th Meeting only in 2019
    assert art3["completion_statements"] == [] and art3["completed_from"] is None
    assert art3["status"] == "open" and art3["deadline_passed"] is False
    html = state_html(client, "BGR", D("2018-11-12"))
    block = obligation_html(html, 3)
    assert "1 October 2019" in fact_block(block, "deadline-in-force")
    assert "1 April 2021" not in block and "2023" not in fact_block(block, "completion")
    assert "Deadline in force today" not in html
    calendar = {r["key"]: r["date"] for r in page["calendar"]}
    assert calendar["BGR:art3"] == "2019-10-01"
    assert calendar["BGR:art3_extension:9MSP"] == "2018-12-02"  # nine months before the 9th Meeting


def test_bulgarias_extension_is_pending_at_the_ninth_meeting_and_in_force_from_its_last_day(client):
    during = obligation_json(state_json(client, "BGR", D("2019-09-03")), 3)
    assert during["deadline_as_of"] == "2019-10-01"
    assert during["deadline_in_force"]["date"] == "2019-10-01"
    (request,) = during["extensions"]
    assert request["stage"] == "pending" and request["granted_until"] is None and request["decided"] is None
    assert request["meeting"]["code"] == "9MSP"
    assert request["filing_window"]["due"]["date"] == "2018-12-02"
    after = obligation_json(state_json(client, "BGR", D("2019-09-04")), 3)
    assert after["deadline_in_force"]["date"] == "2021-04-01"
    assert after["deadline_set_by"]["meeting"]["code"] == "9MSP"
    assert after["deadline_set_by"]["decided"] == {
        "date": "2019-09",
        "precision": "month",
        "precision_label": "Month only",
        "display": "September 2019",
    }
    assert after["extensions"][0]["stage"] == "granted"


def test_bulgarias_later_extensions_each_hold_from_their_decision_and_its_completion_from_june_2023(client):
    expected = [
        ("2021-02-27", "2021-04-01", 2),  # the second request is pending (silence procedure, February 2021)
        ("2021-02-28", "2022-10", 2),
        ("2022-09-02", "2023-12-31", 3),  # the 10th Meeting's grant, from its last day
    ]
    pages = {day: obligation_json(state_json(client, "BGR", D(day)), 3) for day, _deadline, _requests in expected}
    assert [pages[day]["deadline_as_of"][: len(deadline)] for day, deadline, _requests in expected] == [
        deadline for _day, deadline, _requests in expected
    ]
    for day, deadline, requests in expected:
        art3 = pages[day]
        assert art3["deadline_in_force"]["date"] == deadline, day
        assert len(art3["extensions"]) == requests, day
        assert art3["deadline_passed"] is False, day
    may = obligation_json(state_json(client, "BGR", D("2023-05-31")), 3)
    assert [s["completed"]["date"] for s in may["completion_statements"]] == ["2023"]  # "2023": around then
    assert may["status"] == "completion_uncertain"
    july = obligation_json(state_json(client, "BGR", D("2023-07-01")), 3)
    assert july["status"] == "completed" and july["completed_from"]["date"] == "2023-06-30"
    assert sorted(s["completed"]["date"] for s in july["completion_statements"]) == ["2023", "2023-06"]
    assert july["deadline_in_force"]["date"] == "2023-12-31"  # completion before the deadline in force
    assert july["sources_disagree"] is False


def test_germanys_art4_deadline_in_2018_is_1_august_2020_and_its_request_pending(client):
    art4 = obligation_json(state_json(client, "DEU", D("2018-11-12")), 4)
    assert art4["deadline_as_of"] == "2020-08-01"  # was 1 August 2025, granted at the 9th Meeting in 2019
    assert art4["deadline_in_force"]["date"] == "2020-08-01" and art4["deadline_set_by"] is None
    assert art4["extensions"] == []  # submitted on 15 January 2019
    html = state_html(client, "DEU", D("2018-11-12"))
    assert "1 August 2025" not in obligation_html(html, 4)
    spring = obligation_json(state_json(client, "DEU", D("2019-03-01")), 4)
    (request,) = spring["extensions"]
    assert (request["stage"], request["submitted"]["date"]) == ("pending", "2019-01-15")
    assert request["requested_until"]["date"] == "2025-08-01" and request["granted_until"] is None
    # Filed on 15 January 2019, after the window closed on 2 December 2018 (nine months before 9MSP).
    assert request["filing_window"] == {
        "due": {"date": "2018-12-02", "precision": "day", "precision_label": "Exact day", "display": "2 December 2018"},
        "filed": {
            "date": "2019-01-15",
            "precision": "day",
            "precision_label": "Exact day",
            "display": "15 January 2019",
        },
        "verdict": "late",
        "verdict_label": "late",
    }
    later = obligation_json(state_json(client, "DEU", D("2019-09-04")), 4)
    assert later["deadline_in_force"]["date"] == "2025-08-01"
    html = state_html(client, "DEU", D("2019-03-01"))
    assert "Due nine months before the meeting: 2 December 2018; filed 15 January 2019 — late" in html


def test_lao_pdrs_art4_extension_holds_from_the_ninth_meeting(client):
    after = obligation_json(state_json(client, "LAO", D("2020-09-01")), 4)
    assert after["deadline_as_of"] == "2025-08-01"  # the extension was missing
    assert after["deadline_in_force"]["date"] == "2025-08-01" and after["deadline_passed"] is False
    assert after["deadline_set_by"]["meeting"]["code"] == "9MSP"
    before = obligation_json(state_json(client, "LAO", D("2019-09-03")), 4)
    assert before["deadline_in_force"]["date"] == "2020-08-01"
    assert [e["stage"] for e in before["extensions"]] == ["pending"]


def test_the_deadline_passed_is_the_one_in_force_on_the_day(client):
    # Guinea-Bissau missed its 1 May 2019 Art. 3 deadline (no extension requested): passed on 2 May 2019.
    assert obligation_json(state_json(client, "GNB", D("2019-05-01")), 3)["deadline_passed"] is False
    assert obligation_json(state_json(client, "GNB", D("2019-05-02")), 3)["deadline_passed"] is True
    # Bulgaria on 2 October 2019: the original deadline of 1 October 2019 had been extended a month before.
    assert obligation_json(state_json(client, "BGR", D("2019-10-02")), 3)["deadline_passed"] is False
    # Bulgaria in June 2021: 1 April 2021 had been extended again in February; its deadline was October 2022.
    june = obligation_json(state_json(client, "BGR", D("2021-06-01")), 3)
    assert (june["deadline_as_of"], june["deadline_passed"]) == ("2022-10-31", False)
    # Chad in mid-October 2026: its deadline is "October 2026" (month only), not certainly passed.
    chad = obligation_json(state_json(client, "TCD", D("2026-10-15")), 4)
    assert (chad["deadline_as_of"], chad["deadline_passed"]) == ("2026-10-31", False)
    assert chad["deadline_in_force"]["display"] == "October 2026"
    assert obligation_json(state_json(client, "TCD", D("2026-11-01")), 4)["deadline_passed"] is True


def test_a_past_view_shows_no_later_withdrawal_or_deposit(client):
    before = state_json(client, "LTU", D("2024-09-05"))
    assert before["withdrawal_notified_on"] is None and before["withdrawal_effective_on"] is None
    notified = state_json(client, "LTU", D("2024-09-06"))
    assert (notified["withdrawal_notified_on"], notified["withdrawal_effective_on"]) == ("2024-09-06", "2025-03-06")
    vanuatu = state_json(client, "VUT", D("2020-01-01"))
    assert vanuatu["deposit_date"] is None and vanuatu["entry_into_force"] is None and vanuatu["obligations"] == []
    # The list of States: a signatory's later ratification is not shown before it (Afghanistan: 2011).
    listed = client.get("/states/", {"as_of": "2010-01-01", "q": "AFG", "format": "json"}).json()["states"]
    assert [(r["status"], r["deposit_date"], r["entry_into_force"]) for r in listed] == [("signatory", None, None)]
    html = client.get("/states/", {"as_of": "2010-01-01", "q": "AFG"}).content.decode()
    assert "8 September 2011" not in html and "1 March 2012" not in html


# --- The treaty figures, against the CSV files -----------------------------------------------------------
def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _end(text: str) -> dt.date | None:
    text = (text or "").strip()
    return PartialDate.parse(text).end if text else None


def completed_by_the_csv_files(article: int, day: dt.date) -> set[str]:
    """The States Parties on ``day`` whose Art. ``article`` obligation some counted source shows certainly
    complete by then, read from states.csv, obligations.csv and art<N>_completions.csv alone."""
    parties = set()
    for row in _rows("states.csv"):
        deposit, withdrawn = _end(row["deposit_date"]), _end(row["withdrawal_effective_date"])
        if deposit and deposit <= day and not (withdrawn and withdrawn <= day):
            parties.add(row["iso3"])
    certain: dict[str, list[dt.date]] = {}
    obligations = {r["iso3"] for r in _rows("obligations.csv") if int(r["article"]) == article}
    for row in _rows("obligations.csv"):
        if int(row["article"]) == article and row["confidence"] != "disputed":
            certain.setdefault(row["iso3"], []).extend(
                d for d in (_end(row["completed_date"]), _end(row["completed_by"])) if d
            )
    for row in _rows(f"art{article}_completions.csv"):
        if row["finding"] in ("", "completed") and row["confidence"] != "disputed":
            certain.setdefault(row["iso3"], []).extend(
                d for d in (_end(row["completed_date"]), _end(row["completed_by"])) if d
            )
    return {
        iso3 for iso3, days in certain.items() if iso3 in obligations and iso3 in parties and days and min(days) <= day
    }


def test_progress_in_november_2018_counts_the_clearance_completions_the_record_gives(client):
    expected = completed_by_the_csv_files(4, D("2018-11-12"))
    assert len(expected) > 1  # the issue: the page said 1
    figure = progress_figures(client, D("2018-11-12"))["art4-completed"]
    assert set(figure["states"]) == expected
    assert figure["numerator"] == len(expected)


@pytest.mark.parametrize(
    "day",
    ["2010-08-01", "2012-07-15", "2012-07-16", "2016-12-30", "2018-11-12", "2020-07-31", "2023-12-31", "2026-02-03"],
)
@pytest.mark.parametrize("article", [3, 4])
def test_completion_figures_agree_with_the_csv_files(client, article, day):
    figure = progress_figures(client, D(day))[f"art{article}-completed"]
    assert set(figure["states"]) == completed_by_the_csv_files(article, D(day))


def test_a_figure_row_shows_a_completion_known_only_from_a_completion_record(client):
    rows = figure_rows(client, "art4-completed", D("2018-11-12"))
    assert (rows["GRD"]["date"], rows["GRD"]["date_label"]) == ("2012-07-16", "Completed")
    assert (rows["MRT"]["date"], rows["MRT"]["date_label"]) == ("2015-11-27", "Completed at the latest by")
    # Lao PDR's extension of 2019 is not yet in force in November 2018.
    assert (rows["LAO"]["date"], rows["LAO"]["date_label"]) == ("2020-08-01", "Deadline in force on the date")


def test_an_art9_status_known_only_to_its_month_holds_from_the_months_last_day(client):
    bulgaria = State.objects.get(iso3="BGR")
    NationalMeasures.objects.filter(state=bulgaria).delete()
    NationalMeasures.objects.create(
        state=bulgaria,
        status="adopted",
        effective_from=D("2015-12-01"),
        effective_precision=Precision.MONTH,
        source="Monitor 2017",
    )
    assert state_json(client, "BGR", D("2015-12-30"))["national_measures"] is None
    assert "BGR" not in progress_figures(client, D("2015-12-30"))["art9-adopted"]["states"]
    then = state_json(client, "BGR", D("2015-12-31"))["national_measures"]
    assert then["effective"]["display"] == "December 2015" and then["holds_from"] == "2015-12-31"
    assert "BGR" in progress_figures(client, D("2015-12-31"))["art9-adopted"]["states"]
    assert "Since December 2015." in state_html(client, "BGR", D("2016-01-01"))


def test_a_report_is_listed_on_the_state_page_from_the_day_it_was_published(client, focal_point, isu_staff):
    from django.utils import timezone

    from reporting.models import ReportKind, ReportVersion
    from tests.reporting.test_archive import published

    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=2)
    version = ReportVersion.objects.get(report=report)
    published_at = timezone.make_aware(dt.datetime(2026, 1, 10, 9, 30))
    ReportVersion.objects.filter(pk=version.pk).update(submitted_on=D("2026-01-05"), published_at=published_at)

    def listed(day: str) -> list[tuple[str, str]]:
        return [(r["period"], r["published_on"]) for r in state_json(client, "LAO", D(day))["reports"]]

    assert listed("2026-01-09") == []  # submitted, not yet published
    assert listed("2026-01-10") == [("initial", "2026-01-10")]
    assert "No report published in the portal yet" in state_html(client, "LAO", D("2026-01-09"))
