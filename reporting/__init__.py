"""Article 7 transparency reports: a State's focal point prepares its report (initial, or the annual update for a
calendar year) in the portal or the ISU enters it from an original; the ISU reviews, accepts and publishes it; the
public archive, the PDFs and the open data show what was published.

What lives where:

- ``models/``: the data (``reporting.models`` re-exports every model and choice): ``rules`` (format versions,
  ``ReportingRules``), ``reports`` (``Report``, ``ReportVersion``), ``entries``, ``review``, ``documents``,
  ``records``, ``team`` (``FormAssignment``: a form given to a national contributor; ``FormNote``).
- ``formats/``: the reporting format as data (forms, fields, tables), ``validate`` for a whole report; ``cells``:
  one cell (numbers and areas as typed, ``clean_cell``).
- ``access.py``: who may see or do what with a report, the only module that asks ``accounts.permissions``.
- ``services/``: every write on reports (``reporting.services`` is the API): ``drafts``, ``submission``,
  ``review``, ``comments``, ``team`` (forms given, handed back, returned), ``workbook``, and the ``content``,
  ``periods`` and ``workflow`` they share.
- ``entry.py``: the ISU entering a report from an original received outside the portal, and the State's word on it.
- ``selectors.py``: the pages' reads (the review queue, a State's list of reports, open queries, a report's history);
  ``selectors_team.py``: the ISU's counts of each State's reporting team, who prepared each form.
- ``records.py``: what is known of each report a State owes on a day (portal versions and sources' records).
- ``checks.py``: the reviewer's cross-checks (warnings, never rejections).
- ``diff.py``: what changed between two versions, form by form, row by row, word by word.
- ``editor.py``: report content to the editing page's inputs and back, and a version's read-only sections;
  ``display.py``: how one stored value reads.
- ``forms/``: the Django form classes, by page (``my_reports``, ``overview``, ``review``, ``entry``,
  ``archive``, ``workbook``, ``team``).
- ``workbook/``: the Excel round-trip's reading side: ``layout``, ``download``, ``read`` and ``cells`` (the
  checks of an upload), ``merge``, ``preview`` (its writes are ``services.workbook``).
- ``archive/``: the public archive: ``reads`` (who reads which version, the search), ``open_data`` (JSON,
  CSV), ``export`` (the ISU's spreadsheet).
- ``pdf.py``: the report's PDF, a kind of background document (``ccm_portal.core.documents``).
- ``notifications.py``: e-mails to reviewers, focal points and national contributors, sent once; ``tasks.py``:
  the Celery tasks over them and the PDF (services enqueue them by name).
- ``resources.py``: import and export of reports received outside the portal; ``admin.py``: the ISU's admin.
- ``state_page.py``: this app's section of the State page; ``apps.py`` registers it and the reference data.
- ``views/``: the pages, one module each: ``my_reports`` (a State's list, starting a report), ``overview``
  (a report's page, its actions, versions, replies), ``editing`` (cover page and forms, autosave, conflicts; a
  national contributor's forms), ``team`` (who works on which form, a contributor's forms, hand-back and return),
  ``team_isu`` (the ISU's view of the teams),
  ``review`` (the ISU's queue and review), ``entry`` (entering from an original), ``workbook``, ``documents``
  (PDFs), ``archive`` (the public archive); ``pages`` and ``retry`` are what they share. ``urls.py`` maps them.
- ``management/commands/seed_demo_reports.py``: a published demo report, for development.
"""
