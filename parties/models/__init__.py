"""States, their treaty dates, their Art. 3/4 obligations, extensions and meetings.

Membership status is never stored: it is derived from the dates for any day
("as of"), because the ISU and the public ask what the situation was at a given
date. Every fact carries the source it came from.

- ``states``: States with their treaty dates, regions and membership as of a day.
- ``meetings``: Meetings of States Parties and Review Conferences.
- ``obligations``: Art. 3/4 obligations and the requests to extend their deadlines.
- ``completions``: each source's statement of completion.
- ``measures``: Art. 9 national measures and the totals the ISU published.
"""

from parties.models.completions import CompletionFinding, CompletionRecord
from parties.models.measures import MeasuresStatus, NationalMeasures, PublishedFigure, PublishedFigureTopic
from parties.models.meetings import Meeting, MeetingKind
from parties.models.obligations import (
    Article,
    Confidence,
    ExtensionRequest,
    ExtensionStage,
    ExtensionStatus,
    Obligation,
    ObligationQuerySet,
    ObligationStatus,
)
from parties.models.states import DepositType, MembershipStatus, Region, State, StateQuerySet

__all__ = [
    "Article",
    "CompletionFinding",
    "CompletionRecord",
    "Confidence",
    "DepositType",
    "ExtensionRequest",
    "ExtensionStage",
    "ExtensionStatus",
    "MeasuresStatus",
    "Meeting",
    "MeetingKind",
    "MembershipStatus",
    "NationalMeasures",
    "Obligation",
    "ObligationQuerySet",
    "ObligationStatus",
    "PublishedFigure",
    "PublishedFigureTopic",
    "Region",
    "State",
    "StateQuerySet",
]
