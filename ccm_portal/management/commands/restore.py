"""``manage.py restore <set>``: check the set's checksums, then put its database and files back. What a set
holds and how each database is restored: ``ccm_portal.operations.backups``."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from ccm_portal.operations import backups


class Command(BaseCommand):
    help = (
        "Restore a backup set: check every file against the manifest's SHA-256 (a set that fails is refused and "
        "nothing is changed), then replace the database with the set's and put its files back under MEDIA_ROOT. "
        "Stop the web, worker and beat processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "backup_set",
            metavar="set",
            nargs="?",
            help="The set: its directory, or its name in CCM_BACKUP_DIR (ccm-20260301T030000Z).",
        )
        parser.add_argument("--yes", action="store_true", help="Restore without asking for confirmation.")
        parser.add_argument(
            "--list", dest="show_list", action="store_true", help="List the sets in CCM_BACKUP_DIR and restore nothing."
        )

    def handle(self, *args, backup_set: str | None, yes: bool, show_list: bool, **options):
        if show_list or not backup_set:
            self._list()
            if not show_list:
                raise CommandError("Name the set to restore (see the list above).")
            return
        try:
            backup = backups.open_set(backup_set)
            result = backups.restore(backup, confirm=None if yes else self._confirm)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        if result is None:
            raise CommandError("Nothing was restored.")
        self.stdout.write(
            f"Restored {backup.name} (taken {backup.created_at:%Y-%m-%d %H:%M} UTC) in {result.seconds:.1f} s."
        )
        self.stdout.write(f"  {'':<16} {'in the set':>10} {'found':>10}")
        for key, expected in backup.counts.items():
            found = result.found.get(key)
            flag = "" if found == expected else "  DIFFERS"
            self.stdout.write(f"  {backups.COUNT_LABELS.get(key, key):<16} {expected:>10} {found!s:>10}{flag}")
        if result.extra_files:
            self.stdout.write(
                f"  {result.extra_files} file(s) under MEDIA_ROOT are not in the set; they were left in place."
            )
        if result.differences:
            raise CommandError("The restored counts differ from the manifest's: " + ", ".join(result.differences))
        self.stdout.write(self.style.SUCCESS("Restore complete; the counts match the manifest."))

    def _list(self) -> None:
        try:
            found = backups.list_sets()
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        if not found:
            self.stdout.write(f"No backup sets in {backups.backup_dir()}.")
        for backup in found:
            counts = ", ".join(f"{backups.COUNT_LABELS.get(k, k)} {n}" for k, n in backup.counts.items())
            size = sum(described["size"] for described in backup.files.values())
            self.stdout.write(f"{backup.name}  {backup.engine:<10} {filesizeformat(size):>10}  {counts}")

    def _confirm(self, backup: backups.BackupSet) -> bool:
        database = settings.DATABASES["default"]["NAME"]
        self.stdout.write(
            f"{backup.name} (taken {backup.created_at:%Y-%m-%d %H:%M} UTC) passed its checksums.\n"
            f"Restoring replaces the database {database} and puts the set's files into {settings.MEDIA_ROOT}."
        )
        try:
            answer = input("Type 'yes' to restore: ")
        except EOFError:
            self.stderr.write("No answer (no terminal): run with --yes to restore without the question.")
            return False
        return answer.strip().lower() == "yes"
