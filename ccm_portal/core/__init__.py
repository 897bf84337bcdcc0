"""What every app may use and that knows no app: the audited admin mixin, the lifecycle of documents made
in the background, import helpers, spreadsheets and zip checks, uploads, responses and rate limits, the
clock and the view helper that shows a service's refusal; logs and error reports (``request_log``: the
request id and one line per request; ``task_log``: the id carried into tasks, one line per task;
``log_format``: JSON or text lines; ``error_reports``: Sentry without personal data); ``files`` (a stored
file sent after the view's access check: streamed, or handed to nginx by X-Accel-Redirect) and ``metrics``
(Prometheus: task timings from Celery's signals, ``/metrics`` for the scraper only); ``links`` (absolute
links in e-mails and pages: CCM_SITE_URL when set, else the origin served, carried into the tasks a request
enqueues). Nothing here imports an app above ``audit``."""
