"""Progress to date: the ISU's figures for any day, computed from the registry and the reports, never
stored (the top layer: it reads every app below it).

- ``membership.py``: membership, Art. 3/4 completion, Art. 9 measures and coalitions as of a day;
  ``reporting_rates.py``: Article 7 reporting rates; ``universalization.py``: sub-regions entirely Parties.
- ``types.py``: a figure (numerator, denominator, the States behind both, definition, source, coverage).
- ``selectors.py``: the dashboard assembled for the public or the ISU; ``trends.py`` and ``charts.py``:
  the charts as server-drawn SVG with their data tables.
- ``exports.py``, ``tasks.py``, ``models.py``: CSV/XLSX exports and the one-page PDF rendered by Celery.
- ``access.py``: who sees the ISU's version; ``views/``: the dashboard, figure and export pages.
"""
