"""Benchmarks of the report PDF: a full report (every form, narratives, 500 table rows).

Target: under 3 s for the whole render on the 2-core build machine. The phases are timed apart so
that a slow run says where the time goes (template, CSS cascade + layout, drawing + font subsetting),
and the write options are timed against the ones ``reporting.pdf`` uses (those of every background
document, ``ccm_portal.core.documents.WRITE_OPTIONS``).

    CCM_VAR_DIR=/tmp/h4-var .venv/bin/pytest bench/test_pdf.py --benchmark-enable --benchmark-only -p no:cacheprovider
"""

import io

import pytest
from pypdf import PdfReader

from ccm_portal.core import documents
from ccm_portal.core.models import RenderStatus
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
