"""Settings for CCM Portal.

One module for every environment. Everything that differs between a laptop
and production is read from the environment through the strict helpers in
``ccm_portal.env``; a malformed value stops start-up with a message naming
the variable. Defaults give a working development setup: SQLite, in-process
Celery tasks, e-mail written to files in var/mail/.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ccm_portal.env import (
    env_addresses,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CCM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("The environment variable DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Development only: a random key kept outside the repository so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.forms",  # its widget templates, found by FORM_RENDERER below
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "import_export",
    "ccm_portal",
    "audit",
    "accounts",
    "parties",
    "reporting",
    "deadlines",
    "assistance",
    "progress",
    "api",
    "ninja",
    "corsheaders",
]

MIDDLEWARE = [
    # Prometheus (ccm_portal/core/metrics.py): first and last, so a request's time includes every middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before every other (metrics' timer aside): every response, a redirect or a refusal too, gets the
    # request id and one log line (ccm_portal/core/request_log.py).
    "ccm_portal.core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy: see the Security section
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # open data: the API answers any origin's GET (CORS_* below)
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ccm_portal.core.links.OriginMiddleware",  # links built while serving point at the origin served
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CSRF check reads the body: an oversized upload is refused unread.
    "ccm_portal.core.uploads.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorSessionMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "ccm_portal.urls"
WSGI_APPLICATION = "ccm_portal.wsgi.application"

# Form widgets render through the project's templates, so templates/django/forms/widgets/ can give every free-text
# field dir="auto" (what is typed in another script than the page's reads in its own direction).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                # After Django's own csrf: a page rendered for the page cache gets a placeholder for its token.
                "ccm_portal.core.page_cache.placeholders",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    schemes=("postgres", "postgresql", "sqlite"),
)
# Connections are kept between requests (DATABASE_CONN_MAX_AGE seconds) and checked before a request reuses one:
# after a database restart the first request opens a new connection instead of failing on the dead one.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL, a busy timeout and BEGIN IMMEDIATE: a save meeting an autosave waits instead of failing
    # with "database is locked" (ccm_portal/core/db.py says why each).
    from ccm_portal.core.db import sqlite_options

    DATABASES["default"]["OPTIONS"] = sqlite_options(DATABASES["default"].get("OPTIONS"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login rate limits live here: use Redis in production) ---------------
CACHE_URL = env_url("CACHE_URL", None, schemes=("redis", "rediss"))
if CACHE_URL:
    # Bounded waits: a Redis that silently drops connections makes pages (and /readyz) fail fast with a
    # reason instead of hanging until the proxy's or the probe's own timeout.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # invitations prove the address; see accounts.services.accept_invitation
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Sensitive steps (enrolling an authenticator app) ask for the password or the second factor again;
# never a code by e-mail, which would make the mailbox a second way in.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CCM Portal] "
# Failed logins and wrong two-factor codes share the "login_failed" bucket.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("CCM_RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("CCM_RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("CCM_TOTP_ISSUER", "CCM Portal")
INVITATION_VALID_DAYS = env_int("CCM_INVITATION_VALID_DAYS", 14, minimum=1)

# --- Internationalisation: the six authentic languages of the Convention (Art. 23) -
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Zurich"
USE_I18N = True
USE_TZ = True
# Numbers per language from CLDR (ccm_portal/core/formats): decimal mark, group separator, grouping; dates keep
# Django's own formats. No USE_THOUSAND_SEPARATOR: years and ids stay "2026"; figures are grouped where shown
# (floatformat:"2g", intcomma), and machine outputs (JSON, CSV, the API) stay plain.
FORMAT_MODULE_PATH = ["ccm_portal.core.formats"]

# --- Static and uploaded files --------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads leave only through the views that check access (ccm_portal.core.files). Behind nginx, set this
# to its internal location's prefix (e.g. /protected-media/, docker/nginx-protected-media.conf): the view
# then answers with X-Accel-Redirect and nginx sends the bytes. Unset: Django streams the file itself.
CCM_MEDIA_ACCEL_PREFIX = env_str("CCM_MEDIA_ACCEL_PREFIX", "")
if CCM_MEDIA_ACCEL_PREFIX and not (CCM_MEDIA_ACCEL_PREFIX.startswith("/") and CCM_MEDIA_ACCEL_PREFIX.endswith("/")):
    raise ImproperlyConfigured(
        f"The environment variable CCM_MEDIA_ACCEL_PREFIX must start and end with '/', got {CCM_MEDIA_ACCEL_PREFIX!r}."
    )

# --- Backups (`manage.py backup` / `restore`; README, "Backups") -----------------------
# Where backup sets are written (one directory per set), and how many days of sets are kept.
CCM_BACKUP_DIR = Path(env_str("CCM_BACKUP_DIR", str(VAR_DIR / "backups")))
CCM_BACKUP_KEEP_DAYS = env_int("CCM_BACKUP_KEEP_DAYS", 14, minimum=1)

# --- E-mail -----------------------------------------------------------------------
# Development (DJANGO_DEBUG=1) without EMAIL_HOST sends nothing: each message is written as a file to
# EMAIL_FILE_PATH (var/mail/), so `make run` stays readable and a link in a message can be opened from there.
_EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG and not _EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_HOST = _EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CCM Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery: in-process unless a broker is configured -----------------------------
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", None, schemes=("redis", "rediss"))
CELERY_RESULT_BACKEND = env_url("CELERY_RESULT_BACKEND", CELERY_BROKER_URL, schemes=("redis", "rediss"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Reminders are computed for "today" in Geneva; running twice sends nothing twice. First run at 06:00, then
    # every hour until 22:00: a run beat could not send (broker down), or reminders whose queued messages were lost
    # (Redis restarted without its data), are caught up the same day (tests/faults).
    "daily-reminders": {"task": "deadlines.tasks.run_daily_reminders", "schedule": crontab(hour="6-22", minute=0)},
    "weekly-isu-digest": {
        "task": "deadlines.tasks.send_weekly_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    # Open assistance requests with no offer after the ISU's set number of months become tasks.
    "purge-workbook-uploads": {"task": "reporting.tasks.purge_workbook_uploads", "schedule": crontab(hour=3, minute=0)},
    "assistance-no-offer-tasks": {
        "task": "assistance.tasks.raise_no_offer_tasks",
        "schedule": crontab(hour=6, minute=30),
    },
    # Proof that beat runs (ccm_portal.operations.health): /readyz and `manage.py beat_alive` read its time.
    # Expired if no worker took it within the minute: a backlog of heartbeats would prove nothing.
    "beat-heartbeat": {"task": "ccm_portal.tasks.beat_heartbeat", "schedule": 60.0, "options": {"expires": 55}},
    # The open-data package is rebuilt after each change to public data; this catches a change whose message was
    # lost, and the new day (it builds only when something moved since the latest release).
    "open-data-refresh": {
        "task": "api.tasks.refresh_open_data",
        "schedule": crontab(minute=17),
        "options": {"expires": 50 * 60},
    },
}
# The open-data package's licence, on the package and each resource (Frictionless `licenses`): the ISU's choice.
CCM_OPEN_DATA_LICENSE = {
    "name": env_str("CCM_OPEN_DATA_LICENSE_NAME", "CC-BY-4.0"),
    "path": env_str("CCM_OPEN_DATA_LICENSE_PATH", "https://creativecommons.org/licenses/by/4.0/"),
    "title": env_str("CCM_OPEN_DATA_LICENSE_TITLE", "Creative Commons Attribution 4.0"),
}
# Seconds between a change to public data and the package's rebuild: the changes of those seconds build it once.
CCM_OPEN_DATA_DELAY = env_int("CCM_OPEN_DATA_DELAY", 60, minimum=0)
# Whether a change to public data queues the rebuild itself (else beat's hourly run and a stale request do).
CCM_OPEN_DATA_REFRESH_ON_CHANGE = env_bool("CCM_OPEN_DATA_REFRESH_ON_CHANGE", True)
# Seconds a public page rendered for anonymous readers is kept (ccm_portal/core/page_cache.py; README, "Measuring
# speed"): it is keyed on the public data's version and the day, so it is never stale; this bounds the memory of
# pages nobody asks for again. 0 turns the page cache and its ETags off.
CCM_PAGE_CACHE_SECONDS = env_int("CCM_PAGE_CACHE_SECONDS", 3600, minimum=0)
# /readyz (and the beat container's healthcheck) call beat late when its heartbeat is older than this (seconds).
CCM_BEAT_MAX_AGE = env_int("CCM_BEAT_MAX_AGE", 300, minimum=90)

# --- Security ---------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else None
# Rate limits count per client address: behind the TLS proxy, the address is the one the proxy adds to
# X-Forwarded-For (otherwise every visitor would share the proxy's address and its limits).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "CCM_TRUSTED_PROXY_COUNT", 1 if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else 0, minimum=0
)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
# The container healthcheck calls /readyz (and a liveness probe /healthz) over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp). Scripts and styles come from the portal's own
# static files; an inline <script> or <style> needs the page's nonce (nonce="{{ request.csp_nonce }}").
# No 'unsafe-inline': style="…" attributes and onclick=… handlers are blocked, so templates use classes
# and static JS. To allow a new source, add it to the directive here (or to one view with
# csp.decorators.csp_update). Responses that set their own policy keep it (document downloads).
# CCM_CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only (reports, blocks nothing).
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],  # allauth draws the authenticator's QR code as a data: URI
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("CCM_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Metrics (Prometheus, ccm_portal/core/metrics.py) -----------------------------
# /metrics answers only the scraper: a client address in this list (addresses or networks, read behind the
# TLS proxy as the rate limits read it), or a request with "Authorization: Bearer <CCM_METRICS_TOKEN>" when
# the token is set. Everyone else gets 404. Several processes: set PROMETHEUS_MULTIPROC_DIR (docker-compose.yml).
CCM_METRICS_ALLOWED_IPS = env_networks("CCM_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
CCM_METRICS_TOKEN = env_str("CCM_METRICS_TOKEN", "")
# The scraper reads http://web:8000/metrics inside the compose network, without TLS.
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]

# --- Logging ----------------------------------------------------------------------
# One JSON object per line (production), or readable text with the same fields (DJANGO_DEBUG=1, `make run`);
# CCM_LOG_FORMAT=json|text chooses. Each request logs one line (ccm_portal.core.request_log), each task one
# (ccm_portal.core.task_log), and every line carries the request id. Worker and beat log through this too.
CCM_LOG_FORMAT = env_choice("CCM_LOG_FORMAT", "text" if DEBUG else "json", choices=("json", "text"))
# People mailed a 500's traceback (Django's mail_admins), e.g. "Jane Doe <jane@example.org>, ops@example.org".
ADMINS = env_addresses("DJANGO_ADMINS")
EMAIL_SUBJECT_PREFIX = "[CCM Portal] "
_MAIL_ADMINS = bool(ADMINS) and not DEBUG
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ccm_portal.core.request_log.RequestIdFilter"},
        "secret_path": {"()": "ccm_portal.core.request_log.SecretPathFilter"},
    },
    "formatters": {
        "json": {"()": "ccm_portal.core.log_format.JsonFormatter"},
        "text": {"()": "ccm_portal.core.log_format.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": CCM_LOG_FORMAT,
            "filters": ["request_id", "secret_path"],
        },
        **(
            {
                "mail_admins": {
                    "class": "django.utils.log.AdminEmailHandler",
                    "level": "ERROR",
                    "filters": ["secret_path"],
                }
            }
            if _MAIL_ADMINS
            else {}
        ),
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's lines go to the console above only (its default adds a second, bare console in debug);
        # errors ("Internal Server Error: /path", with the traceback) are mailed when ADMINS is set.
        "django": {"handlers": ["mail_admins"] if _MAIL_ADMINS else [], "level": "INFO"},
    },
}

# --- Error reports ------------------------------------------------------------------
# Sentry (Django and Celery), only when SENTRY_DSN is set: no personal data (ccm_portal.core.error_reports).
SENTRY_DSN = env_url("SENTRY_DSN", None, schemes=("https", "http"))
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
# The share of requests and tasks traced for performance (0 to 1); errors are all sent whatever this is.
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0.0, maximum=1.0)
if SENTRY_DSN:
    import sentry_sdk

    from ccm_portal.core.error_reports import sentry_options

    sentry_sdk.init(
        **sentry_options(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
    )

# --- Portal rules -------------------------------------------------------------------
# The demo accounts' shared password (seed_demo sets it, demo_accounts prints it; `make run` draws one per run).
# Empty: seed_demo draws one and prints it. Never used in production.
CCM_DEMO_PASSWORD = env_str("CCM_DEMO_PASSWORD", "")
# The origin of absolute links (e-mails, the citation box, calendar feeds): set, it wins everywhere; unset
# (""), links use the host and port actually served (ccm_portal.core.links says how tasks learn it).
CCM_SITE_URL = (env_url("CCM_SITE_URL", None, schemes=("http", "https")) or "").rstrip("/")
# Overrides of assistance.ranking.DEFAULT_WEIGHTS (area, kind, place, amount, period, history).
CCM_MATCH_WEIGHTS: dict[str, float] = {}
# The largest Excel workbook a focal point may upload into a report (MB).
CCM_WORKBOOK_MAX_MB = env_int("CCM_WORKBOOK_MAX_MB", 5, minimum=1)
# No request body larger than this is read at all (ccm_portal.core.uploads); every upload limit stays below it.
CCM_UPLOAD_MAX_MB = env_int("CCM_UPLOAD_MAX_MB", 25, minimum=CCM_WORKBOOK_MAX_MB + 1)
# The largest original (PDF, image or Word document) the ISU may attach to a report it enters for a State (MB).
CCM_ORIGINAL_MAX_MB = env_int("CCM_ORIGINAL_MAX_MB", 20, minimum=1)
# Checked workbooks waiting for confirmation are dropped after this many days (their audit entries stay).
CCM_WORKBOOK_UPLOADS_KEEP_DAYS = env_int("CCM_WORKBOOK_UPLOADS_KEEP_DAYS", 30, minimum=1)
# Work anyone can start (ccm_portal.core.ratelimit): "N/period/scope", as allauth's login limits.
CCM_RATE_LIMITS = {
    "document_request": env_str("CCM_RATE_LIMIT_DOCUMENTS", "30/h/ip"),
    "document_request_user": env_str("CCM_RATE_LIMIT_DOCUMENTS_USER", "120/h/user"),
    # Report workbooks a focal point may upload (each is unpacked and every cell checked).
    "workbook_upload_user": env_str("CCM_RATE_LIMIT_WORKBOOK_UPLOADS", "30/h/user"),
    # Supporting documents of assistance requests (each is stored and its content checked).
    "document_upload_user": env_str("CCM_RATE_LIMIT_DOCUMENT_UPLOADS", "60/h/user"),
    # Originals of reports the ISU enters for a State (each is stored and its content checked).
    "original_upload_user": env_str("CCM_RATE_LIMIT_ORIGINAL_UPLOADS", "60/h/user"),
    # The open-data API (/api/v1/), per client address whether or not signed in (it answers as the public).
    "api": env_str("CCM_RATE_LIMIT_API", "600/m/ip"),
    "api_user": env_str("CCM_RATE_LIMIT_API", "600/m/ip"),
}
# The open-data API's pages: results per page unless ``page_size`` asks otherwise, and the most it may ask.
CCM_API_PAGE_SIZE = env_int("CCM_API_PAGE_SIZE", 50, minimum=1)
CCM_API_MAX_PAGE_SIZE = env_int("CCM_API_MAX_PAGE_SIZE", 500, minimum=1)
# CORS (django-cors-headers): the API is open data, readable from any site's scripts, GET only, no cookies.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After")
# django-ratelimit reads the visitor's address as the login limits do (behind the TLS proxy).
RATELIMIT_IP_META_KEY = "ccm_portal.core.ratelimit.client_ip"
