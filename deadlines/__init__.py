"""Deadlines and reminders: every State's obligation calendar, computed from its dates, reminders sent once,
snoozes, calendar feeds and the ISU's weekly digest.

- ``calendar.py``: the calendar itself (report, obligation, extension-request and meeting deadlines), computed,
  never stored; ``models.py``: reminders, reminder settings, snoozes, calendar feeds.
- ``access.py``: who follows which State's deadlines, who may snooze, send again or keep a feed, whom to remind
  and whom the digest goes to; the only module here that reads ``accounts.permissions``.
- ``services/``: every write (the daily reminder run, sending reminders in batches, bounces, snoozes, feeds);
  ``services/team.py``: reminders of the national reporting team's internal due dates (forms given to
  contributors), on their own schedule and the same exactly-once machinery.
- ``digest.py``: the ISU's weekly digest, built and sent once per ISO week.
- ``tasks.py``: Celery adapters over the services (beat's daily run, one task per e-mail, the digest).
- ``selectors/``: the reads of the pages (``overview``, ``reminders``, ``effectiveness``, ``reports``, ``user``;
  ``team``: the forms given to contributors, to remind, in a feed and on a user's reminders page).
- ``views/isu.py``: the ISU's deadline overview and reminder log; ``views/user.py``: a user's reminders,
  calendars and the feeds; ``forms.py``: their filter and snooze forms; ``ical.py``: the iCalendar documents.
- ``state_page.py`` and ``home_page.py``: this app's sections of the State page (``parties.state_page``) and of
  the user's home page (``accounts.home_page``), registered in ``apps.py``; ``admin.py``: settings and reminders.
"""
