"""Reads for the deadline pages, by what they show (each runs a fixed number of queries, whatever the number of
States, deadlines or reminders; deadlines are computed by ``deadlines.calendar``, never stored):

- ``overview``: the ISU's deadline overview (every State's deadlines, overdue and upcoming, with their reminders).
- ``reminders``: reminder problems, the reminder log, the reminders sent in a period (the weekly digest).
- ``effectiveness``: how reports followed each reminder step.
- ``reports``: the reports behind report deadlines and when each was first submitted.
- ``user``: a signed-in user's deadlines (what is due next, their reminders page, their calendar feeds).
"""
