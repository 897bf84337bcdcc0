"""Load the public reference data (States, meetings, obligations, extensions, completions, national
measures, coalitions, the Article 7 reporting history) from the CSV files ``parties.reference`` lists.

Safe to run again: unchanged rows are skipped, changed rows are updated and
audited. Any bad cell stops the whole load, and the message names the file, row
and column; nothing is written then. Prints one line of totals (``-v 2``: one line per file).
"""

from pathlib import Path

import tablib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ccm_portal.core.imports import import_all_or_nothing
from parties import reference


class Command(BaseCommand):
    help = "Load the public reference data from its CSV files (all or nothing; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(settings.BASE_DIR / "fixtures"),
            help="Folder holding the reference CSV files (default: fixtures/; see fixtures/README.md).",
        )

    def handle(self, *args, dir: str, **options):
        folder = Path(dir)
        files = reference.files()
        missing = sorted({f.name for f in files if not (folder / f.name).exists()})
        if missing:
            raise CommandError(f"Missing in {folder}: {', '.join(missing)}")
        errors: list[str] = []
        new = updated = 0
        with transaction.atomic():
            for file in files:
                name = file.name
                dataset = tablib.Dataset().load((folder / name).read_text(encoding="utf-8"), format="csv")
                outcome = import_all_or_nothing(file.resource_class()(), dataset, file_label=name)
                errors.extend(outcome.errors)
                new, updated = new + outcome.new, updated + outcome.updated
                if options["verbosity"] > 1:
                    self.stdout.write(
                        f"{name}: {outcome.new} new, {outcome.updated} updated, {outcome.skipped} unchanged"
                    )
                if errors:
                    break
            if errors:
                transaction.set_rollback(True)
        if errors:
            raise CommandError("Nothing was loaded:\n" + "\n".join(errors))
        if options["verbosity"] > 0:
            names = len({file.name for file in files})
            self.stdout.write(
                f"Reference data ({names} files in {_shown(folder)}): {new} rows new, {updated} updated, "
                "the rest unchanged."
            )


def _shown(folder: Path) -> str:
    """``fixtures/`` for the project's own folder, the full path for any other."""
    try:
        return f"{folder.resolve().relative_to(Path.cwd())}/"
    except ValueError:
        return f"{folder}/"
