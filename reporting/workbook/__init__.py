"""The Excel round-trip of an Article 7 report's tables: download them as a workbook, fill it offline,
upload it, see what will change, apply it to the draft.

- ``layout``: where things are in the workbook (a sheet per table, headings, notes, the hidden id and
  ``_meta``), shared by the download and the reading.
- ``download``: the .xlsx a focal point downloads, pre-filled with the draft or empty.
- ``read``: every check of an uploaded file, in order, before anything is written (``WorkbookRefused``
  lists every problem); ``cells``: how one table's cells are read (import-export, the editor's parser).
- ``merge``: the draft as the workbook makes it (row ids and cells kept where they mean the same).
- ``preview``: what applying it changes, form by form and table by table.

The writes (keep a checked upload, apply it through ``services.save_draft``, discard it) are services:
``reporting.services.workbook``.
"""
