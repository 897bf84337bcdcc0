"""Every name the code gives a translation function is one makemessages extracts.

xgettext only knows Django's own names (`_`, `gettext`, `gettext_lazy`, `pgettext_lazy` …). A module that imports
`gettext_lazy as _lazy` wrote strings no catalogue ever received: 670 of them (the assistance forms' labels, the
API's descriptions, history labels) showed in English in every language while the catalogue gate passed, because
the gate's own makemessages run had the same blind spot. The project's makemessages
(`ccm_portal/management/commands/makemessages.py`) adds each alias as a keyword; this test fails when code uses an
alias it does not list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ccm_portal.management.commands.makemessages import KEYWORDS, Command

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", "var", "tests", "bench", "node_modules", "staticfiles", ".git"}
# What xgettext needs to know of each translation function: the argument positions of its text (c: the context).
ARGUMENTS = {
    "gettext": "",
    "gettext_lazy": "",
    "gettext_noop": "",
    "ngettext": ":1,2",
    "ngettext_lazy": ":1,2",
    "pgettext": ":1c,2",
    "pgettext_lazy": ":1c,2",
    "npgettext": ":1c,2,3",
    "npgettext_lazy": ":1c,2,3",
}
# Names xgettext knows without being told (Django's own keywords and GNU gettext's defaults).
KNOWN = {"_", *ARGUMENTS}


def _aliases() -> dict[str, tuple[str, str]]:
    """alias → (translation function, where) for every `from django.utils.translation import f as alias`."""
    found: dict[str, tuple[str, str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIPPED or "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for name in node.names:
                    if name.asname and name.name in ARGUMENTS:
                        found[name.asname] = (name.name, str(path.relative_to(ROOT)))
    return found


def test_every_alias_of_a_translation_function_is_extracted():
    aliases = _aliases()
    assert "_lazy" in aliases  # the test reads the code (it would pass on nothing otherwise)
    missing = {
        alias: where
        for alias, (function, where) in aliases.items()
        if alias not in KNOWN and KEYWORDS.get(alias) != f"{alias}{ARGUMENTS[function]}"
    }
    assert not missing, f"add these aliases to makemessages' KEYWORDS (with their argument positions): {missing}"


def test_the_keywords_reach_xgettext():
    assert {f"--keyword={spec}" for spec in KEYWORDS.values()} <= set(Command.xgettext_options)


@pytest.mark.django_db
def test_a_focal_point_reads_the_assistance_form_in_french(focal_point, client_for):
    """Labels written with `_lazy` reach the reader: in French the request form's fields are French."""
    client = client_for(focal_point)
    page = client.get(reverse("assistance:request_new"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Type d&#x27;assistance" in page and "Choisir un domaine" in page
    assert "Kind of assistance" not in page and "Choose an area" not in page
