"""Article 7 transparency reports: format versions, reports, frozen versions, review comments.

A report is one State's report for one period: the initial report, or the annual
update covering a calendar year. Its working copy (``Report.draft``) changes while the
focal point edits; each submission freezes a ``ReportVersion`` whose content never
changes afterwards. A correction after acceptance makes a new version that supersedes
the old one; both stay readable.

Every model and choice is imported from here (``from reporting.models import Report``); they live by role:

- ``rules``: the reporting format's versions, and the rules the sources leave open (``ReportingRules``).
- ``reports``: ``Report`` and ``ReportVersion``, with their choices (kind, status, visibility, language, outcome).
- ``entries``: ``ReportEntry``, a report the ISU enters from an original received outside the portal.
- ``review``: review comments and the e-mails sent about a report (``Notification``).
- ``documents``: report PDFs and checked workbook uploads.
- ``records``: ``ReportingRecord``, what sources say about reports outside the portal.
- ``team``: ``FormAssignment``, a form given to a national contributor, with its internal due date.
"""

from reporting.models.documents import ReportPdf, WorkbookUpload, WorkbookUploadStatus
from reporting.models.entries import ReportEntry
from reporting.models.entries import _entry_original_path as _entry_original_path  # named by migration 0013
from reporting.models.records import RecordStatus, ReportingRecord
from reporting.models.reports import (
    AWAITING_REVIEW,
    EDITABLE_STATUSES,
    READER_VERSIONS,
    Language,
    Report,
    ReportKind,
    ReportQuerySet,
    ReportStatus,
    ReportVersion,
    VersionOutcome,
    Visibility,
)
from reporting.models.reports import _original_path as _original_path  # named by migration 0012
from reporting.models.review import Notification, ReviewComment
from reporting.models.rules import FormatVersion, ReportingRules
from reporting.models.team import AssignmentStatus, FormAssignment, FormNote

__all__ = [
    "AWAITING_REVIEW",
    "EDITABLE_STATUSES",
    "READER_VERSIONS",
    "AssignmentStatus",
    "FormAssignment",
    "FormNote",
    "FormatVersion",
    "Language",
    "Notification",
    "RecordStatus",
    "Report",
    "ReportEntry",
    "ReportKind",
    "ReportPdf",
    "ReportQuerySet",
    "ReportStatus",
    "ReportVersion",
    "ReportingRecord",
    "ReportingRules",
    "ReviewComment",
    "VersionOutcome",
    "Visibility",
    "WorkbookUpload",
    "WorkbookUploadStatus",
]
