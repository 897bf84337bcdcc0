"""Opening an editor and saving without a change leaves the stored report identical, whatever the
stored content: generated from the format definition (every form, narrative, choice, table and column
type), with row ids of any shape, values of any type, keys missing or left over from earlier formats.

The page is rendered by the real view and read back as a browser would submit it (``page_post``):
line breaks normalised, one-line inputs without them, e-mail fields trimmed, date fields emptied when
they hold no valid date, a select sending its selected (or first) option, a textarea losing the line
break right after its tag.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting import services
from reporting.editor import ROW_ID
from reporting.models import Report, ReportKind
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db


# --- A browser's reading of an editing page ---------------------------------------------------------
def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _valid_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


class _EditorForm(HTMLParser):
    """The successful controls of the page's autosaving form, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.select: dict[str, Any] | None = None
        self.textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: "" if value is None else value for key, value in attrs}
        if tag == "form" and "data-autosave" in a:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            value = a.get("value", "")
            if kind not in {"hidden"}:
                value = value.replace("\n", "").replace("\r", "")  # value sanitization: no line breaks
            if kind == "email":
                value = value.strip(" \t\n\f\r")
            if kind == "date" and not _valid_date(value):
                value = ""
            self.fields.append((name, value))
        elif tag == "select" and name:
            self.select = {"name": name, "options": [], "selected": None}
        elif tag == "option" and self.select is not None:
            self.select["options"].append(a.get("value", ""))
            if "selected" in a:
                self.select["selected"] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = {"name": name, "text": []}

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea["text"].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            selected = self.select["selected"]
            if selected is None and self.select["options"]:
                selected = self.select["options"][0]
            if selected is not None:
                self.fields.append((self.select["name"], selected))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea["text"])
            self.fields.append((self.textarea["name"], text[1:] if text.startswith("\n") else text))
            self.textarea = None


def page_post(response) -> dict[str, list[str]]:
    """What the browser submits for the editing page untouched (plain Save: no button value)."""
    parser = _EditorForm()
    # The HTML parser turns CR and CRLF into LF before it reads anything.
    parser.feed(response.content.decode().replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(_crlf(value))  # form submission sends line breaks as CRLF
    return data


# --- Contents as every path may have stored them ----------------------------------------------------
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
AWKWARD = st.sampled_from(["", " ", "\n", "\r\n", "\nleading", "trailing\r", " padded ", "a\nb", "x" * 41])
ANY_TEXT = st.one_of(TEXT, AWKWARD)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**12), ANY_TEXT)
ROW_IDS = st.one_of(
    st.from_regex(ROW_ID, fullmatch=True),
    st.sampled_from(["r1", "demo-f1", "demo-f2", "row 1", "", "x" * 41, "a.b", "é"]),
    TEXT,
    st.integers(-5, 5),
    st.none(),
)
MISSING = object()


def _typed(column) -> st.SearchStrategy:
    """Values a cell of this type holds when typed or imported; unknown types get arbitrary text."""
    choices = [value for value, _label in column.choices]
    dates = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))
    by_type = {
        "integer": st.one_of(st.integers(0, 10**7).map(str), st.sampled_from(["1,500", "1 500", "2.5", "-3"])),
        "area": st.sampled_from(["1500", "12.5 km2", "480 ha", "41.30 km²", "1,100 ha", "0.5", "3 acres"]),
        "money": st.sampled_from(["1000", "2500.50", "1,000,000", "-1", "1.234"]),
        "currency": st.sampled_from(["EUR", "USD", "eur", "XXX", "JPY "]),
        "date": st.one_of(dates.map(dt.date.isoformat), dates.map(lambda d: d.strftime("%Y%m%d"))),
        "boolean": st.sampled_from([True, False, "", "yes", "no", "1", "on", "Y"]),
        "email": st.sampled_from(["fp@example.org", " fp@example.org ", "not an address"]),
        "choice": st.sampled_from([*choices, " " + choices[0], "retired_option"]) if choices else ANY_TEXT,
        "qualifier": st.sampled_from([*choices, "Approximately"]) if choices else ANY_TEXT,
    }
    return by_type.get(column.type, ANY_TEXT)


def _value(column) -> st.SearchStrategy:
    return st.one_of(_typed(column), SCALAR)


def _without_missing(draw_dict: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in draw_dict.items() if value is not MISSING}


@st.composite
def rows(draw, table) -> list[dict[str, Any]]:
    out = []
    for _n in range(draw(st.integers(0, 4))):
        row: dict[str, Any] = {}
        row_id = draw(st.one_of(ROW_IDS, st.just(MISSING)))
        if row_id is not MISSING:
            row["_id"] = row_id
        for column in table.columns:
            value = draw(st.one_of(_value(column), st.just(MISSING)))
            if value is not MISSING:
                row[column.key] = value
        if draw(st.booleans()):
            row["column_of_an_earlier_format"] = draw(SCALAR)
        out.append(row)
    return out


@st.composite
def form_data(draw, form) -> dict[str, Any]:
    data = {
        "choice": draw(st.sampled_from(["", "changed", "unchanged", "not_applicable", "bogus", MISSING, None])),
        "unchanged_since": draw(st.sampled_from([None, 2019, "2019", "", "20x9", "0219", 12, MISSING])),
        "na_statement": draw(st.one_of(ANY_TEXT, st.just(form.nil_statement), st.none(), st.just(MISSING))),
    }
    if draw(st.booleans()) or not form.narratives:
        data["narratives"] = _without_missing(
            {n.key: draw(st.one_of(ANY_TEXT, st.none(), st.just(MISSING))) for n in form.narratives}
        )
    if draw(st.integers(0, 5)):  # usually present; absent in content from before a format had tables
        data["tables"] = _without_missing(
            {t.key: draw(st.one_of(rows(t), st.just([]), st.just(MISSING))) for t in form.tables}
        )
    return _without_missing(data)


