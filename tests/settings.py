"""Test settings: the project settings with a fixed, non-secret key and fast hashing.

The database comes from DATABASE_URL like everywhere else: SQLite by default,
PostgreSQL in CI (.ci/run sets it and the suite fails if it is unreachable).
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from ccm_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CCM_SITE_URL = "http://testserver"
# Each test starts with empty rate-limit counters (allauth keeps them in the cache).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# Serve static files from the source folders, as in development (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tasks run in-process in most tests. The broker and result backend still point at the test Redis
# from the start, so the tests that start a real worker (tests/test_celery_worker.py) publish there
# rather than to connections Celery cached earlier. Nothing connects until a worker test runs.
CELERY_BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = True
# A committed change does not queue an open-data build in the worker tests' workers (the test that shows the
# trigger turns it on).
CCM_OPEN_DATA_REFRESH_ON_CHANGE = False
# No page cache: a test's writes are never committed, so they never move the public data's version that the page
# cache keys on (tests/test_page_cache.py and the browser's turn it on and commit their changes).
CCM_PAGE_CACHE_SECONDS = 0
# SQLite (a newcomer's `make test`): a file-backed test database instead of a shared in-memory
# one, so the live server thread and the test wait for each other's locks rather than failing.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
    # The project's WAL and immediate transactions stay; the tests wait longer for a lock.
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "timeout": 30}  # noqa: F405
