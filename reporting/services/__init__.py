"""Every write on Article 7 reports. Each function is atomic, takes an explicit actor and
leaves an audit entry; views, tasks and imports call these and nothing else.

The app's service API is this package: ``from reporting import services; services.save_draft(...)``. The
functions live by role:

- ``drafts``: starting a report, saving its working copy (``EditConflict`` when someone saved since), the nil
  report, the report's details and visibility.
- ``submission``: submitting a version to the ISU, recalling it before review.
- ``review``: the ISU's review (start, request changes, accept, publish) and the State's correction after it.
- ``comments``: review comments, replies and resolving them.
- ``team``: giving a report's forms to the State's national contributors, with internal due dates; their
  hand-back (ready, returned with a note) and the focal point's reading mark.
- ``workbook``: the Excel round-trip's writes (keep a checked upload, apply it through ``save_draft``,
  discard it); the checks are ``reporting.workbook``.
- ``workflow``: the steps the writes share (lock, who acts, status change with its audit entry,
  ``InvalidTransition``).

The reads they rely on are beside them: ``reporting.content`` (validation, what changed between two contents)
and ``reporting.periods`` (which reports a State owes, the accepted version one starts from).
"""

from reporting.services.comments import add_comment, resolve_comment
from reporting.services.drafts import (
    EditConflict,
    make_nil_report,
    save_draft,
    set_visibility,
    start_report,
    update_report_details,
)
from reporting.services.review import (
    accept_report,
    publish_report,
    request_changes,
    start_correction,
    start_review,
)
from reporting.services.submission import recall_submission, submit_report
from reporting.services.team import assign_form, mark_ready, mark_seen, return_form
from reporting.services.workbook import apply_upload, discard_upload, upload_workbook
from reporting.services.workflow import InvalidTransition

__all__ = [
    "EditConflict",
    "InvalidTransition",
    "accept_report",
    "add_comment",
    "apply_upload",
    "assign_form",
    "discard_upload",
    "make_nil_report",
    "mark_ready",
    "mark_seen",
    "publish_report",
    "recall_submission",
    "request_changes",
    "resolve_comment",
    "return_form",
    "save_draft",
    "set_visibility",
    "start_correction",
    "start_report",
    "start_review",
    "submit_report",
    "update_report_details",
    "upload_workbook",
]
