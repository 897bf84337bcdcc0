"""``makemessages`` that also finds the project's ``_lazy("…")`` strings.

Modules that need both ``gettext`` and ``gettext_lazy`` import the lazy one as ``_lazy``; xgettext only knows
Django's own names, so without this every ``_lazy`` string (form labels, the API's descriptions, history labels)
stayed out of the catalogues and showed in English in every language. ``tests/test_catalogues.py`` checks that
every alias the code gives a translation function is one of the keywords below.
"""

from django.core.management.commands import makemessages

# Each alias the code uses for a translation function, as xgettext keywords (name:argument positions).
KEYWORDS = {"_lazy": "_lazy"}


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, *(f"--keyword={k}" for k in KEYWORDS.values())]
