"""Backup sets and their restore (``manage.py backup`` and ``manage.py restore``; README, "Backups").

A set is one directory ``ccm-<UTC time>`` in ``CCM_BACKUP_DIR`` holding three files:

- ``database.dump``: PostgreSQL's ``pg_dump --format=custom`` of the configured database, or
  ``database.sqlite3``: a copy of the SQLite file made through SQLite's online backup;
- ``media.tar``: every file under ``MEDIA_ROOT`` (uploads, generated PDFs), named by its path there; not
  compressed, since PDFs, spreadsheets and Word files are compressed already;
- ``manifest.json``: when, the database engine, each file's size and SHA-256, and the counts (report
  versions, audit entries, stored files) the restore compares with what it finds.

Consistency: the database is copied first, from one snapshot, and the counts are read in that same snapshot;
then the files. A file is written before the row naming it is committed, so every file the dump names is in
the tar, except one deleted in between (a purged workbook upload, gone from the portal too); an upload
finishing in between is in the tar with no row naming it, which is harmless. A set is written under a
``.partial-`` name and renamed when complete: a directory named ``ccm-…`` is always a whole set.

A restore checks every checksum before it touches anything, and refuses the set if one differs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from ccm_portal.core import clock

MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
SET_PREFIX = "ccm-"
PARTIAL_PREFIX = ".partial-"
NAME_TIME = "%Y%m%dT%H%M%SZ"
MANIFEST_FORMAT = 1
# What the manifest counts and the restore compares, besides the stored files: rows of these models.
COUNTED_MODELS = {"report_versions": "reporting.ReportVersion", "audit_entries": "audit.AuditEntry"}
COUNT_LABELS = {"report_versions": "report versions", "audit_entries": "audit entries", "stored_files": "stored files"}
# libpq connection keywords a database's OPTIONS may carry (TLS, timeouts); the rest are Django's or psycopg's.
_LIBPQ_OPTIONS = frozenset(
    {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "connect_timeout", "options", "target_session_attrs"}
)
# A set holds personal data (accounts, reports in preparation): only the portal's user may read it.
_PRIVATE_DIR = 0o700
_PRIVATE_FILE = 0o600


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, and whether anything was changed."""


@dataclass(frozen=True)
class BackupSet:
    """One set on disk and its manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def engine(self) -> str:
        return self.manifest["database"]["engine"]

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.manifest["files"]

    @property
    def counts(self) -> dict[str, int]:
        return self.manifest["counts"]

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.manifest["created_at"])


@dataclass(frozen=True)
class BackupResult:
    """What ``back_up`` wrote, how long it took, and the old sets it removed."""

    backup: BackupSet
    seconds: float
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    """The set restored, how long it took, and the counts found afterwards (same keys as the manifest's)."""

    backup: BackupSet
    seconds: float
    found: dict[str, int]
    extra_files: int

    @property
    def differences(self) -> list[str]:
        """The counts that differ from the manifest's (empty when the restore found what the set holds)."""
        return [key for key, expected in self.backup.counts.items() if self.found.get(key) != expected]


# --- The two databases ------------------------------------------------------------------------------------
def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools of the server's major version "
            "(Debian: postgresql-client)."
        ) from None
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed (exit {finished.returncode}): {finished.stderr.strip()}")


def _count_rows(cursor: Any, quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for key, label in COUNTED_MODELS.items():
        table = quote(apps.get_model(label)._meta.db_table)
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - the name is the model's table
        counts[key] = cursor.fetchone()[0]
    return counts


def _conninfo_value(value: object) -> str:
    text = str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Postgres:
    """The configured PostgreSQL database, dumped and restored with the client tools."""

    engine = "postgresql"
    file_name = POSTGRES_DUMP

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.settings = connection.settings_dict
        self.label = self.settings["NAME"]

    def _command(self, program: str, *arguments: str) -> tuple[list[str], dict[str, str]]:
        """``program`` with ``arguments`` and the database to use; the password goes in the environment
        (PGPASSWORD), never on the command line where ``ps`` shows it."""
        keywords = {
            "dbname": self.settings["NAME"],
            "host": self.settings.get("HOST"),
            "port": self.settings.get("PORT"),
            "user": self.settings.get("USER"),
        }
        keywords |= {k: v for k, v in (self.settings.get("OPTIONS") or {}).items() if k in _LIBPQ_OPTIONS}
        conninfo = " ".join(f"{k}={_conninfo_value(v)}" for k, v in keywords.items() if v not in (None, ""))
        env = dict(os.environ)
        if self.settings.get("PASSWORD"):
            env["PGPASSWORD"] = str(self.settings["PASSWORD"])
        return [program, f"--dbname={conninfo}", *arguments], env

    def dump(self, target: Path) -> dict[str, int]:
        # One snapshot for the dump and the counts: a read-only repeatable-read transaction exports it and
        # stays open while pg_dump takes it over, so the manifest counts what the dump holds even while the
        # portal keeps writing.
        reader = self.connection.copy()
        try:
            with reader.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                (snapshot,) = cursor.fetchone()
                counts = _count_rows(cursor, reader.ops.quote_name)
                _run(*self._command("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"))
                cursor.execute("COMMIT")
        finally:
            reader.close()
        return counts

    def restore(self, source: Path) -> None:
        # One transaction: if any statement fails, the database is left as it was. --no-owner and
        # --no-privileges: the objects belong to whoever restores, whatever the role names where the set was made.
        _run(
            *self._command(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            )
        )


class _Sqlite:
    """The configured SQLite file, copied and restored through SQLite's online backup."""

    engine = "sqlite"
    file_name = SQLITE_COPY

    def __init__(self, connection: Any) -> None:
        self.path = Path(connection.settings_dict["NAME"])
        self.label = str(self.path)

    def dump(self, target: Path) -> dict[str, int]:
        # The backup API copies a consistent database while others keep writing (its write-ahead log included).
        with closing(sqlite3.connect(self.path)) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy)
            # The copy stands alone: one file, with no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            return _count_rows(copy.cursor(), _quote_sqlite)

    def restore(self, source: Path) -> None:
        # Through the backup API again, into the live file: SQLite takes its lock and rewrites every page (and
        # the write-ahead log), so a process holding the file open sees the restored database, not a file
        # swapped under it.
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as copy,
            closing(sqlite3.connect(self.path, timeout=30)) as live,
        ):
            copy.backup(live)


