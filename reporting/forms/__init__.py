"""The Django form classes of the report pages, by page; the editor that turns report content into the
editing page's inputs and back is ``reporting.editor``, beside this package.

- ``my_reports``: starting a report (``StartReportForm``).
- ``overview``: the report's settings, submitting a version, replying to a query (``ReportSettingsForm``,
  ``SubmitForm``, ``ReplyForm``).
- ``review``: the ISU's review queue filters, asking for changes, comments (``QueueFilterForm``,
  ``RequestChangesForm``, ``CommentForm``).
- ``entry``: the ISU's entry of a report from an original, and the State's report of a problem with it
  (``EntryStartForm``, ``EntryDetailsForm``, ``RecordForm``, ``ProblemForm``).
- ``workbook``: uploading a filled-in workbook (``WorkbookUploadForm``).
- ``team``: giving a report's forms to the State's national contributors (``TeamForm``).
- ``archive``: the public archive's filters, also those of the ISU's export (``ArchiveFilterForm``).

The first two are re-exported here; the views import the others from their modules.
"""

from reporting.forms.my_reports import StartReportForm
from reporting.forms.overview import ReplyForm, ReportSettingsForm, SubmitForm

__all__ = ["ReplyForm", "ReportSettingsForm", "StartReportForm", "SubmitForm"]
