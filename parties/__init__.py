"""States Parties and signatories, their treaty dates, obligations, extensions and meetings: the registry
every other app builds on (it imports none of them).

- ``models/``: States (``states``), meetings, Art. 3/4 obligations with their extension requests
  (``obligations``), statements of completion (``completions``), Art. 9 measures and published totals
  (``measures``).
- ``rules.py``: every treaty date rule (entry into force, deadlines, reporting years, when a decision
  holds), pure functions citing their article; ``dates.py``: dates known to a day, month or year.
- ``selectors.py``: reads for the States list and the State page, as of any day; ``universalization.py``:
  membership by region and UN sub-region.
- ``state_page.py``: the State page's sections that the apps above add (reports, calendar).
- ``resources.py``, ``record_resources.py``: import and export (django-import-export), all or nothing,
  audited; ``reference.py``: the reference files ``manage.py load_reference_data`` loads, in order.
- ``views.py``, ``forms.py``, ``urls.py``: the public States, State and meetings pages; ``admin.py``: the
  ISU's registry (audited).
"""
