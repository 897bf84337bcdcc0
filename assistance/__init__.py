"""Article 6 cooperation and assistance: States' requests, donors' offers, the coordinators' matching of
the two, country coalitions, and the reconciliation of Article 7 Form I with the deliveries recorded here.

What lives where:

- ``models``: requests, their documents, donors, offers, matches, coordinator tasks, coalitions, settings.
- ``access``: the one place deciding who may see or do what (on ``accounts.permissions``' capabilities),
  the views' decorators, and whom the e-mails go to.
- ``services/``: every write, audited, by what it writes (``requests``, ``documents``, ``offers``,
  ``matching``, ``coalitions``; ``validation`` and ``changes`` shared by them).
- ``selectors/``: every read by what it reads (``funding``, ``overview``, ``board``, ``coalitions``,
  ``history``: the audit trail as the pages show it).
- ``ranking``: candidate offers for a request, scored with the reasons shown on the board.
- ``reconciliation``: Form I given/received rows against each other and the recorded deliveries.
- ``checks``: Form I against the recorded deliveries, a cross-check of the report review (``reporting.checks``).
- ``uploads``: what a supporting document must be (type, size, content) before it is stored.
- ``notifications``: the e-mails of matches and tasks, sent once per event and recipient.
- ``tasks``: Celery adapters (the e-mails, the daily check for requests nobody offered anything for).
- ``forms``: every form of the assistance pages.
- ``views/``: the pages (``requests``, ``offers``, ``board`` with matches and tasks, ``overview`` with the
  reconciliation, ``coalitions``), listed in ``urls``.
- ``resources``: the coalitions' reference file (import-export); ``admin``: the ISU's admin pages.
- ``templatetags/coalitions``: a State's coalition on the State page (``parties`` may not import this app).
- ``management/commands/seed_demo_assistance``: demo data for the demo accounts.
"""