def _quote_sqlite(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _database() -> _Postgres | _Sqlite:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        return _Postgres(connection)
    if connection.vendor == "sqlite":
        return _Sqlite(connection)
    raise BackupError(f"Backups cover PostgreSQL and SQLite, not {connection.vendor}.")


# --- Files ------------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root``, in a stable order (symbolic links are not followed)."""
    if not root.is_dir():
        return
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _archive_media(root: Path, target: Path) -> int:
    """Every file under ``root`` into the tar ``target``, named by its path under ``root``; how many."""
    count = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        for path in _media_files(root):
            try:
                archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
            except FileNotFoundError:  # deleted since the walk (a purged upload): gone from the portal too
                continue
            count += 1
    return count


def _restore_media(archive_path: Path, root: Path) -> tuple[int, int]:
    """The set's files into ``root`` (same names overwritten); returns how many of them are there now, and how
    many other files ``root`` holds (left in place: no row of the restored database names them)."""
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path) as archive:
        names = {member.name for member in archive.getmembers() if member.isfile()}
        # The "data" filter refuses absolute paths, "..", links out of MEDIA_ROOT and device files.
        archive.extractall(root, filter="data")
    present = {path.relative_to(root).as_posix() for path in _media_files(root)}
    return len(names & present), len(present - names)


# --- Sets -------------------------------------------------------------------------------------------------
def backup_dir() -> Path:
    return Path(settings.CCM_BACKUP_DIR)


def _set_time(name: str) -> dt.datetime | None:
    """When the set (or a partial set) named ``name`` was taken, or None if the name is not one of ours."""
    stem = name.removeprefix(PARTIAL_PREFIX)
    if not stem.startswith(SET_PREFIX):
        return None
    stamp = stem.removeprefix(SET_PREFIX).split("-", 1)[0]
    try:
        return dt.datetime.strptime(stamp, NAME_TIME).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _new_name(directory: Path, taken: dt.datetime) -> str:
    base = SET_PREFIX + taken.strftime(NAME_TIME)
    name, n = base, 1
    while (directory / name).exists() or (directory / f"{PARTIAL_PREFIX}{name}").exists():
        n += 1
        name = f"{base}-{n}"
    return name


