"""The project package: what ties the apps into one portal, and what every app may use.

- ``settings.py``: every setting, read from the environment through ``env.py`` (a malformed value stops
  start-up with a message naming it).
- ``urls.py``, ``wsgi.py``, ``celery.py``, ``views.py`` (liveness), ``apps.py`` (wires ``core.data_version``):
  the composition root, the one place that may import every app.
- ``core/``: the shared layer below every app but ``audit`` (it knows no app): the audited admin mixin
  (``admin``), the background-document model and lifecycle (``models``, ``documents``), import helpers
  (``imports``), spreadsheets and zip checks, upload ceilings, JSON responses, rate limits, the clock, the
  public data's version (``data_version``: what the API's ETags and the open-data package key on),
  enqueueing tasks by name on commit (``tasks``) and showing a service's refusal in a view (``views``);
  logs and error reports: ``request_log`` (a request id, one line per request), ``task_log`` (the id in
  the tasks a request enqueues, one line per task), ``log_format`` (JSON or text), ``error_reports``
  (Sentry without personal data); ``files`` (downloads after the access check, streamed or by
  X-Accel-Redirect) and ``metrics`` (Prometheus: task signals, ``/metrics`` for the scraper only);
  ``links`` (absolute links: CCM_SITE_URL when set, else the origin served, carried into tasks).

The layers and what each may know are in the README ("Layout") and enforced by ``lint-imports``.
"""

from ccm_portal.celery import app as celery_app

__all__ = ("celery_app",)
