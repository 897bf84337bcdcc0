"""Date rules of the Convention on Cluster Munitions.

Pure functions over dates, each citing the article it implements. Nothing here
reads the database, so every rule is testable against the real data in
``fixtures/states.csv``. Facts the treaty settles live here; rules the sources
leave open are rows in ``parties.PortalRule`` that the ISU can change.
"""

from __future__ import annotations

import calendar
import datetime as dt

# Art. 17(1): the Convention entered into force on the first day of the sixth
# month after the month of the 30th deposit (16 February 2010), i.e. 1 August 2010.
THIRTIETH_DEPOSIT_DATE = dt.date(2010, 2, 16)
CONVENTION_ENTRY_INTO_FORCE = dt.date(2010, 8, 1)

ENTRY_INTO_FORCE_DELAY_MONTHS = 6  # Art. 17(2)
WITHDRAWAL_DELAY_MONTHS = 6  # Art. 20(2)
INITIAL_REPORT_DAYS = 180  # Art. 7(1)
STOCKPILE_DESTRUCTION_YEARS = 8  # Art. 3(2)
CLEARANCE_YEARS = 10  # Art. 4(1)
EXTENSION_MAX_YEARS = {3: 4, 4: 5}  # Art. 3(3) and Art. 4(5): longest single extension
EXTENSION_REQUEST_LEAD_MONTHS = 9  # Art. 3(5), Art. 4(6): filed at least nine months before the meeting


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def entry_into_force(deposit_date: dt.date | None) -> dt.date | None:
    """Art. 17: 1 August 2010 for the first thirty instruments; otherwise the first
    day of the sixth month after the month in which the instrument was deposited."""
    if deposit_date is None:
        return None
    if deposit_date <= THIRTIETH_DEPOSIT_DATE:
        return CONVENTION_ENTRY_INTO_FORCE
    return add_months(deposit_date.replace(day=1), ENTRY_INTO_FORCE_DELAY_MONTHS)


def withdrawal_effective(notified_on: dt.date) -> dt.date:
    """Art. 20(2): six months after the depositary receives the notification.
    (Deferral while the State is engaged in armed conflict is recorded by hand.)"""
    return add_months(notified_on, WITHDRAWAL_DELAY_MONTHS)


def initial_report_due(eif: dt.date | None) -> dt.date | None:
    """Art. 7(1): no later than 180 days after entry into force for that State Party."""
    return None if eif is None else eif + dt.timedelta(days=INITIAL_REPORT_DAYS)


def stockpile_destruction_deadline(eif: dt.date | None) -> dt.date | None:
    """Art. 3(2): no later than eight years after entry into force for that State Party."""
    return None if eif is None else add_years(eif, STOCKPILE_DESTRUCTION_YEARS)


def clearance_deadline(eif: dt.date | None, hostilities_ended_on: dt.date | None = None) -> dt.date | None:
    """Art. 4(1)(a): ten years after entry into force; Art. 4(1)(b): for remnants that
    became so after entry into force, ten years after the end of the active hostilities."""
    start = hostilities_ended_on or eif
    return None if start is None else add_years(start, CLEARANCE_YEARS)


def extension_request_due(meeting_start: dt.date) -> dt.date:
    """Art. 3(5), 4(6): a request reaches the meeting that considers it at least nine months before it."""
    return add_months(meeting_start, -EXTENSION_REQUEST_LEAD_MONTHS)


def longest_extension_end(article: int, current_deadline: dt.date) -> dt.date:
    """The latest end date a single extension may grant (Art. 3(3): 4 years; Art. 4(5): 5 years)."""
    return add_years(current_deadline, EXTENSION_MAX_YEARS[article])


def decision_holds_from(*, decided, meeting_last_day: dt.date | None) -> dt.date | None:
    """A meeting's decision (an extension granted under Art. 3(3)–(4) or 4(5)–(6)) holds from the day it
    was taken, never before. ``decided`` is a ``PartialDate`` or None: a decision known only to its month
    or year holds from the last day of that period (the earliest day it is certainly in force), or from the
    last day of the deciding meeting when that falls within the period; with no decision date, from the last
    day of the meeting that took it. None when neither is known."""
    if decided is None:
        return meeting_last_day
    if meeting_last_day is not None and decided.start <= meeting_last_day < decided.end:
        return meeting_last_day  # decided "in September 2019" at a meeting that ended on 4 September
    return decided.end


# --- Article 7 reporting ---------------------------------------------------------------------------
# Art. 7(2): annual updates cover the previous calendar year and are due by 30 April.
ANNUAL_REPORT_DUE_MONTH, ANNUAL_REPORT_DUE_DAY = 4, 30
# The Convention entered into force on 1 August 2010: the earliest calendar year an update can cover.
FIRST_REPORTING_YEAR = CONVENTION_ENTRY_INTO_FORCE.year


def annual_report_due(year: int) -> dt.date:
    """Art. 7(2): the annual update covering calendar year ``year`` is due by 30 April of the next year."""
    return dt.date(year + 1, ANNUAL_REPORT_DUE_MONTH, ANNUAL_REPORT_DUE_DAY)


def latest_annual_year_due(as_of: dt.date) -> int:
    """The latest calendar year whose annual update was due on or before ``as_of`` (Art. 7(2))."""
    return as_of.year - 1 if as_of >= annual_report_due(as_of.year - 1) else as_of.year - 2


def bound_on(eif: dt.date | None, withdrawal_effective_on: dt.date | None, day: dt.date) -> bool:
    """Obligations run from entry into force (Art. 17) until a withdrawal takes effect (Art. 20(2))."""
    if eif is None or day < eif:
        return False
    return not (withdrawal_effective_on and withdrawal_effective_on <= day)


def first_annual_year(eif: dt.date | None, *, after_initial: bool) -> int | None:
    """The first calendar year a State's annual update covers (Art. 7(2)). The sources leave open whether
    it is the year of entry into force or the first full year after the initial report fell due; the
    ISU's choice (``ReportingRules.first_annual_period``) is passed as ``after_initial``."""
    if eif is None:
        return None
    if after_initial:
        return initial_report_due(eif).year + 1
    return eif.year


def last_annual_year_owed(withdrawal_effective_on: dt.date | None) -> int | None:
    """After a withdrawal (Art. 20), the last year whose update the State owes: an update is owed only if
    the State is still bound on its due date, 30 April of the next year. None when no withdrawal."""
    if withdrawal_effective_on is None:
        return None
    return latest_annual_year_due(withdrawal_effective_on - dt.timedelta(days=1))


def owes_annual_report(
    eif: dt.date | None, withdrawal_effective_on: dt.date | None, year: int, *, after_initial: bool
) -> bool:
    """A State owes the update for ``year`` from its first annual year on, while the Convention binds it
    on the due date (Art. 7(2), Art. 20)."""
    first = first_annual_year(eif, after_initial=after_initial)
    return first is not None and first <= year and bound_on(eif, withdrawal_effective_on, annual_report_due(year))