def open_set(name_or_path: str | Path, directory: Path | None = None) -> BackupSet:
    """The set at ``name_or_path``: a directory, or the name of one in ``directory`` (CCM_BACKUP_DIR)."""
    path = Path(name_or_path)
    if not path.is_dir():
        path = (directory or backup_dir()) / name_or_path
    if not path.is_dir():
        raise BackupError(f"No backup set at {name_or_path} (nor in {directory or backup_dir()}).")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
        engine, files, counts = manifest["database"]["engine"], manifest["files"], manifest["counts"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{path} has no readable {MANIFEST} ({error}); nothing was changed.") from None
    if not (isinstance(engine, str) and isinstance(files, dict) and isinstance(counts, dict)):
        raise BackupError(f"{path}/{MANIFEST} is not a backup manifest; nothing was changed.")
    return BackupSet(path=path, manifest=manifest)


def list_sets(directory: Path | None = None) -> list[BackupSet]:
    """The complete sets in ``directory`` (CCM_BACKUP_DIR), oldest first."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    names = sorted(p.name for p in directory.iterdir() if p.is_dir() and _set_time(p.name) and p.name[0] != ".")
    return [open_set(directory / name) for name in names if (directory / name / MANIFEST).is_file()]


def prune(directory: Path, *, keep_days: int, now: dt.datetime, keep: str) -> list[str]:
    """Remove the sets taken more than ``keep_days`` days before ``now``, never ``keep`` (the newest), and
    partial sets a day old (left by a backup that was killed); returns the names removed."""
    removed = []
    for path in sorted(directory.iterdir()):
        taken = _set_time(path.name)
        if taken is None or path.name == keep or not path.is_dir():
            continue
        partial = path.name.startswith(PARTIAL_PREFIX)
        if taken < now - dt.timedelta(days=1 if partial else keep_days):
            shutil.rmtree(path)
            removed.append(path.name)
    return removed


def _write_set(partial: Path, taken: dt.datetime, started: float) -> dict[str, Any]:
    """The database, the files and the manifest into the directory ``partial``; returns the manifest."""
    database = _database()
    media_root = Path(settings.MEDIA_ROOT)
    counts = database.dump(partial / database.file_name)
    counts["stored_files"] = _archive_media(media_root, partial / MEDIA_TAR)
    files = {}
    for name in (database.file_name, MEDIA_TAR):
        (partial / name).chmod(_PRIVATE_FILE)
        files[name] = {"size": (partial / name).stat().st_size, "sha256": _sha256(partial / name)}
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": taken.isoformat(),
        "database": {"engine": database.engine, "name": database.label},
        "media_root": str(media_root),
        "files": files,
        "counts": counts,
        "seconds": round(time.monotonic() - started, 2),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    (partial / MANIFEST).chmod(_PRIVATE_FILE)
    return manifest


def _check_apart(directory: Path, media_root: Path) -> None:
    directory, media_root = directory.resolve(), media_root.resolve()
    if directory == media_root or media_root in directory.parents:
        raise BackupError(f"CCM_BACKUP_DIR ({directory}) must not be inside MEDIA_ROOT ({media_root}).")


def back_up(*, directory: Path | None = None, keep_days: int | None = None) -> BackupResult:
    """Write one set into ``directory`` (CCM_BACKUP_DIR), then remove the sets older than ``keep_days``
    (CCM_BACKUP_KEEP_DAYS). Nothing is left behind if it fails."""
    started = time.monotonic()
    directory = directory or backup_dir()
    keep_days = settings.CCM_BACKUP_KEEP_DAYS if keep_days is None else keep_days
    _check_apart(directory, Path(settings.MEDIA_ROOT))
    directory.mkdir(parents=True, exist_ok=True)
    taken = clock.now().astimezone(dt.UTC).replace(microsecond=0)
    name = _new_name(directory, taken)
    partial = directory / f"{PARTIAL_PREFIX}{name}"
    partial.mkdir(mode=_PRIVATE_DIR)
    try:
        manifest = _write_set(partial, taken, started)
        partial.rename(directory / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    removed = prune(directory, keep_days=keep_days, now=taken, keep=name)
    backup = BackupSet(path=directory / name, manifest=manifest)
    return BackupResult(backup=backup, seconds=time.monotonic() - started, removed=removed)


# --- Restore ----------------------------------------------------------------------------------------------
def verify(backup: BackupSet) -> None:
    """Raise ``BackupError`` unless the set holds a database of the configured engine and the media tar,
    each with the size and SHA-256 the manifest gives."""
    database = _database()
    if backup.engine != database.engine:
        raise BackupError(
            f"{backup.name} holds a {backup.engine} database; the portal is configured for {database.engine}. "
            "Nothing was changed."
        )
    problems = [
        f"{name}: not listed in the manifest" for name in (database.file_name, MEDIA_TAR) if name not in backup.files
    ]
    for name, expected in backup.files.items():
        path = backup.path / name
        if Path(name).name != name or name == MANIFEST:
            problems.append(f"{name}: not a file of a set")
        elif not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != expected.get("size"):
            problems.append(f"{name}: {path.stat().st_size} bytes, the manifest says {expected.get('size')}")
        elif _sha256(path) != expected.get("sha256"):
            problems.append(f"{name}: its SHA-256 differs from the manifest's (the file was changed or damaged)")
    if problems:
        raise BackupError(f"{backup.name} is refused, nothing was changed:\n  " + "\n  ".join(problems))


def restore(backup: BackupSet, *, confirm: Callable[[BackupSet], bool] | None = None) -> RestoreResult | None:
    """Check every checksum of ``backup``, ask ``confirm`` (when given; None is returned if it says no), then
    replace the configured database with the set's and put the set's files back under MEDIA_ROOT. Stop the
    web, worker and beat processes first: the restore does not wait for their work."""
    started = time.monotonic()
    verify(backup)
    checked = time.monotonic() - started  # the time the question waits for an answer is not counted
    if confirm is not None and not confirm(backup):
        return None
    started = time.monotonic() - checked
    database = _database()
    # The restore replaces every table: no connection of this process may hold one open (or a cached row).
    connections.close_all()
    database.restore(backup.path / database.file_name)
    restored_files, extra_files = _restore_media(backup.path / MEDIA_TAR, Path(settings.MEDIA_ROOT))
    found = {key: apps.get_model(label)._default_manager.count() for key, label in COUNTED_MODELS.items()}
    found["stored_files"] = restored_files
    return RestoreResult(backup=backup, seconds=time.monotonic() - started, found=found, extra_files=extra_files)
