"""Write the PO files of every reporting format file: ``reporting/formats/locale/<language>/<format>.po``.

Run it after adding or changing a format file (a new version, say ``ccm-2022.json``): new texts come in
untranslated, translations already made are kept, texts the format no longer has are dropped. Then translate
the new entries, and load the translations into ``FormatVersion.translations`` with a data migration (as
``reporting/migrations/0016`` does). ``--check`` writes nothing and fails if a text has no translation.
"""

from django.core.management.base import BaseCommand, CommandError

from reporting.formats import load_file
from reporting.formats.messages import format_files, read_translations, texts, write_po_files


class Command(BaseCommand):
    help = "Extract the translatable texts of every reporting format file into its PO files, one per language."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Write nothing; fail if a text is untranslated.")

    def handle(self, *args, check: bool, **options):
        missing = 0
        for name in format_files():
            data = load_file(name)
            if check:
                wanted = {text for text, _where in texts(data)}
                for language, catalogue in sorted(read_translations(name).items()):
                    untranslated = wanted - set(catalogue)
                    missing += len(untranslated)
                    self.stdout.write(f"{name} {language}: {len(wanted) - len(untranslated)}/{len(wanted)} translated")
                continue
            for language, (count, done) in write_po_files(name, data).items():
                self.stdout.write(f"{name} {language}: {count} texts, {done} translated")
        if missing:
            raise CommandError(f"{missing} texts have no translation.")
