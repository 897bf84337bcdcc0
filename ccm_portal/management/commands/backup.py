"""``manage.py backup``: one backup set (database, uploaded files, manifest) into CCM_BACKUP_DIR, then the sets
older than CCM_BACKUP_KEEP_DAYS removed. What a set holds: ``ccm_portal.operations.backups``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from ccm_portal.operations import backups


class Command(BaseCommand):
    help = (
        "Write a backup set (a database dump, a tar of the uploaded files, a manifest with their SHA-256) into "
        "CCM_BACKUP_DIR and remove the sets older than CCM_BACKUP_KEEP_DAYS days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="directory", type=Path, help="Write the set here instead of CCM_BACKUP_DIR.")
        parser.add_argument(
            "--keep-days", type=int, help="Keep the sets of this many days instead of CCM_BACKUP_KEEP_DAYS."
        )

    def handle(self, *args, directory: Path | None, keep_days: int | None, **options):
        if keep_days is not None and keep_days < 1:
            raise CommandError("--keep-days must be at least 1.")
        try:
            result = backups.back_up(directory=directory, keep_days=keep_days)
        except backups.BackupError as error:
            raise CommandError(f"No backup was written: {error}") from error
        backup = result.backup
        self.stdout.write(f"Backup set {backup.path} ({backup.engine} database), in {result.seconds:.1f} s:")
        for name, described in backup.files.items():
            self.stdout.write(f"  {name:<18} {filesizeformat(described['size']):>10}  sha256 {described['sha256']}")
        counts = ", ".join(f"{backups.COUNT_LABELS[key]} {n}" for key, n in backup.counts.items())
        self.stdout.write(f"  holding {counts}")
        if result.removed:
            self.stdout.write(
                f"Removed {len(result.removed)} set(s) older than the days kept: {', '.join(result.removed)}"
            )
        self.stdout.write(self.style.SUCCESS(f"Backup {backup.name} written."))
