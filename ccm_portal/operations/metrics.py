"""The portal's own counters of work done by an app's task, for the Prometheus scrape (``/metrics``).

Each is counted from the task's result through Celery's signals (``ccm_portal.core.metrics.count_results``),
so the app itself knows nothing of metrics. ``ccm_portal/celery.py`` imports this module.

- ``ccm_reminders_sent_total``: reminder e-mails sent, one per reminder handed to the mail server
  (``deadlines.tasks.send_reminder`` sends a batch and returns how many of its e-mails went out: none for
  reminders already taken, bounced or failed for good). What a temporary SMTP failure stopped counts once,
  in the batch that sends it later.
"""

from __future__ import annotations

from prometheus_client import Counter

from ccm_portal.core import metrics

REMINDERS_SENT = Counter("ccm_reminders_sent", "Reminder e-mails sent (handed to the mail server).")

metrics.count_results("deadlines.tasks.send_reminder", REMINDERS_SENT)
