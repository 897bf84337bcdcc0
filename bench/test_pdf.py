"""Benchmarks of the report PDF: a full report (every form, narratives, 500 table rows), and of the
dashboard's one-page PDF at the volume of bench/test_progress_exports.py, each beside WeasyPrint alone.

Target: under 3 s for the whole render on the 2-core build machine. The phases are timed apart so
that a slow run says where the time goes (template, CSS cascade + layout, drawing + font subsetting),
and the write options are timed against the ones ``reporting.pdf`` uses (those of every background
document, ``ccm_portal.core.documents.WRITE_OPTIONS``).

Issue 16: the dashboard PDF within 2x WeasyPrint's own time on the same HTML, the report PDF about 1x.
"WeasyPrint alone" is ``HTML(string=html).write_pdf()`` on the HTML the portal renders, without the
print stylesheet, as anyone would call it; "the portal" is what the worker does with that HTML (the
template, the print stylesheet, the layout, however many times it takes to fit, and the writing). The
``ratio`` tests time the two interleaved, round after round, so that a busy machine slows both alike,
report the medians and their ratio in ``extra_info``, and hold a loose gate on the ratio (untimed, with
``--benchmark-disable``, they only check that both make the same pages).

    CCM_VAR_DIR=/tmp/h4-var .venv/bin/pytest bench/test_pdf.py --benchmark-enable --benchmark-only -p no:cacheprovider
"""

import datetime as dt
import io
import statistics
import time
from typing import Any

import pytest
from pypdf import PdfReader

from bench.test_progress_exports import volume  # noqa: F401  (the dashboard's volume, a fixture)
from ccm_portal.core import documents
from ccm_portal.core.models import RenderStatus
from progress import exports
from progress.models import Audience
from reporting import pdf as report_pdf
from reporting import services
from reporting.models import ReportKind, ReportPdf
from tests.reporting.builders import full_content

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def big_version(focal_point, isu_staff):
    state = focal_point.state
    report = services.start_report(state=state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)
    content = full_content(report.format_version.spec, rows=500)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    version = services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    version.refresh_from_db()
    return version


@pytest.fixture
def source(big_version):
    return report_pdf.build_source(big_version.report, big_version)


def test_bench_pdf_whole_render_500_rows(benchmark, big_version, django_capture_on_commit_callbacks):
    """What the worker does: claim the row, build the HTML, lay out, write, store, mark ready."""
    with django_capture_on_commit_callbacks():  # queue it, without running the render yet
        pdf = report_pdf.ensure_pdf(report=big_version.report, version=big_version)

    def requeue():
        ReportPdf.objects.filter(pk=pdf.pk).update(status=RenderStatus.QUEUED, progress=0)

    result = benchmark.pedantic(report_pdf.render, args=(pdf.pk,), setup=requeue, rounds=5, iterations=1)
    assert result.status == RenderStatus.READY
    with result.file.open("rb") as handle:
        reader = PdfReader(handle)
        assert len(reader.pages) == result.pages >= 20
        text = "".join(page.extract_text() for page in reader.pages)
    assert all(f"Form {code}: " in text for code in "ABCDEFGHIJ")
    benchmark.extra_info.update(pages=result.pages, size=result.size)


def test_bench_pdf_phase_template(benchmark, big_version):
    source = benchmark(report_pdf.build_source, big_version.report, big_version)
    assert source.html.count('<td class="num">') > 500  # every one of the 500 rows is there


def test_bench_pdf_phase_layout(benchmark, source):
    """Parsing, the CSS cascade, the formatting structure and pagination (WeasyPrint ``render``)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    def layout():
        fonts = FontConfiguration()
        stylesheets = [
            CSS(string=report_pdf._stylesheet_text(), font_config=fonts),
            CSS(string=source.page_css, font_config=fonts),
        ]
        return HTML(string=source.html).render(stylesheets=stylesheets, font_config=fonts)

    document = benchmark(layout)
    assert len(document.pages) >= 20


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(documents.WRITE_OPTIONS, id="used"),
        pytest.param({**documents.WRITE_OPTIONS, "uncompressed_pdf": True}, id="uncompressed"),
        pytest.param({**documents.WRITE_OPTIONS, "full_fonts": True}, id="full_fonts"),
        pytest.param({**documents.WRITE_OPTIONS, "hinting": True}, id="hinting"),
    ],
)
def test_bench_pdf_phase_write(benchmark, source, options):
    """Drawing the pages, subsetting the fonts and serialising the PDF (``Document.write_pdf``)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheets = [
        CSS(string=report_pdf._stylesheet_text(), font_config=fonts),
        CSS(string=source.page_css, font_config=fonts),
    ]
    document = HTML(string=source.html).render(stylesheets=stylesheets, font_config=fonts)
    data = benchmark(document.write_pdf, **options)
    assert len(PdfReader(io.BytesIO(data)).pages) == len(document.pages)
    benchmark.extra_info["size"] = len(data)


