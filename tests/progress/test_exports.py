"""Exports of the "progress to date" dashboard: the figures and the States behind them as CSV and XLSX
(read back with openpyxl), the one-page PDF (read back with pypdf), who may have which, and the
number of queries whatever the data.

Figures come from the real registry (all 125 States, the obligations of fixtures/*.csv) through
``progress.selectors.build``; a restricted figure is added beside the real ones where a test needs
one (none of today's figures rests on restricted data). Renders are real (WeasyPrint); Celery runs
eagerly, from ``transaction.on_commit`` callbacks the tests execute with
``django_capture_on_commit_callbacks``.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from assistance.models import Coalition
from audit.models import AuditEntry
from ccm_portal.core.models import RenderStatus
from ccm_portal.core.spreadsheets import spreadsheet_safe
from parties.models import MeasuresStatus, NationalMeasures, State
from progress import exports, reporting_rates
from progress.models import Audience, DashboardPdf
from progress.types import Dashboard, Figure
from tests.progress.builders import bulk_reports, data_committed

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
CSV_URL, XLSX_URL = "/progress/export.csv", "/progress/export.xlsx"
ISU_CSV_URL, ISU_XLSX_URL = "/isu/progress/export.csv", "/isu/progress/export.xlsx"
START, ISU_START = "/progress/pdf/", "/isu/progress/pdf/"
FIGURE_HEADERS = ["Key", "Section", "Label", "Numerator", "Denominator", "Share (%)", "Definition", "Source", "As of"]
STATE_HEADERS = ["Figure", "ISO3", "State", "In numerator"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LESSER = ["focal_point", "coordinator", "donor"]

# Queries, whatever the number of States, records, coalitions and reports:
# - the figures (progress.selectors.build): States, obligations, their completion records, Art. 9 records,
#   coalitions, the published Art. 9 totals; then the Art. 7 rates (States, portal versions, reporting records,
#   reporting rules, published totals);
BUILD_QUERIES = 11
# - the names of the States behind the figures, for the "States" sheet;
NAMES_QUERIES = 1
EXPORT_QUERIES = BUILD_QUERIES + NAMES_QUERIES
# - a signed-in reader under /isu/: session and user (the second factor is read from the session);
ISU_QUERIES = 2
# - the PDF: asking for it counts the figures (for the fingerprint) and locks its row (savepoint, select,
#   release); the status page and its JSON twin (polled every 1.5 s) read the row and nothing else;
#   the download counts the figures again, to serve only a file that shows them as they are now.
START_QUERIES = BUILD_QUERIES + 3
STATUS_JSON_QUERIES = STATUS_QUERIES = 1
DOWNLOAD_QUERIES = 1 + BUILD_QUERIES


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def persona_client(request, client_for):
    name = request.param
    return client_for(None if name == "anonymous" else request.getfixturevalue(name))


SECRET = Figure(
    key="secret-figure",
    section="transparency",
    label="A figure from restricted report content",
    numerator=1,
    denominator=2,
    states=("LAO",),
    out_of=("AUS", "LAO"),
    definition="Counted from restricted content.",
    source="Restricted Art. 7 reports.",
    restricted=True,
)


@pytest.fixture
def restricted_figure(monkeypatch):
    """A restricted figure besides the real ones, as a figure module resting on restricted data gives it."""
    real = reporting_rates.figures

    def figures(*, as_of, audience):
        return [*real(as_of=as_of, audience=audience), SECRET]

    monkeypatch.setattr(reporting_rates, "figures", figures)


def figure(key, numerator, *, denominator=None, states=(), out_of=None, **kw):
    defaults = {"section": "membership", "label": key.title(), "definition": "Counted so.", "source": "A source."}
    return Figure(
        key=key,
        numerator=numerator,
        denominator=denominator,
        states=tuple(states),
        out_of=None if out_of is None else tuple(out_of),
        **(defaults | kw),
    )


def workbook(body: bytes):
    return load_workbook(io.BytesIO(body))


def sheet_rows(book, title):
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def csv_sections(body: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables by title: a title row, a header row, the rows, a blank line before the next."""
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    sections: dict[str, list[list[str]]] = {}
    current = None
    for row in csv.reader(io.StringIO(text[1:])):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


