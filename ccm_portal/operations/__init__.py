"""Running the portal for years: what an operator and the ISU need to see that it is alive and to bring it
back (readiness, the background-work page, backups and restore, logs, error reports, metrics). It belongs
to the composition root: it may read every app, and no app imports it.

- ``health.py``: readiness (``/readyz``: database, cache, broker, beat's heartbeat) and the heartbeat itself,
  recorded by ``ccm_portal.tasks.beat_heartbeat`` and read by ``manage.py beat_alive``.
- ``access.py``: who sees the background-work page and may retry (the only module here on
  ``accounts.permissions``); ``selectors.py``: what is queued, failed or stuck, by kind, with counts;
  ``services.py``: Retry, through the service that made the work; ``views.py`` and ``urls.py``: the ISU's
  page ``/isu/operations/`` and its Retry buttons (template ``templates/operations/background_work.html``).
"""
