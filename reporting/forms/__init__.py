"""The Django form classes of the report pages, by page; the editor that turns report content into the
editing page's inputs and back is ``reporting.editor``, beside this package.

- ``my_reports``: starting a report (``StartReportForm``).
- ``overview``: the report's settings, submitting a version, replying to a query (``ReportSettingsForm``,
  ``SubmitForm``, ``ReplyForm``).
"""

from reporting.forms.my_reports import StartReportForm
from reporting.forms.overview import ReplyForm, ReportSettingsForm, SubmitForm

__all__ = ["ReplyForm", "ReportSettingsForm", "StartReportForm", "SubmitForm"]
