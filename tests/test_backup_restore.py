"""Backups with a tested restore (``manage.py backup`` / ``manage.py restore``, ``ccm_portal.operations.backups``).

On the real database: reports with several versions, their audit trail, an uploaded original and generated
files are backed up; the database is emptied and the files deleted; the restore brings back every report
version, every audit entry, every row of every table and every file's bytes. A set with one changed byte is
refused before anything is touched. The SQLite path runs end to end in a process of its own.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from ccm_portal.operations import backups
from parties.models import State
from reporting import entry as entries
from reporting import services
from reporting.models import Report, ReportKind, ReportVersion
from tests.reporting.conftest import fill_minimal, publish_publicly

ROOT = Path(__file__).resolve().parent.parent
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EVERY_BYTE = bytes(range(256)) * 64  # no text encoding or line-ending conversion may survive unnoticed


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CCM_BACKUP_DIR = tmp_path / "backups"
    return settings.MEDIA_ROOT


@pytest.fixture
def portal_data(transactional_db, media, focal_point, isu_staff):
    """Two versions of Lao PDR's initial report (accepted and published, then corrected), Australia's report
    entered by the ISU from an uploaded PDF original, and a stored file holding every byte value."""
    lao = State.objects.get(iso3="LAO")
    report = services.start_report(state=lao, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)
    report = services.save_draft(
        report=report, content=fill_minimal(report), base_revision=report.revision, actor=focal_point
    )
    publish_publicly(report, focal_point, isu_staff)
    report = services.start_correction(report=Report.objects.get(pk=report.pk), actor=focal_point)
    content = report.draft
    content["forms"]["A"]["narratives"]["summary"] = "Law No. 12, amended in 2024: « interdiction totale »."
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    services.submit_report(report=report, actor=focal_point, correction_note="Form A: the 2024 amendment.")

    entry = entries.open_entry(
        state=State.objects.get(iso3="AUS"),
        kind=ReportKind.INITIAL,
        period_year=None,
        original=SimpleUploadedFile("aus-initial.pdf", PDF_BYTES, content_type="application/pdf"),
        submitted_on=dt.date(2011, 1, 25),
        source="note verbale, 25 January 2011",
        language="en",
        actor=isu_staff,
    )
    entered = Report.objects.get(pk=entry.report_id)
    services.save_draft(report=entered, content=fill_minimal(entered), base_revision=entered.revision, actor=isu_staff)
    entries.record_entry(entry=entry, actor=isu_staff, visibility="public")
    default_storage.save("reports/pdf/every-byte.pdf", ContentFile(EVERY_BYTE))
    assert ReportVersion.objects.count() == 3 and ReportVersion.objects.exclude(original_file="").exists()


def database_rows() -> dict[str, list[dict]]:
    """Every row of every table, by model, in primary-key order."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def stored_files(media: Path) -> dict[str, bytes]:
    return {path.relative_to(media).as_posix(): path.read_bytes() for path in media.rglob("*") if path.is_file()}


def version_files() -> dict[str, bytes]:
    """The bytes of every file a report version names (uploaded originals), read through the storage."""
    found = {}
    for version in ReportVersion.objects.exclude(original_file=""):
        with version.original_file.open("rb") as handle:
            found[version.original_file.name] = handle.read()
    return found


def database_file() -> str:
    """The set's copy of the configured database (the suite runs on PostgreSQL in CI, SQLite in `make test`)."""
    return backups.POSTGRES_DUMP if connection.vendor == "postgresql" else backups.SQLITE_COPY


def back_up() -> backups.BackupSet:
    call_command("backup", stdout=io.StringIO())
    (backup,) = backups.list_sets()
    return backup


def test_a_restore_brings_back_every_report_version_audit_entry_and_upload(portal_data, media):
    versions = list(ReportVersion.objects.order_by("pk").values())
    audit = list(AuditEntry.objects.order_by("pk").values())
    rows, files, originals = database_rows(), stored_files(media), version_files()
    assert len(versions) == 3 and len(audit) > 10 and PDF_BYTES in originals.values()
    assert files["reports/pdf/every-byte.pdf"] == EVERY_BYTE and len(files) >= 2

    backup = back_up()
    assert backup.counts == {"report_versions": 3, "audit_entries": len(audit), "stored_files": len(files)}
    assert backup.engine == {"postgresql": "postgresql", "sqlite": "sqlite"}[connection.vendor]
    assert {path.name for path in backup.path.iterdir()} == {database_file(), "media.tar", "manifest.json"}
    assert json.loads((backup.path / "manifest.json").read_text())["files"][database_file()]["size"] > 0
    listed = io.StringIO()
    call_command("restore", "--list", stdout=listed)
    assert backup.name in listed.getvalue() and f"report versions 3, audit entries {len(audit)}" in listed.getvalue()

    # Everything gone: every table emptied (the rows the migrations wrote too), every file deleted.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)
    assert not ReportVersion.objects.exists() and not AuditEntry.objects.exists() and not State.objects.exists()

    out = io.StringIO()
    call_command("restore", backup.name, "--yes", stdout=out)
    assert "the counts match the manifest" in out.getvalue()
    assert "report versions           3          3" in out.getvalue()

    assert list(ReportVersion.objects.order_by("pk").values()) == versions
    assert list(AuditEntry.objects.order_by("pk").values()) == audit
    assert version_files() == originals
    assert stored_files(media) == files
    assert database_rows() == rows
    # The restored database goes on: its sequences continue after the restored rows.
    added = AuditEntry.objects.create(action="test.after_restore", object_type="x", object_id="1", object_repr="x")
    assert added.pk > max(entry["id"] for entry in audit)


