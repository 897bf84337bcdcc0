"""Settings of the portal's own processes in the fault tests (``tests/faults``): gunicorn, the Celery
worker and ``manage.py`` run with the production settings (``DJANGO_DEBUG=0``, the database, the cache
and the broker from the environment), changed only where a plain-HTTP run on 127.0.0.1 needs it.
"""

import os

from ccm_portal.settings import *  # noqa: F403

# Plain HTTP on 127.0.0.1: cookies without the Secure flag, or the test's HTTP client would not send them back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Static files served from the source folders: no collectstatic (and its manifest) before the test.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
# One file per e-mail sent, read back by the tests (EMAIL_BACKEND=…filebased.EmailBackend in the environment).
EMAIL_FILE_PATH = os.environ["CCM_FAULTS_OUTBOX"]
# Fast password hashing: the sign-in is exercised, not the hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Time compressed: a message taken by a worker that died goes back to the queue after five seconds, looked for
# every second (Redis transport: kombu's defaults, used in production, are one hour, looked for every ~100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
# The faults tested are the reminders' and the PDFs': no open-data build queued by their writes competes for the worker.
CCM_OPEN_DATA_REFRESH_ON_CHANGE = False
