"""A save that the database cannot take (a lock held too long) keeps what was typed and says to retry
(issue 12, finding 11), and SQLite runs with WAL, a busy timeout and immediate transactions."""

import contextlib
import html as html_lib
import re
import sqlite3

import pytest
from django.db import connection
from django.urls import reverse

from ccm_portal.core.db import sqlite_options
from reporting import services
from reporting.models import ReportKind


def test_sqlite_options_turn_on_wal_a_busy_timeout_and_immediate_transactions():
    options = sqlite_options()
    assert options["timeout"] >= 5
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA synchronous=NORMAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    # What the test settings set (a longer timeout) is kept, the rest is added.
    assert sqlite_options({"timeout": 30}) == {**options, "timeout": 30}


def test_sqlite_database_really_runs_in_wal(tmp_path, django_db_blocker):
    """The options do what they say on a real SQLite connection, through Django's backend."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / "db.sqlite3"),
            "OPTIONS": sqlite_options(),
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias="wal-check",
    )
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone()[0] >= 5000
            assert wrapper.transaction_mode == "IMMEDIATE"
        finally:
            wrapper.close()


@contextlib.contextmanager
def report_row_locked_elsewhere(report):
    """Another connection holds the report's row (PostgreSQL) or the database's write lock (SQLite)
    while the request runs; this connection gives up waiting after a fraction of a second."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        import psycopg

        other = psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
        )
        try:
            other.execute("SELECT id FROM reporting_report WHERE id = %s FOR UPDATE", [report.pk])
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '300ms'")
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    else:
        other = sqlite3.connect(settings["NAME"], isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            connection.ensure_connection()
            connection.connection.execute("PRAGMA busy_timeout = 300")
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            # The view may have closed its connection to recover (``recover_connection``): open it again.
            connection.ensure_connection()
            connection.connection.execute("PRAGMA busy_timeout = 30000")


def page_text(response):
    return html_lib.unescape(re.sub(r"\s+", " ", response.content.decode()))


def input_value(response, name):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', response.content.decode())
    return html_lib.unescape(match.group(1)) if match else None


@pytest.fixture
def report(focal_point, reference_data):
    from parties.models import State

    lao = State.objects.get(iso3="LAO")
    return services.start_report(state=lao, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)


def form_b_post(report):
    return {
        "revision": str(report.revision),
        "f-B-shown": "1",
        "f-B-choice": "changed",
        "n-programme": "Destruction of the M26 stock began in March.",
        "t-stockpile-_id": ["r1"],
        "t-stockpile-r1-type": "M26",
        "t-stockpile-r1-munitions": "120",
    }


@pytest.mark.django_db(transaction=True)
def test_a_save_that_meets_a_locked_database_shows_the_page_again_with_what_was_typed(client_for, focal_point, report):
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[report.pk, "B"])
    with report_row_locked_elsewhere(report):
        response = client.post(url, form_b_post(report))
    assert response.status_code == 503
    text = page_text(response)
    assert "the database was busy" in text and "save again" in text
    assert input_value(response, "t-stockpile-r1-type") == "M26"
    assert input_value(response, "t-stockpile-r1-munitions") == "120"
    assert "Destruction of the M26 stock began in March." in text
    assert input_value(response, "revision") == str(report.revision)  # still the revision it was loaded at
    report.refresh_from_db()
    assert report.draft["forms"]["B"]["tables"]["stockpile"] == []  # nothing half-written
    # Once the other writer is done, saving the same page again goes through.
    response = client.post(url, form_b_post(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.draft["forms"]["B"]["tables"]["stockpile"][0]["munitions"] == "120"


@pytest.mark.django_db(transaction=True)
def test_an_autosave_that_meets_a_locked_database_answers_a_retry_status(client_for, focal_point, report):
    client = client_for(focal_point)
    url = reverse("reporting:report_cover", args=[report.pk])
    data = {"revision": str(report.revision), "c-contact_name": "Somphone V."}
    with report_row_locked_elsewhere(report):
        response = client.post(url, data, headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json()["retry"] is True and response.json()["conflict"] is False
    assert "the database was busy" in response.json()["message"]
    report.refresh_from_db()
    assert report.draft["cover"]["contact_name"] == ""