@pytest.mark.parametrize("damaged", ["database", "media.tar"])
def test_a_set_with_one_changed_byte_is_refused_and_nothing_changes(reference_data, media, damaged):
    # In the test's transaction: the set holds the committed reference data, and the refusal comes before the
    # restore would close the connection.
    lao = State.objects.get(iso3="LAO")
    for action in ("test.one", "test.two"):
        AuditEntry.objects.create(action=action, object_type="parties.state", object_id=lao.pk, object_repr=str(lao))
    default_storage.save("reports/pdf/every-byte.pdf", ContentFile(EVERY_BYTE))
    default_storage.save("assistance/plan.pdf", ContentFile(PDF_BYTES))
    backup = back_up()
    # After the backup the portal moves on: an audit entry and a file fewer. A refused restore keeps both so.
    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("pk").first().pk).delete()
    (media / "reports/pdf/every-byte.pdf").unlink()
    rows, files = database_rows(), stored_files(media)
    damaged = database_file() if damaged == "database" else damaged
    path = backup.path / damaged
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError) as refused:
        call_command("restore", backup.name, "--yes", stdout=io.StringIO())
    assert f"{damaged}: its SHA-256 differs" in str(refused.value)
    assert "nothing was changed" in str(refused.value)
    assert database_rows() == rows
    assert stored_files(media) == files


def test_sets_older_than_the_days_kept_are_removed_and_the_newest_kept(tmp_path):
    directory = tmp_path / "backups"
    directory.mkdir()
    now = dt.datetime(2026, 3, 20, 3, 0, tzinfo=dt.UTC)
    old, just_older, fourteen_days, newer = (
        "ccm-20260301T030000Z",
        "ccm-20260306T025959Z",
        "ccm-20260306T030000Z",
        "ccm-20260307T030000Z-2",
    )
    for name in (old, just_older, fourteen_days, newer, "notes"):
        (directory / name).mkdir()
    (directory / ".partial-ccm-20260318T030000Z").mkdir()  # a backup killed two days ago
    (directory / ".partial-ccm-20260320T025900Z").mkdir()  # one running now
    removed = backups.prune(directory, keep_days=14, now=now, keep="ccm-20260320T030000Z")
    assert removed == [".partial-ccm-20260318T030000Z", old, just_older]
    assert sorted(p.name for p in directory.iterdir()) == [
        ".partial-ccm-20260320T025900Z",
        fourteen_days,
        newer,
        "notes",
    ]


def test_a_set_for_another_database_engine_is_refused(media, db, tmp_path):
    configured = connection.vendor
    other = "sqlite" if configured == "postgresql" else "postgresql"
    (tmp_path / "set").mkdir()
    manifest = {"database": {"engine": other}, "files": {}, "counts": {}, "created_at": "2026-03-01T03:00:00+00:00"}
    (tmp_path / "set" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=f"holds a {other} database; the portal is configured for {configured}"):
        call_command("restore", str(tmp_path / "set"), "--yes")


SQLITE_DATA = """
import django
django.setup()
from django.core.management import call_command
from django.db import transaction
from accounts.models import ThematicArea
from audit.services import record
call_command("migrate", verbosity=0)
with transaction.atomic():
    for area in ThematicArea.objects.all():
        record(actor=None, action="test.area.seen", obj=area, context={"code": area.code})
"""


def test_the_sqlite_path_backs_up_and_restores_the_file_and_the_media(tmp_path):
    """A newcomer's SQLite database: copied through SQLite's backup API, put back the same way."""
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
        },
        "DJANGO_SETTINGS_MODULE": "ccm_portal.settings",
        "DJANGO_DEBUG": "1",
        "CCM_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "CCM_BACKUP_DIR": str(tmp_path / "backups"),
    }

    def run(*arguments: str) -> str:
        done = subprocess.run(  # noqa: S603 - this interpreter, the test's own arguments
            [sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("-c", textwrap.dedent(SQLITE_DATA))
    database = tmp_path / "var" / "db.sqlite3"
    (tmp_path / "media" / "assistance").mkdir(parents=True)
    (tmp_path / "media" / "assistance" / "plan.pdf").write_bytes(EVERY_BYTE)

    def content() -> list[str]:
        with sqlite3.connect(database) as live:
            return list(live.iterdump())

    before = content()
    assert "backup set" in run("manage.py", "backup").lower()
    (backup,) = backups.list_sets(tmp_path / "backups")
    assert backup.engine == "sqlite" and backup.counts["audit_entries"] > 0 and backup.counts["stored_files"] == 1

    with sqlite3.connect(database) as live:
        live.execute("DELETE FROM audit_auditentry")
        live.execute("DELETE FROM accounts_thematicarea")
    (tmp_path / "media" / "assistance" / "plan.pdf").unlink()
    assert content() != before

    out = run("manage.py", "restore", backup.name, "--yes")
    assert "the counts match the manifest" in out
    assert content() == before
    assert (tmp_path / "media" / "assistance" / "plan.pdf").read_bytes() == EVERY_BYTE
