# syntax=docker/dockerfile:1
# CCM Portal production image. One image for every role; docker-compose.yml picks the command:
#   web (default CMD: gunicorn), migrate (manage.py migrate), worker / beat (celery).
# Configuration comes from the environment at run time (see ccm_portal/settings.py); nothing secret is baked in.

# The base image, by tag, which moves when upstream rebuilds it. Pin it by digest for reproducible builds:
#   docker buildx imagetools inspect python:3.11-slim-bookworm --format '{{.Manifest.Digest}}'
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<that digest> .
# (docker-compose.yml passes PYTHON_IMAGE from .env; README, "Pinned images").
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: dependencies from the hash-pinned lock, compiled messages, collected static files ----------
FROM ${PYTHON_IMAGE} AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# gettext provides msgfmt for compilemessages; it stays in this stage only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
COPY requirements/base.txt /tmp/requirements/base.txt
RUN pip install --require-hashes -r /tmp/requirements/base.txt \
    && pip check

WORKDIR /app
COPY . .

# Settings refuse to load without DJANGO_SECRET_KEY when DEBUG is off: give these two commands a throwaway
# key for this RUN step only (it is not an ENV, so the final image carries no key). CCM_VAR_DIR keeps the
# SQLite fallback's directory out of /app. Neither command touches a database.
RUN export DJANGO_SECRET_KEY=build-time-only-not-a-secret CCM_VAR_DIR=/tmp/ccm-build \
    && if find . -name '*.po' -print | grep -q .; then python manage.py compilemessages; fi \
    && DJANGO_STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
    && rm -rf /tmp/ccm-build

# --- runtime ------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# Pango and fonts for WeasyPrint PDFs (Noto for Latin/Arabic/Cyrillic, WenQuanYi Micro Hei for Chinese).
# libharfbuzz-subset0: recent WeasyPrint releases subset embedded fonts with it.
# pg_dump/pg_restore for `manage.py backup`/`restore` must be of the database's major version (PG_MAJOR, as the
# compose file's db image): Debian bookworm ships 15, so they come from apt.postgresql.org, whose signing key
# Debian's postgresql-common package carries (its pgdg script adds the repository).
ARG PG_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-wqy-microhei \
        postgresql-client-${PG_MAJOR} \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user. Its home holds caches (fontconfig); /data/media (uploads) and /data/backups (the backup
# service's sets) are the only other writable paths, created here so a fresh named volume mounted on one
# inherits the ownership.
RUN groupadd --system --gid 10001 ccm \
    && useradd --system --uid 10001 --gid ccm --create-home --home-dir /home/ccm --shell /usr/sbin/nologin ccm \
    && mkdir -p /data/media /data/backups \
    && chown ccm:ccm /data/media /data/backups

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

# Code and collected static files stay owned by root: the application cannot modify itself.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

WORKDIR /app
USER ccm:ccm
EXPOSE 8000

# Workers: WEB_CONCURRENCY (gunicorn reads it; default 3 above). gunicorn's errors to stderr; no access log of its
# own: the portal logs one JSON line per request (ccm_portal/core/request_log.py), without the query string and
# client address gunicorn's line would hold.
# /dev/shm for worker heartbeats avoids stalls on overlay filesystems; the control socket is not needed.
CMD ["gunicorn", "ccm_portal.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--error-logfile", "-"]