def make_pdf(capture, *, as_of, audience=Audience.PUBLIC, requested_by=None):
    """Ask for the PDF and run the render the request queued, as the worker would after commit."""
    with capture(execute=True):
        pdf = exports.ensure(as_of=as_of, audience=audience, requested_by=requested_by)
    pdf.refresh_from_db()
    return pdf


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def file_pages(pdf: DashboardPdf) -> list[str]:
    with pdf.file.open("rb") as handle:
        return pdf_pages(handle.read())


def flat(text: str) -> str:
    """PDF text with its line breaks and the spacing around large numbers evened out."""
    text = re.sub(r"(\d)of ", r"\1 of ", text)  # "37 of 42": the large number, then the small "of 42"
    text = re.sub(r"(\d%?)([A-Z])", r"\1 \2", text)  # the number, then the label below it
    return re.sub(r"\s+", " ", text)


# --- The tables, from a dashboard built by hand ---------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Art. 3 = stockpiles", "Art. 3 = stockpiles"),
        ("", ""),
        (-3, -3),  # numbers stay numbers
        (None, None),
    ],
)
def test_text_a_spreadsheet_would_evaluate_is_quoted(value, safe):
    assert spreadsheet_safe(value) == safe


def test_the_xlsx_has_a_figures_sheet_and_a_states_sheet_with_the_lists_behind_each_figure():
    board = Dashboard(
        as_of=D("2020-01-01"),
        audience=Audience.PUBLIC,
        figures=(
            figure("states-parties", 2, states=("LAO", "AUS")),
            figure("in-force", 1, denominator=3, states=("LAO",), out_of=("AUS", "LAO", "NOR"), section="clearance"),
        ),
    )
    book = workbook(exports.to_xlsx(board))
    assert book.sheetnames == ["Figures", "States"]
    rows = sheet_rows(book, "Figures")
    assert rows[0] == FIGURE_HEADERS
    assert rows[1] == [
        "states-parties",
        "Membership",
        "States-Parties",
        2,
        None,
        None,
        "Counted so.",
        "A source.",
        dt.datetime(2020, 1, 1),
    ]
    assert rows[2][:6] == ["in-force", "Clearance (Art. 4)", "In-Force", 1, 3, 33.3]
    assert sheet_rows(book, "States") == [
        STATE_HEADERS,
        ["states-parties", "AUS", "Australia", "Yes"],
        ["states-parties", "LAO", "Lao People's Democratic Republic", "Yes"],
        ["in-force", "LAO", "Lao People's Democratic Republic", "Yes"],
        ["in-force", "AUS", "Australia", "No"],
        ["in-force", "NOR", "Norway", "No"],
    ]


def test_formula_looking_text_is_quoted_in_both_formats():
    evil = figure(
        "evil",
        1,
        states=("LAO",),
        label='=HYPERLINK("http://evil.example","click")',
        definition="+cmd|' /C calc'!A0",
        source="@SUM(1+1)*cmd|' /C calc'!A0",
        section="-section",
    )
    board = Dashboard(as_of=D("2020-01-01"), audience=Audience.PUBLIC, figures=(evil,))
    book = workbook(exports.to_xlsx(board))
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    row = sheet_rows(book, "Figures")[1]
    assert row[1:3] == ["'-section", '\'=HYPERLINK("http://evil.example","click")']
    assert row[6:8] == ["'+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"]
    figures = csv_sections(exports.to_csv(board))["Figures"]
    assert figures[1][1:3] == ["'-section", '\'=HYPERLINK("http://evil.example","click")']
    assert figures[1][6:8] == ["'+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"]


def test_the_names_of_the_states_take_one_query_whatever_the_number_of_figures(django_assert_num_queries):
    parties = tuple(State.objects.order_by("iso3").values_list("iso3", flat=True))
    board = Dashboard(
        as_of=D("2020-01-01"),
        audience=Audience.PUBLIC,
        figures=tuple(figure(f"f{n}", n, states=parties[:n], out_of=parties) for n in range(30)),
    )
    with django_assert_num_queries(1):
        book = workbook(exports.to_xlsx(board))
    assert len(sheet_rows(book, "States")) == 1 + 30 * len(parties)
    with django_assert_num_queries(0):
        exports.to_xlsx(Dashboard(as_of=D("2020-01-01"), audience=Audience.PUBLIC, figures=()))


