"""The gate on the six languages: every catalogue is complete, none of its entries is fuzzy or breaks a placeholder,
and it holds every message the code and templates have today, so a change that adds a string without its five
translations fails here (README, "Languages")."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# What makemessages reads (the Makefile's `messages` target ignores the same).
# reporting/formats/locale holds the reporting format's own PO files (``manage.py format_messages``), not a catalogue.
IGNORED = [".venv", "var", "tests", "bench", "node_modules", "staticfiles", "reporting/formats/locale"]
# django.po: the code and templates; djangojs.po: the words the scripts (static/js) build themselves.
DOMAINS = ["django", "djangojs"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


def _catalogue(language: str, base: Path = LOCALE, domain: str = "django"):
    path = base / to_locale(language) / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"no catalogue for {language}: {path}"
    with path.open("rb") as handle:
        return path, read_po(handle, locale=to_locale(language))


def _forms(string) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def _problems(catalogue) -> list[str]:
    found = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        label = f"{message.context + ' | ' if message.context else ''}{ids[0][:70]!r}"
        if message.fuzzy:
            found.append(f"fuzzy: {label}")
        if any(not text for text in strings):
            found.append(f"untranslated: {label}")
            continue
        # Every named placeholder of the English text in every form, and no other (a plural's singular form may
        # drop the count, as "one State" does, so the plural's own placeholders are checked against any form).
        expected = {p for text in ids for p in PLACEHOLDER.findall(text) if p}
        for text in strings:
            named = {p for p in PLACEHOLDER.findall(text) if p}
            if named - expected:
                found.append(f"placeholder not in the English: {label} → {text[:70]!r}")
        if expected and not expected <= {p for text in strings for p in PLACEHOLDER.findall(text) if p}:
            found.append(f"placeholder dropped: {label}")
    return found


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_without_fuzzy_entries_or_broken_placeholders(language, domain):
    _path, catalogue = _catalogue(language, domain=domain)
    problems = _problems(catalogue)
    assert not problems, f"{language}: {len(problems)} problems, first: " + "\n".join(problems[:20])


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_gettext_accepts_the_catalogue(language, domain):
    """msgfmt's own checks (python-format placeholders, plural forms, header), as compilemessages runs it."""
    path, _entries = _catalogue(language, domain=domain)
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (Debian's gettext, make system-deps) is not installed")
    done = subprocess.run(  # noqa: S603 (a fixed program on the project's own file)
        [msgfmt, "--check-format", "--check-header", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogues_hold_every_message_of_the_code_and_templates(tmp_path, domain):
    """makemessages run afresh on a copy of the project (it writes the catalogues next to the code it reads, so never
    on the working tree): no message of the code today (djangojs: of the scripts) is missing from the catalogues."""
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (Debian's gettext, make system-deps) is not installed")
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(*IGNORED, ".git", "*.mo", "__pycache__", "media"))
    environment = {**os.environ, "DJANGO_DEBUG": "1", "CCM_VAR_DIR": str(tmp_path / "var")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # the project's own settings, not the tests'
    done = subprocess.run(  # noqa: S603 (the project's own manage.py, on its copy)
        [sys.executable, "manage.py", "makemessages", "-d", domain, "-l", to_locale(LANGUAGES[0]), "--no-obsolete"]
        + ["-v", "0"]
        + [f"--ignore={pattern}" for pattern in IGNORED],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    _path, fresh = _catalogue(LANGUAGES[0], base=copy / "locale", domain=domain)
    missing = [
        repr(m.id)
        for m in fresh
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,)))
    ]
    assert not missing, f"{len(missing)} messages without translation (run make messages and translate): {missing[:10]}"
