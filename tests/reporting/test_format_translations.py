"""The reporting format in the portal's languages, as the format's own data: every text of every format file
translated in the five PO files beside it (reporting/formats/locale), the translations stored with the format
version, the editor in the reader's language, and a workbook read in the language it was written in."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from reporting.formats import load_file
from reporting.formats.messages import LANGUAGES, format_files, po_path, read_translations, texts
from reporting.models import FormatVersion
from reporting.workbook import download, merge, read
from tests.reporting.builders import full_content
from tests.reporting.conftest import fill_minimal

FILES = format_files()
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{?\s*\w+\s*\}?\}")


def _catalog(name, language):
    with po_path(name, language).open("rb") as handle:
        return read_po(handle)


# --- The PO files --------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", FILES)
def test_every_text_of_every_format_is_translated(name, language):
    catalog = _catalog(name, language)
    wanted = dict.fromkeys(text for text, _where in texts(load_file(name)))
    assert len(wanted) > 100 if name == "ccm-2010.json" else wanted
    problems = []
    for text in wanted:
        message = catalog.get(text)
        if message is None or not message.string or not str(message.string).strip():
            problems.append(f"untranslated: {text!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {text!r}")
        elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {text!r} → {message.string!r}")
        elif message.auto_comments == []:
            problems.append(f"no comment saying where it is used: {text!r}")
    assert not problems, f"{po_path(name, language)}:\n" + "\n".join(problems)
    assert {m.id for m in catalog if m.id} == set(wanted), "texts the format no longer has: run format_messages"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", FILES)
def test_the_po_files_pass_msgfmt(name, language):
    result = subprocess.run(  # noqa: S603 (a fixed command on our own file)
        ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(po_path(name, language))],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr


def test_the_translations_are_not_the_english_texts():
    """Arabic and Chinese have their own script: no English left in them (acronyms and units aside)."""
    for name in FILES:
        for language in ("ar", "zh-hans"):
            for english, translated in read_translations(name)[language].items():
                latin = re.sub(r"CCM/MSP/\d+/PM/\d+|km2|ha\b|m²|km²|\(\w\)|\d", "", translated)
                assert not re.search(r"[A-Za-z]{3,}", latin), (language, english, translated)


# --- Stored with the format --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_stored_format_version_carries_the_translations():
    for name in FILES:
        data = load_file(name)
        version = FormatVersion.objects.get(code=data["code"])
        assert version.translations == read_translations(name)
        assert set(version.translations) == set(LANGUAGES)


@pytest.mark.django_db
def test_the_definition_reads_in_the_active_language_and_falls_back_to_english():
    version = FormatVersion.objects.get(is_current=True)
    with translation.override("fr"):
        assert version.spec.form("B").title == "Stocks et destruction"
        assert dict(version.spec.form("A").table("measures").columns[0].choices)["legislation"] == "Législation"
    with translation.override("ar"):
        assert version.spec.form("B").title == "المخزونات وتدميرها"
    assert version.spec.form("B").title == "Stockpiles and destruction"
    with translation.override("fr"):
        assert version.source_spec.form("B").title == "Stockpiles and destruction"
    # A text without a translation stays English; keys never change.
    version.translations = {"fr": {"Stockpiles and destruction": "Stocks"}}
    version.__dict__.pop("_specs", None)
    french = version.spec_in("fr")
    assert (french.form("B").title, french.form("C").title) == ("Stocks", "Technical characteristics")
    assert [c.key for c in french.cover] == [c.key for c in version.source_spec.cover]


# --- The editor -------------------------------------------------------------------------------------------
def _form_b(client_for, focal_point, report, language):
    from tests.reporting.test_workbook import save, stock_rows

    save(report, fill_minimal(report, form_b_stock=stock_rows(2)), focal_point)
    client = client_for(focal_point)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("reporting:report_form", args=[report.pk, "B"]))
    assert page.status_code == 200
    return page.content.decode()


def _words(language, *english):
    catalogue = FormatVersion.objects.get(is_current=True).translations.get(language, {})
    return [escape(catalogue.get(text, text)) for text in english]


FORM_B = [
    "Stockpiles and destruction",
    "Cluster munitions held at the end of the period, by type (Art. 7(1)(b))",
    "Cluster munitions",
    "Submunitions",
    "Lot numbers",
    "Destroyed during the period (Art. 7(1)(f))",
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_editor_shows_form_b_in_the_readers_language(client_for, focal_point, initial_report, language):
    html = _form_b(client_for, focal_point, initial_report, language)
    for word in _words(language, *FORM_B):
        assert word in html
    english = [escape(text) for text in FORM_B]
    assert not any(f">{text}<" in html for text in english[2:]), "English headings left"
    with translation.override(language):
        qualifier = str(
            dict(FormatVersion.objects.get(is_current=True).spec.form("B").table("stockpile").columns[3].choices)[
                "exact"
            ]
        )
    assert f">{escape(qualifier)}</option>" in html
    if language == "fr":
        assert "Stocks et destruction" in html and "Armes à sous-munitions" in html
    else:
        assert "المخزونات وتدميرها" in html and "الذخائر الصغيرة" in html


@pytest.mark.django_db
def test_the_english_editor_is_unchanged(client_for, focal_point, initial_report):
    html = _form_b(client_for, focal_point, initial_report, "en")
    for text in FORM_B:
        assert escape(text) in html
    assert ">exactly</option>" in html
    assert "Stocks et destruction" not in html


# --- The workbook -------------------------------------------------------------------------------------------
def _download(client_for, focal_point, report, language):
    client = client_for(focal_point)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("reporting:workbook_download", args=[report.pk]))
    assert response.status_code == 200
    translation.activate(settings.LANGUAGE_CODE)  # the request left its language active in this thread
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
@pytest.mark.parametrize(("written", "read_in"), [("fr", "en"), ("en", "fr"), ("ar", "zh-hans")])
def test_a_workbook_uploads_with_the_same_content_whatever_the_session_language(
    client_for, focal_point, initial_report, written, read_in
):
    from tests.reporting.test_workbook import save

    report = save(initial_report, full_content(initial_report.format_version.spec, rows=90), focal_point)
    data = _download(client_for, focal_point, report, written)
    book = load_workbook(io.BytesIO(data))
    meta = {row[0].value: row[1].value for row in book["_meta"].iter_rows()}
    assert meta["language"] == written
    heading = book["B stockpile"]["B1"].value
    assert heading == _words(written, "Cluster munitions")[0].replace("&#x27;", "'")
    with translation.override(read_in):
        parsed = read.read_workbook(report, name="x.xlsx", data=data)
        merged = merge.merge_tables(report.format_version.spec, report.draft, parsed)
    assert merged == report.draft


@pytest.mark.django_db
def test_a_workbook_without_a_language_reads_in_english(initial_report, focal_point):
    """Workbooks downloaded before the language was recorded: English headings and choices, and yes/no in the
    language of whoever downloaded it (French here), read from a Russian session."""
    from tests.reporting.test_workbook import save

    report = save(initial_report, full_content(initial_report.format_version.spec, rows=60), focal_point)
    book = load_workbook(io.BytesIO(download.build_workbook(report)))
    meta = book["_meta"]
    row = next(r for r in meta.iter_rows() if r[0].value == "language")
    meta.delete_rows(row[0].row)
    french = {"Yes": "Oui", "No": "Non"}
    changed = 0
    for cell in (c for r in book["F areas"].iter_rows(min_row=3) for c in r):
        if cell.value in french:
            cell.value, changed = french[cell.value], changed + 1
    assert changed
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("ru"):
        parsed = read.read_workbook(report, name="x.xlsx", data=buffer.getvalue())
    assert merge.merge_tables(report.format_version.spec, report.draft, parsed) == report.draft


def test_the_editors_currency_list_names_each_currency_in_the_readers_language(client_for, focal_point, initial_report):
    """Form I's currency cells offer the ISO codes with CLDR's names: "USD — dollar des États-Unis" in French."""
    client = client_for(focal_point)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("reporting:report_form", args=[initial_report.pk, "I"])).content.decode()
    assert '<option value="USD">USD — dollar des États-Unis</option>' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reporting:report_form", args=[initial_report.pk, "I"])).content.decode()
    assert '<option value="USD">USD — US Dollar</option>' in page