# --- The exports, with the real figures ----------------------------------------------------------------
def test_the_public_xlsx_gives_the_real_figures_and_the_states_behind_them(client):
    response = client.get(XLSX_URL, {"as_of": "2026-02-28"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="ccm-progress-2026-02-28.xlsx"'
    book = workbook(response.content)
    assert book.sheetnames == ["Figures", "States"]
    figures = {row[0]: row for row in sheet_rows(book, "Figures")[1:]}
    assert sheet_rows(book, "Figures")[0] == FIGURE_HEADERS
    parties = figures["states-parties"]
    assert parties[1:5] == ["Membership", "States Parties", 112, None]
    assert "depositary" in parties[6].lower() and "UN Treaty Collection" in parties[7]
    assert parties[8] == dt.datetime(2026, 2, 28)
    # Vanuatu deposited on 5 Sep 2025: a State Party, the Convention in force for it on 1 Mar 2026 (Art. 17).
    assert figures["in-force"][3:6] == [111, 112, 99.1]
    states = sheet_rows(book, "States")
    assert states[0] == STATE_HEADERS
    behind = [row for row in states if row[0] == "states-parties"]
    assert len(behind) == 112 and {row[3] for row in behind} == {"Yes"}
    assert ["states-parties", "VUT", "Vanuatu", "Yes"] in behind
    assert ["states-parties", "LTU", "Lithuania", "Yes"] not in behind  # withdrawn on 6 Mar 2025
    in_force = [row for row in states if row[0] == "in-force"]
    assert len(in_force) == 112
    assert in_force[-1] == ["in-force", "VUT", "Vanuatu", "No"]
    assert set(figures) >= {"art3-completed", "art4-completed", "coalitions", "initial-reports-submitted"}
    assert "secret-figure" not in figures


def test_the_public_csv_gives_the_same_two_tables(client):
    response = client.get(CSV_URL, {"as_of": "2018-08-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ccm-progress-2018-08-01.csv"'
    sections = csv_sections(response.content)
    assert list(sections) == ["Figures", "States"]
    assert sections["Figures"][0] == FIGURE_HEADERS and sections["States"][0] == STATE_HEADERS
    art3 = next(row for row in sections["Figures"] if row[0] == "art3-completed")
    assert art3[1:6] == [
        "Stockpile destruction (Art. 3)",
        "States Parties that completed stockpile destruction",
        "33",
        "41",
        "80.5",
    ]
    assert art3[8] == "2018-08-01"
    parties = next(row for row in sections["Figures"] if row[0] == "states-parties")
    assert parties[3:6] == ["103", "", ""]  # a plain count: no denominator, no share
    art3_states = [row for row in sections["States"] if row[0] == "art3-completed"]
    assert len(art3_states) == 41 and sum(row[3] == "Yes" for row in art3_states) == 33
    assert ["art3-completed", "HRV", "Croatia", "Yes"] in art3_states
    assert ["art3-completed", "PER", "Peru", "No"] in art3_states


def test_the_export_defaults_to_today_and_refuses_a_bad_date(client):
    response = client.get(CSV_URL)
    assert (
        response["Content-Disposition"] == f'attachment; filename="ccm-progress-{timezone.localdate().isoformat()}.csv"'
    )
    bad = client.get(CSV_URL, {"as_of": "2018-13-01"})
    assert bad.status_code == 400 and "Enter a valid date." in bad.content.decode()
    early = client.get(XLSX_URL, {"as_of": "2001-01-01"})
    assert early.status_code == 400 and "opened for signature" in early.content.decode()


def test_the_exports_only_answer_get(client):
    assert client.post(CSV_URL).status_code == 405
    assert client.get("/progress/export.pdf").status_code == 404


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_a_restricted_figure_is_in_the_isu_export_only(client_for, isu_staff, restricted_figure, url):
    public = client_for(None).get(url, {"as_of": "2026-02-03"})
    isu = client_for(isu_staff).get(url.replace("/progress/", "/isu/progress/"), {"as_of": "2026-02-03"})
    assert isu["Content-Disposition"].endswith(f'filename="ccm-progress-isu-2026-02-03.{url[-4:].lstrip(".")}"')
    if url == XLSX_URL:
        public_keys = [row[0] for row in sheet_rows(workbook(public.content), "Figures")]
        isu_book = workbook(isu.content)
        isu_keys = [row[0] for row in sheet_rows(isu_book, "Figures")]
        secret_states = [row for row in sheet_rows(isu_book, "States") if row[0] == "secret-figure"]
    else:
        public_keys = [row[0] for row in csv_sections(public.content)["Figures"]]
        sections = csv_sections(isu.content)
        isu_keys = [row[0] for row in sections["Figures"]]
        secret_states = [row for row in sections["States"] if row[0] == "secret-figure"]
    assert "secret-figure" not in public_keys and b"restricted" not in public.content
    assert "secret-figure" in isu_keys and set(public_keys) < set(isu_keys)
    assert secret_states == [
        ["secret-figure", "LAO", "Lao People's Democratic Republic", "Yes"],
        ["secret-figure", "AUS", "Australia", "No"],
    ]
    assert "no-store" in isu["Cache-Control"] and "private" in isu["Cache-Control"]


@pytest.mark.parametrize("persona_client", ["anonymous", *LESSER, "isu_staff"], indirect=True)
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_everyone_may_export_the_public_figures(persona_client, url):
    response = persona_client.get(url, {"as_of": "2026-02-03"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("url", [ISU_CSV_URL, ISU_XLSX_URL])
def test_the_isu_export_is_for_isu_staff_with_two_factors(
    client_for, url, isu_staff, isu_staff_without_2fa, focal_point, coordinator, donor
):
    assert client_for(isu_staff).get(url).status_code == 200
    assert client_for(isu_staff_without_2fa).get(url)["Location"].startswith("/me/two-factor/")
    for lesser in (focal_point, coordinator, donor):
        assert client_for(lesser).get(url).status_code == 403
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Bounded queries -------------------------------------------------------------------------------------
@pytest.fixture
def many_rows(isu_staff):
    """Every State Party with four Art. 9 records, forty coalitions and five years of published reports."""
    parties = list(State.objects.filter(deposit_date__isnull=False).order_by("iso3"))
    NationalMeasures.objects.bulk_create(
        NationalMeasures(state=s, status=status, effective_from=D(f"20{12 + n}-06-01"), source="test")
        for s in parties
        for n, status in enumerate(MeasuresStatus.values)
    )
    taken = set(Coalition.objects.values_list("state_id", flat=True))  # the reference data's (Botswana's)
    free = [s for s in parties if s.pk not in taken]
    Coalition.objects.bulk_create(Coalition(state=s, formed_on=D("2019-01-01"), source="test") for s in free[:40])
    return bulk_reports(years=range(2021, 2026), actor=isu_staff)


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_exports_run_the_same_queries_for_few_and_many_rows(client_for, isu_staff, request):
    public, staff = client_for(None), None
    params = {"as_of": "2026-02-03"}
    few = [_count(public, CSV_URL, params), _count(public, XLSX_URL, params)]
    staff = client_for(isu_staff)
    _count(staff, ISU_XLSX_URL, params)  # warm the content types and the session
    few.append(_count(staff, ISU_XLSX_URL, params))
    request.getfixturevalue("many_rows")
    data_committed()  # as the commit of those writes would: the pages and figures kept for the old data go
    public = client_for(None)
    many = [_count(public, CSV_URL, params), _count(public, XLSX_URL, params)]
    staff = client_for(isu_staff)
    _count(staff, ISU_XLSX_URL, params)
    many.append(_count(staff, ISU_XLSX_URL, params))
    assert few == many == [EXPORT_QUERIES, EXPORT_QUERIES, ISU_QUERIES + EXPORT_QUERIES]


# --- The one-page PDF ----------------------------------------------------------------------------------
def test_the_pdf_is_one_landscape_page_with_the_date_the_figures_and_the_sources(django_capture_on_commit_callbacks):
    pdf = make_pdf(django_capture_on_commit_callbacks, as_of=D("2018-08-01"))
    assert pdf.status == RenderStatus.READY and pdf.progress == 100 and pdf.stage == "Ready"
    assert pdf.file.name == "progress/pdf/ccm-progress-2018-08-01.pdf"
    assert pdf.size == pdf.file.size
    with pdf.file.open("rb") as handle:
        reader = PdfReader(handle)
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert float(box.width) > float(box.height)  # landscape
        text = flat(reader.pages[0].extract_text())
    assert "Convention on Cluster Munitions — progress to date as of 1 August 2018" in text
    assert "103 States Parties" in text  # a plain count
    assert "33 of 41 80% States Parties that completed stockpile destruction" in text
    assert "STOCKPILE DESTRUCTION (ART. 3)" in text and "NATIONAL IMPLEMENTATION MEASURES (ART. 9)" in text
    assert "Sources: The depositary's records (UN Treaty Collection" in text
    assert f"Generated by the CCM Portal on {exports.display(timezone.localdate())}" in text
    assert "http://testserver/progress/?as_of=2018-08-01" in text
    assert "ISU version" not in text


def test_the_isu_pdf_shows_restricted_figures_and_says_so(django_capture_on_commit_callbacks, restricted_figure):
    isu = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"), audience=Audience.ISU)
    public = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    assert isu.pk != public.pk
    [isu_text], [public_text] = map(flat, file_pages(isu)), map(flat, file_pages(public))
    assert "ISU version: includes restricted figures — not for publication" in isu_text
    assert "1 of 2 50% A figure from restricted report content (ISU only)" in isu_text
    assert "restricted" not in public_text and "ISU version" not in public_text
    assert "112 States Parties" in isu_text and "112 States Parties" in public_text
    assert isu.file.name == "progress/pdf/ccm-progress-isu-2026-02-03.pdf"


def test_48_figures_still_fit_on_one_page():
    codes = tuple(State.objects.order_by("iso3").values_list("iso3", flat=True)[:100])
    sections = [
        "membership",
        "stockpile_destruction",
        "clearance",
        "cooperation",
        "transparency",
        "national_implementation",
    ]
    figures = tuple(
        figure(
            f"figure-{n}",
            n,
            denominator=100,
            states=codes[:n],
            out_of=codes,
            section=sections[n % 6],
            label=f"Annual updates for 2024 submitted on time, figure {n}",  # as long as the longest
        )
        for n in range(48)
    )
    board = Dashboard(as_of=D("2026-02-03"), audience=Audience.PUBLIC, figures=figures)
    rows = exports.pack(board.sections())
    assert exports.density(rows) == "tight"  # six sections of eight figures: twelve lines
    rendered = exports.render_pdf(board)
    assert rendered.pages == 1
    [text] = pdf_pages(rendered.data)
    assert all(f"submitted on time, figure {n}" in flat(text) for n in range(48))


def test_sections_are_packed_into_rows_by_the_columns_they_need():
    def section(key, count):
        return key, [figure(f"{key}-{n}", n, section=key) for n in range(count)]

    rows = exports.pack(
        [section("membership", 4), section("a", 1), section("b", 1), section("c", 1), section("d", 9), section("e", 5)]
    )
    assert [[(b.label, b.span, b.lines) for b in row] for row in rows] == [
        [("Membership", 4, 1), ("a", 1, 1), ("b", 1, 1)],
        [("c", 1, 1), ("e", 5, 1)],
        [("d", 6, 2)],
    ]
    assert exports.density(rows) == "roomy"
    assert exports.density(exports.pack([section("x", 30)])) == "compact"


def test_asking_again_reuses_the_stored_pdf_until_the_figures_change(django_capture_on_commit_callbacks, isu_staff):
    first = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    rendered = AuditEntry.objects.filter(action="progress.pdf.rendering").count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = exports.ensure(as_of=D("2026-02-03"), audience=Audience.PUBLIC)
    assert again.pk == first.pk and callbacks == []  # nothing queued
    again.refresh_from_db()
    assert (again.finished_at, again.file.name, again.fingerprint) == (
        first.finished_at,
        first.file.name,
        first.fingerprint,
    )
    # A reader in French gets the dashboard in French: its own row and file, the English one untouched.
    with translation.override("fr"):
        french = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    assert french.pk != first.pk and french.language == "fr" and french.file.name.endswith("-2026-02-03.fr.pdf")
    assert "Coalitions de pays formées" in flat(file_pages(french)[0])
    assert "Country coalitions formed" in flat(file_pages(first)[0])
    assert AuditEntry.objects.filter(action="progress.pdf.rendering").count() == rendered + 1
    rendered += 1
    # A coalition formed before the date changes a figure: the PDF is made again, in the same row and file.
    Coalition.objects.create(state=State.objects.get(iso3="LAO"), formed_on=D("2019-01-01"), source="test")
    newer = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"), requested_by=isu_staff)
    assert newer.pk == first.pk and newer.fingerprint != first.fingerprint
    assert newer.status == RenderStatus.READY and newer.file.name == first.file.name
    assert "2 Country coalitions formed" in flat(file_pages(newer)[0])  # Botswana's (reference data) and Laos's
    assert AuditEntry.objects.filter(action="progress.pdf.rendering").count() == rendered + 1
    assert DashboardPdf.objects.count() == 2


def test_each_status_change_is_audited(django_capture_on_commit_callbacks, isu_staff):
    pdf = make_pdf(
        django_capture_on_commit_callbacks, as_of=D("2020-01-01"), audience=Audience.ISU, requested_by=isu_staff
    )
    entries = list(AuditEntry.objects.for_object(pdf).order_by("pk"))
    assert [e.action for e in entries] == ["progress.pdf.queued", "progress.pdf.rendering", "progress.pdf.ready"]
    assert entries[0].actor == isu_staff and entries[1].actor is None
    assert entries[0].changes["status"] == ["", "queued"]
    assert entries[0].context == {"as_of": "2020-01-01", "audience": "isu", "language": "en"}
    assert entries[2].changes == {"status": ["rendering", "ready"]} and entries[2].context["pages"] == 1


def test_a_render_lost_midway_is_made_again_and_a_finished_one_is_not_redone(django_capture_on_commit_callbacks):
    pdf = make_pdf(django_capture_on_commit_callbacks, as_of=D("2020-01-01"))
    # A second delivery of the task finds it ready and does nothing.
    assert exports.render(pdf.pk).finished_at == pdf.finished_at
    # A worker killed mid-way leaves the row "rendering"; after STALE_AFTER asking again makes it anew.
    long_ago = timezone.now() - exports.STALE_AFTER * 2
    DashboardPdf.objects.filter(pk=pdf.pk).update(status=RenderStatus.RENDERING, started_at=long_ago)
    again = make_pdf(django_capture_on_commit_callbacks, as_of=D("2020-01-01"))
    assert again.status == RenderStatus.READY and again.finished_at > pdf.finished_at
    assert exports.render(10_000) is None  # a deleted row: nothing to do


# --- The PDF pages: start → status → download ----------------------------------------------------------
def test_the_urls_of_the_pdf_reach_the_pdf_views():
    assert resolve(START).url_name == "pdf_start" and resolve(ISU_START).url_name == "pdf_start_isu"


@pytest.mark.parametrize("persona_client", ["anonymous", "focal_point", "isu_staff"], indirect=True)
def test_anyone_makes_and_downloads_the_public_pdf(persona_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = persona_client.post(START, {"as_of": "2026-02-03"})
    pdf = DashboardPdf.objects.get()
    status_url = f"/progress/pdf/{pdf.pk}/"
    assert response.status_code == 302 and response["Location"] == status_url
    assert (pdf.as_of, pdf.audience) == (D("2026-02-03"), Audience.PUBLIC)
    page = persona_client.get(status_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "PDF of the dashboard as of 3 February 2026" in html and "The PDF is ready" in html
    assert f'href="/progress/pdf/{pdf.pk}/download/"' in html and "ccm-progress-2026-02-03.pdf" in html
    assert 'http-equiv="refresh"' not in html  # nothing left to wait for
    assert persona_client.get(status_url, {"format": "json"}).json() == {
        "status": "ready",
        "progress": 100,
        "stage": "Ready",
        "download_url": f"/progress/pdf/{pdf.pk}/download/",
        "error": "",
    }
    download = persona_client.get(f"/progress/pdf/{pdf.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="ccm-progress-2026-02-03.pdf"'
    [text] = pdf_pages(b"".join(download.streaming_content))
    assert "progress to date as of 3 February 2026" in flat(text) and "112 States Parties" in flat(text)


def test_the_status_page_shows_the_progress_and_refreshes_itself_until_ready(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # queued; the worker has not started yet
        client.post(START, {"as_of": "2026-02-03"})
    pdf = DashboardPdf.objects.get()
    html = client.get(f"/progress/pdf/{pdf.pk}/").content.decode()
    assert "Making the PDF" in html and '<progress id="pdf-progress" max="100" value="0">' in html
    assert "Waiting for a free worker" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert f'data-pdf-status="/progress/pdf/{pdf.pk}/?format=json"' in html and 'data-status="queued"' in html
    data = client.get(f"/progress/pdf/{pdf.pk}/", {"format": "json"}).json()
    assert data == {
        "status": "queued",
        "progress": 0,
        "stage": "Waiting for a free worker",
        "download_url": None,
        "error": "",
    }
    # Downloading before it is ready leads back to the progress.
    assert client.get(f"/progress/pdf/{pdf.pk}/download/")["Location"] == f"/progress/pdf/{pdf.pk}/"


def test_a_failed_render_says_so_and_offers_to_try_again(client, django_capture_on_commit_callbacks):
    pdf = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    DashboardPdf.objects.filter(pk=pdf.pk).update(
        status=RenderStatus.FAILED, stage=exports.STAGE_FAILED, error=exports.ERROR_FAILED, progress=0
    )
    html = client.get(f"/progress/pdf/{pdf.pk}/").content.decode()
    assert "The PDF could not be made" in html and "tell the ISU" in html
    assert f'action="{START}"' in html and 'name="as_of" value="2026-02-03"' in html
    assert (
        client.get(f"/progress/pdf/{pdf.pk}/", {"format": "json"})
        .json()["error"]
        .startswith("The PDF could not be made.")
    )
    # Downloading a failed PDF of unchanged figures does not start again by itself.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.get(f"/progress/pdf/{pdf.pk}/download/").status_code == 302
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"as_of": "2026-02-03"})
    assert DashboardPdf.objects.get(pk=pdf.pk).status == RenderStatus.READY


def test_downloading_a_pdf_whose_figures_changed_makes_it_again(client, django_capture_on_commit_callbacks):
    pdf = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    Coalition.objects.create(state=State.objects.get(iso3="LAO"), formed_on=D("2019-01-01"), source="test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/progress/pdf/{pdf.pk}/download/", follow=True)
    assert response.redirect_chain == [(f"/progress/pdf/{pdf.pk}/", 302)]
    assert "The PDF is being made from the figures as they are now." in response.content.decode()
    again = client.get(f"/progress/pdf/{pdf.pk}/download/")
    # Botswana's (reference data) and Laos's.
    assert "2 Country coalitions formed" in flat(pdf_pages(b"".join(again.streaming_content))[0])


def test_a_bad_date_goes_back_to_the_dashboard_with_the_reason(client):
    response = client.post(START, {"as_of": "2018-13-01"}, follow=True)
    assert response.redirect_chain == [("/progress/", 302)]
    assert "Enter a valid date." in response.content.decode()
    assert not DashboardPdf.objects.exists()


def test_the_pdf_is_started_by_post_only(client):
    assert client.get(START).status_code == 405
    assert client.post("/progress/pdf/1/").status_code == 405


@pytest.fixture
def isu_pdf(django_capture_on_commit_callbacks, isu_staff, restricted_figure):
    return make_pdf(
        django_capture_on_commit_callbacks, as_of=D("2026-02-03"), audience=Audience.ISU, requested_by=isu_staff
    )


def test_isu_staff_make_and_download_the_isu_pdf_under_isu(
    client_for, isu_staff, django_capture_on_commit_callbacks, restricted_figure
):
    client = client_for(isu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ISU_START, {"as_of": "2026-02-03"})
    pdf = DashboardPdf.objects.get()
    assert pdf.audience == Audience.ISU and response["Location"] == f"/isu/progress/pdf/{pdf.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Progress to date (ISU)" in html and f'href="/isu/progress/pdf/{pdf.pk}/download/"' in html
    download = client.get(f"/isu/progress/pdf/{pdf.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="ccm-progress-isu-2026-02-03.pdf"'
    assert "no-store" in download["Cache-Control"]
    assert "A figure from restricted report content" in flat(pdf_pages(b"".join(download.streaming_content))[0])
    # The public URLs send the ISU to the ISU ones, where two factors are asked for.
    assert client.get(f"/progress/pdf/{pdf.pk}/")["Location"] == f"/isu/progress/pdf/{pdf.pk}/"
    assert client.get(f"/progress/pdf/{pdf.pk}/download/")["Location"] == f"/isu/progress/pdf/{pdf.pk}/download/"


@pytest.mark.parametrize("persona_client", ["anonymous", *LESSER], indirect=True)
def test_the_isu_pdf_is_a_404_for_everyone_else_on_the_public_urls(persona_client, isu_pdf):
    for url in (f"/progress/pdf/{isu_pdf.pk}/", f"/progress/pdf/{isu_pdf.pk}/download/"):
        assert persona_client.get(url).status_code == 404
        assert persona_client.get(url, {"format": "json"}).status_code == 404
    assert persona_client.get("/progress/pdf/999999/").status_code == 404


def test_the_isu_pdf_pages_are_for_isu_staff_with_two_factors(
    client_for, isu_pdf, isu_staff, isu_staff_without_2fa, focal_point, coordinator, donor
):
    urls = [f"/isu/progress/pdf/{isu_pdf.pk}/", f"/isu/progress/pdf/{isu_pdf.pk}/download/"]
    for url in urls:
        assert client_for(isu_staff).get(url).status_code == 200
        assert client_for(isu_staff_without_2fa).get(url)["Location"].startswith("/me/two-factor/")
        for lesser in (focal_point, coordinator, donor):
            assert client_for(lesser).get(url).status_code == 403
        assert "/login/" in client_for(None).get(url)["Location"]
    for lesser in (focal_point, coordinator, donor):
        assert client_for(lesser).post(ISU_START, {"as_of": "2026-02-03"}).status_code == 403
    assert "/login/" in client_for(None).post(ISU_START, {"as_of": "2026-02-03"})["Location"]
    assert DashboardPdf.objects.count() == 1


def test_a_public_pdf_on_the_isu_urls_leads_to_the_public_ones(
    client_for, isu_staff, django_capture_on_commit_callbacks
):
    pdf = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    assert client_for(isu_staff).get(f"/isu/progress/pdf/{pdf.pk}/")["Location"] == f"/progress/pdf/{pdf.pk}/"


def _pdf_queries(client, pdf) -> list[int]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(START, {"as_of": pdf.as_of.isoformat()}).status_code == 302
    counts = [len(ctx.captured_queries)]
    counts.append(_count(client, f"/progress/pdf/{pdf.pk}/", {"format": "json"}))
    counts.append(_count(client, f"/progress/pdf/{pdf.pk}/"))
    counts.append(_count(client, f"/progress/pdf/{pdf.pk}/download/"))
    return counts


def test_the_pdf_pages_run_the_same_queries_for_few_and_many_rows(client, django_capture_on_commit_callbacks, request):
    pdf = make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    few = _pdf_queries(client, pdf)
    request.getfixturevalue("many_rows")
    data_committed()  # as the commit of those writes would: the pages and figures kept for the old data go
    # The records added change the figures: the PDF is made again first, so that the pages are counted
    # again with a stored file that shows the figures as they are.
    make_pdf(django_capture_on_commit_callbacks, as_of=D("2026-02-03"))
    assert few == _pdf_queries(client, pdf) == [START_QUERIES, STATUS_JSON_QUERIES, STATUS_QUERIES, DOWNLOAD_QUERIES]


# --- The block of links on the dashboard ----------------------------------------------------------------
@pytest.mark.parametrize(("audience", "prefix"), [(Audience.PUBLIC, "/progress/"), (Audience.ISU, "/isu/progress/")])
def test_the_export_block_links_to_the_audience_s_exports_and_pdf(audience, prefix):
    request = RequestFactory().get("/")
    html = render_to_string("progress/_exports.html", {"as_of": D("2019-07-31"), "audience": audience}, request=request)
    assert f'href="{prefix}export.xlsx?as_of=2019-07-31"' in html
    assert f'href="{prefix}export.csv?as_of=2019-07-31"' in html
    assert f'action="{prefix}pdf/"' in html and 'name="as_of" value="2019-07-31"' in html
    assert 'name="csrfmiddlewaretoken"' in html
