"""Celery application. Tasks live in each app's ``tasks.py`` and are thin adapters over services.

``task_log.connect()``: the request id travels into the tasks a request enqueues, each task logs one
line when it ends, and the worker and beat log through Django's ``LOGGING`` (ccm_portal/core/task_log.py).
"""

import os

from celery import Celery

from ccm_portal.core import links, task_log
from ccm_portal.operations import metrics  # noqa: F401  (times and counts every task: core/metrics.py)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccm_portal.settings")

app = Celery("ccm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
task_log.connect()
# A task builds its links from the origin of the request that enqueued it (ccm_portal/core/links.py).
links.connect()
