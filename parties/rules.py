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
