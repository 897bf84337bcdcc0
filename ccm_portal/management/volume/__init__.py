"""The full volume ``manage.py build_volume`` writes, for measuring pages as the years pile up (issue 16).

Every row is derived from one seeded ``random.Random`` and the portal's day, so two builds with the same seed
on the same day hold the same data. Rows are written with ``bulk_create`` in batches, with the fields the
services would have set (a published version has its submission day, decision and publication times, its
outcome and visibility; a correction supersedes its first version), and the audit entries a real history
would have where they are cheap (submissions, publications, requests).

- ``plan``: the options and the counts they give (the full volume, scaled down for fewer States or years).
- ``people``: the accounts the volume acts through (focal points per State, ISU reviewers, coordinators,
  donor focal points) and the donors; they carry the marker everything else is found by.
- ``content``: valid report content in the current format, from a pool of rows checked once.
- ``reports``: the reports, their versions (corrections, reviews, restricted and nil ones) and audit entries.
- ``assistance``: requests, offers and matches.
- ``flush``: what a previous build made, found by the marker, removed.
"""