# --- Beside WeasyPrint alone ------------------------------------------------------------------------------
# Gates on the medians' ratio: issue 16's 2x for the dashboard, and about 1x for the report (loosely). Measured
# in three runs on the 2-core machine under load: the dashboard 0.58-0.70x (3.4x with the nested CSS
# grids it had before), the report 0.87-1.03x; again on 2026-12-07: 0.62x (92 ms against WeasyPrint's 148 ms) and
# 0.92x (2.4 s against 2.6 s). A ratio past a gate is a regression, not noise.
DASHBOARD_RATIO = 2.0
REPORT_RATIO = 1.3


def weasyprint_alone(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def interleaved(rounds: int, runs: dict[str, Any]) -> dict[str, float]:
    """Median milliseconds of each of ``runs`` (name -> callable), timed in turn round after round (the
    order swapped every round) after one warm-up round (imports, fonts, caches) that is not counted."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for index in range(rounds + 1):
        order = list(runs.items()) if index % 2 else list(reversed(runs.items()))
        for name, run in order:
            start = time.perf_counter()
            run()
            if index:
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(ms) for name, ms in times.items() if ms}


def compare(benchmark, rounds: int, gate: float, **runs: Any) -> None:
    """``interleaved`` as one benchmark; the medians and their ratio in ``extra_info``, the ratio held
    under ``gate``. With the benchmarks disabled, the warm-up round alone (no timing, no gate)."""
    rounds = 0 if benchmark.disabled else rounds
    medians = benchmark.pedantic(interleaved, args=(rounds, runs), rounds=1, iterations=1)
    if medians:
        ratio = medians["portal"] / medians["alone"]
        benchmark.extra_info.update(
            weasyprint_ms=round(medians["alone"]), portal_ms=round(medians["portal"]), ratio=round(ratio, 2)
        )
        assert ratio <= gate, medians


@pytest.fixture
def isu_board(volume):  # noqa: F811
    return exports.current_dashboard(as_of=dt.date(2026, 2, 3), audience=Audience.ISU)


def test_bench_pdf_dashboard_weasyprint_alone(benchmark, isu_board):
    html = exports.build_html(isu_board)
    data = benchmark(weasyprint_alone, html)
    assert len(PdfReader(io.BytesIO(data)).pages) >= 1  # portrait A4 in the default styles: 4 pages


def test_bench_pdf_dashboard_portal(benchmark, isu_board):
    rendered = benchmark(exports.render_pdf, isu_board)
    assert rendered.pages == 1


def test_bench_pdf_dashboard_ratio(benchmark, isu_board):
    html = exports.build_html(isu_board)
    pages = {}

    def alone():
        pages["alone"] = len(PdfReader(io.BytesIO(weasyprint_alone(html))).pages)

    def portal():
        pages["portal"] = exports.render_pdf(isu_board).pages

    compare(benchmark, 9, DASHBOARD_RATIO, alone=alone, portal=portal)
    assert pages["portal"] == 1 and pages["alone"] >= 1


def test_bench_pdf_report_ratio(benchmark, source):
    pages = {}

    def alone():
        pages["alone"] = len(PdfReader(io.BytesIO(weasyprint_alone(source.html))).pages)

    def portal():
        pages["portal"] = report_pdf.html_to_pdf(source).pages

    compare(benchmark, 3, REPORT_RATIO, alone=alone, portal=portal)
    assert pages["portal"] >= 20 and pages["alone"] >= 1