@st.composite
def cover_data(draw, spec) -> dict[str, Any]:
    return _without_missing(
        {c.key: draw(st.one_of(_typed(c), ANY_TEXT, st.none(), st.just(MISSING))) for c in spec.cover}
    )


# --- The property -------------------------------------------------------------------------------------
@pytest.fixture
def annual_from_last_year(focal_point, isu_staff, lao):
    """An annual update started from an accepted report: every choice the editor offers, and the
    detection of unchanged forms, are in play."""
    first = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2022, actor=focal_point)
    first = services.save_draft(
        report=first, content=fill_minimal(first), base_revision=first.revision, actor=focal_point
    )
    services.set_visibility(report=first, visibility="public", actor=focal_point)
    services.submit_report(report=first, actor=focal_point)
    services.start_review(report=first, actor=isu_staff)
    services.accept_report(report=first, actor=isu_staff)
    return services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2023, actor=focal_point, from_last_year=True
    )


def _stored(report: Report, content: dict[str, Any]) -> dict[str, Any]:
    """Store ``content`` as the admin or an import would (no service), and read it back."""
    Report.objects.filter(pk=report.pk).update(draft=content)
    return Report.objects.get(pk=report.pk).draft


def _open_and_save(client, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, page_post(page), headers={"Accept": "application/json"})
    assert response.status_code == 200, response.content[:500]


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@SETTINGS
@given(data=st.data())
def test_a_form_opened_and_saved_unchanged_stays_identical(data, client_for, focal_point, annual_from_last_year):
    report = annual_from_last_year
    spec = report.format_version.spec
    form = data.draw(st.sampled_from(spec.forms), label="form")
    content = spec.empty_content()
    content["forms"][form.code] = data.draw(form_data(form), label="stored form")
    before = _stored(report, content)
    _open_and_save(client_for(focal_point), reverse("reporting:report_form", args=[report.pk, form.code]))
    assert Report.objects.get(pk=report.pk).draft == before


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_the_cover_page_opened_and_saved_unchanged_stays_identical(
    data, client_for, focal_point, annual_from_last_year
):
    report = annual_from_last_year
    spec = report.format_version.spec
    content = spec.empty_content()
    content["cover"] = data.draw(cover_data(spec), label="cover")
    for form in data.draw(st.lists(st.sampled_from(spec.forms), max_size=3, unique=True), label="forms"):
        stored = data.draw(form_data(form), label=f"form {form.code}")
        stored.pop("tables", None)  # the cover page shows the choices; tables keep the empty ones
        content["forms"][form.code].update(stored)
    before = _stored(report, content)
    _open_and_save(client_for(focal_point), reverse("reporting:report_cover", args=[report.pk]))
    assert Report.objects.get(pk=report.pk).draft == before


# --- Stored ids of other shapes are migrated, not ignored --------------------------------------------
def test_the_data_migration_gives_drafts_valid_unique_ids_and_leaves_versions_alone(
    focal_point, isu_staff, annual_from_last_year
):
    import importlib

    from django.apps import apps

    from audit.models import AuditEntry
    from reporting.models import ReportVersion

    migration = importlib.import_module("reporting.migrations.0010_valid_row_ids")
    report = annual_from_last_year
    version = ReportVersion.objects.get(report=report.based_on.report)
    frozen = {**version.content}
    frozen["forms"]["F"]["tables"]["areas"] = [{"_id": "demo-f1", "location": "North"}]
    ReportVersion.objects.filter(pk=version.pk).update(content=frozen)
    content = report.draft
    content["forms"]["F"]["tables"]["areas"] = [
        {"_id": "demo-f1", "location": "North"},
        {"_id": "demo_f1", "location": "Already valid"},
        {"_id": "r1", "location": "Valid"},
        {"_id": "r1", "location": "Duplicate"},
        {"location": "No id"},
        {"_id": 7, "location": "A number"},
    ]
    _stored(report, content)

    migration.rewrite_row_ids(apps, None)
    migration.rewrite_row_ids(apps, None)  # a second run finds nothing to do

    rows = Report.objects.get(pk=report.pk).draft["forms"]["F"]["tables"]["areas"]
    assert [r["_id"] for r in rows] == ["demo_f1_2", "demo_f1", "r1", "r1_2", "row5", "7"]
    assert [r["location"] for r in rows] == ["North", "Already valid", "Valid", "Duplicate", "No id", "A number"]
    assert all(ROW_ID.match(r["_id"]) for r in rows)
    assert ReportVersion.objects.get(pk=version.pk).content == frozen
    entry = AuditEntry.objects.get(action="reporting.report.row_ids_rewritten")
    assert entry.object_id == str(report.pk)
    assert entry.changes["forms.F.tables.areas.0._id"] == ["demo-f1", "demo_f1_2"]


def test_the_demo_seed_writes_ids_the_editor_can_use():
    import io

    from django.core.management import call_command

    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_reports", force=True, stdout=io.StringIO())
    report = Report.objects.get(state__iso3="LAO", period_year=2024)
    for content in (report.draft, report.versions.get().content):
        ids = [row["_id"] for form in content["forms"].values() for rows in form["tables"].values() for row in rows]
        assert ids and all(ROW_ID.match(row_id) for row_id in ids), ids
