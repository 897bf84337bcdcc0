"""The public archive of Article 7 reports: who may read which version, the search behind the
archive page and the ISU's export, and a version as open data (JSON, CSV).

Who reads what — ``reporting.access.readable_versions``, the same rule as the reader's view of
``reporting.views.overview.version_detail``, never wider:

* only the versions the ISU *published* (``ReportVersion.published_at``; a published version stays
  readable when a correction is prepared or supersedes it, so its permanent URL keeps working).
  Drafts, pending, recalled, sent-back and accepted-but-unpublished versions are never in the
  archive, not even for the State's own focal points or the ISU, who work on them in their own pages;
* the public reads public reports; focal points (of any State Party) and the ISU also read the
  reports and versions restricted to States Parties.

Every read here runs a fixed number of queries, however many reports, versions or rows there are.

- ``reads``: the archive's selectors: the latest readable versions, the search and the export's selection,
  one version by its citable address, its history, its facts (accepted on, entered by the ISU), its sections.
- ``open_data``: a version as open data: the JSON document, the long-form CSV.
- ``export``: the ISU's spreadsheet of a selection, one row per version (a django-import-export resource).
"""
