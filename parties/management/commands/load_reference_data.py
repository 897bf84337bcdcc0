"""Load the public reference data (States, obligations, meetings) from CSV files.

Safe to run again: unchanged rows are skipped, changed rows are updated and
audited. Any bad cell stops the whole load, and the message names the file, row
and column; nothing is written then.
"""

from pathlib import Path

import tablib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ccm_portal.imports import import_all_or_nothing
from parties.resources import MeetingResource, ObligationResource, StateResource

FILES = [("states.csv", StateResource), ("meetings.csv", MeetingResource), ("obligations.csv", ObligationResource)]


class Command(BaseCommand):
    help = "Load States, meetings and Art. 3/4 obligations from the reference CSV files (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(settings.BASE_DIR / "fixtures"),
            help="Folder holding states.csv, meetings.csv and obligations.csv (default: fixtures/).",
        )

    def handle(self, *args, dir: str, **options):
        folder = Path(dir)
        missing = [name for name, _resource in FILES if not (folder / name).exists()]
        if missing:
            raise CommandError(f"Missing in {folder}: {', '.join(missing)}")
        errors: list[str] = []
        with transaction.atomic():
            for name, resource_class in FILES:
                dataset = tablib.Dataset().load((folder / name).read_text(encoding="utf-8"), format="csv")
                outcome = import_all_or_nothing(resource_class(), dataset, file_label=name)
                errors.extend(outcome.errors)
                self.stdout.write(f"{name}: {outcome.new} new, {outcome.updated} updated, {outcome.skipped} unchanged")
                if errors:
                    break
            if errors:
                transaction.set_rollback(True)
        if errors:
            raise CommandError("Nothing was loaded:\n" + "\n".join(errors))
