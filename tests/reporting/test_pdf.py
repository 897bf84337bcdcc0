"""Report PDFs: what the PDF shows (read back with pypdf), when a stored file is reused or made
again, fonts for every script, and who may start, follow and download which PDF.

Renders are real (WeasyPrint); Celery runs eagerly, from ``transaction.on_commit`` callbacks that
the tests execute with ``django_capture_on_commit_callbacks``.
"""

import copy
import json
import logging

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from pypdf import PdfReader

from audit.models import AuditEntry
from ccm_portal.core import documents
from ccm_portal.core.models import RenderStatus
from reporting import pdf as report_pdf
from reporting import services
from reporting.formats import Choice
from reporting.models import ReportKind, ReportPdf
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

STOCK = [
    {"_id": "s1", "type": "BLU-26", "munitions": "1234", "submunitions": "56789", "qualifier": "at_least"},
    {"_id": "s2", "type": "M77", "munitions": "40", "submunitions": "2000", "qualifier": "exact"},
]
HEADER_V1 = "Lao People's Democratic Republic — Article 7 report 2024 — version 1"
ARABIC = "تدابير التنفيذ الوطنية"
CHINESE = "集束弹药公约第七条透明度报告"
RUSSIAN = "Закон о запрещении кассетных боеприпасов"
# Queries of the status (JSON) and download views, whatever the size of the report: session, user,
# the PDF with its version, the report (reporting.access).
PDF_VIEW_QUERIES = 4


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def annual_2024(focal_point, lao):
    return services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)


def content_2024(report, **narratives):
    content = fill_minimal(report, form_b_stock=copy.deepcopy(STOCK))
    content["forms"]["C"].update(choice=Choice.UNCHANGED, unchanged_since=2019, na_statement="")
    content["forms"]["B"]["narratives"]["programme"] = "Destruction at the Xieng Khouang site continues."
    for code, text in narratives.items():
        key = report.format_version.spec.form(code).narratives[0].key
        content["forms"][code]["narratives"][key] = text
    return content


def save(report, content, actor):
    report.refresh_from_db()
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=actor)


def submit(report, actor, *, content=None, visibility="public", note=""):
    report = save(report, content or content_2024(report), actor)
    services.set_visibility(report=report, visibility=visibility, actor=actor)
    return services.submit_report(report=report, actor=actor, correction_note=note)


def accept(report, isu):
    services.start_review(report=report, actor=isu)
    return services.accept_report(report=report, actor=isu)


@pytest.fixture
def accepted_v1(annual_2024, focal_point, isu_staff):
    version = submit(annual_2024, focal_point)
    accept(annual_2024, isu_staff)
    version.refresh_from_db()
    return version


def make_pdf(capture, *, report, version=None, requested_by=None):
    """Ask for the PDF and run the render the request queued, as the worker would after commit."""
    with capture(execute=True):
        pdf = report_pdf.ensure_pdf(report=report, version=version, requested_by=requested_by)
    pdf.refresh_from_db()
    return pdf


def pages_text(pdf):
    with pdf.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(handle).pages]


def font_names(pdf):
    with pdf.file.open("rb") as handle:
        reader = PdfReader(handle)
        return {
            str(font.get_object()["/BaseFont"])
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }


# --- What the PDF shows --------------------------------------------------------------------------
def test_version_pdf_has_the_cover_page_every_form_and_the_form_b_figures(
    accepted_v1, annual_2024, focal_point, django_capture_on_commit_callbacks
):
    pdf = make_pdf(
        django_capture_on_commit_callbacks, report=annual_2024, version=accepted_v1, requested_by=focal_point
    )
    assert pdf.status == RenderStatus.READY and pdf.progress == 100
    assert pdf.file.name == "reports/pdf/LAO-2024-v1.pdf"
    pages = pages_text(pdf)
    assert pdf.pages == len(pages) >= 11  # the cover page, then each of the ten forms on its own page
    assert pdf.size == pdf.file.size
    cover = " ".join(pages[0].split())
    for expected in (
        "Lao People's Democratic Republic",
        "Annual update for calendar year 2024",
        "Version 1",
        "Public",
        "Original language English",
        "Accepted",
        "Focal Point",  # the cover page's contact
    ):
        assert expected in cover, expected
    assert "Submitted " + dateformat.format(timezone.localtime(accepted_v1.submitted_at), "j F Y") in cover
    # The per-form ticks: A and B changed, C unchanged since 2019, D–J not applicable.
    assert "A National implementation measures ✓" in cover
    assert "C Technical characteristics ✓ 2019" in cover
    every = "\n".join(pages)
    assert "Unchanged since 2019" in every
    for number, page in enumerate(pages, start=1):
        assert HEADER_V1 in page, number
        assert f"page {number} / {len(pages)}" in page
    form_b = next(page for page in pages if "Form B: Stockpiles and destruction" in page)
    assert "Article 7(1) (b), (e), (f), (g)" in form_b
    assert "Cluster munitions Submunitions" in form_b  # column headers from the format
    assert "BLU-26 at least 1,234 at least 56,789" in form_b  # the qualifier kept, thousands grouped
    assert "M77 40 2,000" in form_b
    assert "Destruction at the Xieng Khouang site continues." in form_b
    assert "Law No. 12 prohibits cluster munitions." in every  # Form A's narrative
    assert "Legislation Law No. 12 1 May 2012 In force" in every  # a date and choices as on screen
    assert "The State holds no cluster munitions" not in form_b  # B is given, not "not applicable"
    assert "DRAFT" not in every


def test_superseded_version_is_marked_and_the_correction_says_what_it_corrects(
    accepted_v1, annual_2024, focal_point, isu_staff, django_capture_on_commit_callbacks
):
    first = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, version=accepted_v1)
    started = first.started_at
    services.start_correction(report=annual_2024, actor=focal_point)
    annual_2024.refresh_from_db()
    content = content_2024(annual_2024)
    content["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = "1240"
    v2 = submit(annual_2024, focal_point, content=content, note="corrects the Form B totals")
    accept(annual_2024, isu_staff)
    accepted_v1.refresh_from_db()
    old = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, version=accepted_v1)
    assert old.pk == first.pk and old.started_at > started  # the mark is new: rendered again
    pages = pages_text(old)
    assert all(f"{HEADER_V1} — Superseded by version 2" in page for page in pages)
    assert "Superseded by version 2" in pages[0].split(HEADER_V1)[0]  # also on the cover page itself
    assert "Outcome Superseded by a correction" in " ".join(pages[0].split())
    new = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, version=v2)
    cover = " ".join(pages_text(new)[0].split())
    assert "Version 2 — corrects: corrects the Form B totals" in cover
    assert "corrects version 1" in cover
    assert "Superseded" not in cover
    assert new.file.name == "reports/pdf/LAO-2024-v2.pdf"


def test_draft_pdf_says_draft_on_every_page(annual_2024, focal_point, django_capture_on_commit_callbacks):
    save(annual_2024, content_2024(annual_2024), focal_point)
    pdf = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, requested_by=focal_point)
    assert pdf.status == RenderStatus.READY and pdf.version is None
    assert pdf.file.name == "reports/pdf/LAO-2024-draft.pdf"
    pages = pages_text(pdf)
    for page in pages:
        assert "Lao People's Democratic Republic — Article 7 report 2024 — DRAFT — not submitted" in page
        assert page.count("DRAFT — not submitted") >= 2  # the header and the mark across the page
    assert "Draft, revision 1" in " ".join(pages[0].split())
    assert "BLU-26 at least 1,234" in "\n".join(pages)


def test_initial_report_pdf_names_the_period_initial(initial_report, focal_point, django_capture_on_commit_callbacks):
    save(initial_report, fill_minimal(initial_report), focal_point)
    pdf = make_pdf(django_capture_on_commit_callbacks, report=initial_report)
    pages = pages_text(pdf)
    assert "Lao People's Democratic Republic — Article 7 initial report — DRAFT — not submitted" in pages[0]
    assert "Period Initial report" in " ".join(pages[0].split())
    assert "Given in full" in pages[0]
    assert pdf.file.name == "reports/pdf/LAO-initial-draft.pdf"


# --- Reuse, re-rendering, idempotence ---------------------------------------------------------------
def test_asking_again_for_an_unchanged_version_reuses_the_stored_file(
    accepted_v1, annual_2024, focal_point, isu_staff, django_capture_on_commit_callbacks
):
    first = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, version=accepted_v1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = report_pdf.ensure_pdf(report=annual_2024, version=accepted_v1, requested_by=isu_staff)
    assert callbacks == []  # nothing queued
    again.refresh_from_db()
    assert again.pk == first.pk
    assert (again.started_at, again.finished_at, again.file.name) == (
        first.started_at,
        first.finished_at,
        first.file.name,
    )
    assert AuditEntry.objects.filter(action="reporting.pdf.rendering", object_id=str(first.pk)).count() == 1
    assert ReportPdf.objects.count() == 1


def test_asking_twice_before_the_worker_starts_queues_one_render(
    accepted_v1, annual_2024, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = report_pdf.ensure_pdf(report=annual_2024, version=accepted_v1, requested_by=focal_point)
        second = report_pdf.ensure_pdf(report=annual_2024, version=accepted_v1, requested_by=focal_point)
    assert first.pk == second.pk and second.status == RenderStatus.QUEUED
    assert len(callbacks) == 1
    entry = AuditEntry.objects.get(action="reporting.pdf.queued", object_id=str(first.pk))
    assert entry.actor == focal_point and entry.changes["status"] == ["", "queued"]
    assert entry.context == {"report": annual_2024.pk, "version": 1, "language": "en"}


def test_a_duplicate_task_delivery_renders_nothing_twice(accepted_v1, annual_2024, django_capture_on_commit_callbacks):
    from reporting.tasks import render_report_pdf

    pdf = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, version=accepted_v1)
    assert render_report_pdf.delay(pdf.pk).get() == RenderStatus.READY
    again = ReportPdf.objects.get(pk=pdf.pk)
    assert again.started_at == pdf.started_at and again.finished_at == pdf.finished_at


def test_a_changed_draft_is_rendered_again_under_the_same_name(
    annual_2024, focal_point, media, django_capture_on_commit_callbacks
):
    save(annual_2024, content_2024(annual_2024), focal_point)
    first = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, requested_by=focal_point)
    assert "BLU-26 at least 1,234" in "\n".join(pages_text(first))
    content = content_2024(annual_2024)
    content["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = "999"
    annual_2024 = save(annual_2024, content, focal_point)
    assert not report_pdf.is_current(first, annual_2024)
    second = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, requested_by=focal_point)
    assert second.pk == first.pk
    assert second.fingerprint != first.fingerprint and second.started_at > first.started_at
    assert second.file.name == first.file.name == "reports/pdf/LAO-2024-draft.pdf"
    text = "\n".join(pages_text(second))
    assert "BLU-26 at least 999" in text and "1,234" not in text
    assert sorted(p.name for p in (media / "reports" / "pdf").iterdir()) == ["LAO-2024-draft.pdf"]


def test_the_fingerprint_follows_what_the_pdf_shows(accepted_v1, annual_2024, focal_point, monkeypatch):
    version_fp = report_pdf.fingerprint(annual_2024, accepted_v1)
    draft_fp = report_pdf.fingerprint(annual_2024)
    assert version_fp != draft_fp and len(version_fp) == 64
    assert report_pdf.fingerprint(annual_2024, accepted_v1) == version_fp  # stable
    accepted_v1.correction_note = "corrects Form B"
    assert report_pdf.fingerprint(annual_2024, accepted_v1) != version_fp
    accepted_v1.correction_note = ""
    monkeypatch.setattr(report_pdf, "LAYOUT_REVISION", report_pdf.LAYOUT_REVISION + 1)
    assert report_pdf.fingerprint(annual_2024, accepted_v1) != version_fp
    monkeypatch.undo()
    services.update_report_details(report=annual_2024, actor=focal_point, original_language="fr", sent_to_unoda_on=None)
    annual_2024.refresh_from_db()
    assert report_pdf.fingerprint(annual_2024, accepted_v1) != version_fp  # the cover page names the language


def test_a_draft_saved_while_rendering_is_not_marked_ready(
    annual_2024, focal_point, django_capture_on_commit_callbacks
):
    save(annual_2024, content_2024(annual_2024), focal_point)
    with django_capture_on_commit_callbacks():
        pdf = report_pdf.ensure_pdf(report=annual_2024, requested_by=focal_point)
    # The worker claims the row and lays out the pages; meanwhile the focal point saves the draft.
    _row, report, version, rendered_fp = report_pdf._claim(pdf.pk)
    assert ReportPdf.objects.get(pk=pdf.pk).status == RenderStatus.RENDERING
    result = report_pdf.html_to_pdf(report_pdf.build_source(report, version))
    content = content_2024(annual_2024)
    content["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = "777"
    save(annual_2024, content, focal_point)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_pdf._finish(pdf.pk, rendered_fp, result)
    assert len(callbacks) == 1  # rendered again, for the content as saved
    pdf.refresh_from_db()
    assert pdf.status == RenderStatus.READY and pdf.fingerprint != rendered_fp
    assert "BLU-26 at least 777" in "\n".join(pages_text(pdf))
    assert AuditEntry.objects.filter(
        action="reporting.pdf.queued", object_id=str(pdf.pk), context__reason="content changed while rendering"
    ).exists()


def test_a_failed_render_says_so_and_logs_the_error(
    annual_2024, focal_point, client_for, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(report, version=None):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(report_pdf, "build_source", broken)
    save(annual_2024, content_2024(annual_2024), focal_point)
    with caplog.at_level(logging.ERROR, logger="reporting.pdf"):
        pdf = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, requested_by=focal_point)
    assert pdf.status == RenderStatus.FAILED and not pdf.file and pdf.finished_at
    assert "The PDF could not be made" in pdf.error and "exploded" not in pdf.error
    assert any(r.exc_info and "template exploded" in str(r.exc_info[1]) for r in caplog.records)
    client = client_for(focal_point)
    status_url = reverse("reporting:pdf_status", args=[pdf.pk])
    page = client.get(status_url).content.decode()
    assert "The PDF could not be made. Try again" in page and ">Try again</button>" in page
    data = client.get(status_url, {"format": "json"}).json()
    assert (
        data["status"] == "failed"
        and data["error"].startswith("The PDF could not be made")
        and not data["download_url"]
    )
    # A download of a failed PDF does not queue it again; the "try again" button does.
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.get(reverse("reporting:pdf_download", args=[pdf.pk]))["Location"] == status_url
    assert callbacks == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:pdf_start", args=[annual_2024.pk]), {"version": ""})
    assert response["Location"] == status_url
    pdf.refresh_from_db()
    assert pdf.status == RenderStatus.READY and pdf.error == ""


def test_an_os_error_waits_for_a_retry_until_the_last_attempt(
    annual_2024, focal_point, monkeypatch, django_capture_on_commit_callbacks
):
    def full_disk(report, version=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_pdf, "build_source", full_disk)
    with django_capture_on_commit_callbacks():
        pdf = report_pdf.ensure_pdf(report=annual_2024, requested_by=focal_point)
    with pytest.raises(OSError):
        report_pdf.render(pdf.pk, final_attempt=False)
    pdf.refresh_from_db()
    assert pdf.status == RenderStatus.QUEUED and pdf.stage == documents.STAGE_RETRY and not pdf.error
    assert report_pdf.render(pdf.pk, final_attempt=True).status == RenderStatus.FAILED


def test_queue_version_pdf_renders_a_submitted_version(annual_2024, focal_point, django_capture_on_commit_callbacks):
    version = submit(annual_2024, focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        pdf = report_pdf.queue_version_pdf(version.pk)
    pdf.refresh_from_db()
    assert pdf.version == version and pdf.status == RenderStatus.READY and pdf.requested_by is None
    assert "Awaiting review" in pages_text(pdf)[0]


# --- Fonts ---------------------------------------------------------------------------------------
def _multilingual_draft(report, focal_point, *, extra=""):
    services.update_report_details(report=report, actor=focal_point, original_language="ar", sent_to_unoda_on=None)
    content = content_2024(report, A=f"{ARABIC}\nLaw No. 12 (2012) {ARABIC}{extra}", B=CHINESE)
    content["forms"]["A"]["tables"]["measures"][0]["title"] = RUSSIAN
    return save(report, content, focal_point)


def _missing_glyph_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "weasyprint" and ".notdef" in r.getMessage()]


def test_arabic_chinese_and_russian_render_with_real_glyphs(
    annual_2024, focal_point, caplog, django_capture_on_commit_callbacks
):
    report = _multilingual_draft(annual_2024, focal_point)
    html = report_pdf.build_source(report).html
    assert f'<div class="narrative user-text" lang="ar" dir="rtl">{ARABIC}' in html
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = make_pdf(django_capture_on_commit_callbacks, report=report, requested_by=focal_point)
    assert pdf.status == RenderStatus.READY
    # WeasyPrint logs every character drawn as .notdef (no installed font has it): none here.
    assert _missing_glyph_warnings(caplog) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    text = " ".join("\n".join(pages_text(pdf)).split())  # a table cell may wrap the Russian title
    assert ARABIC in text and CHINESE in text and RUSSIAN in text
    assert "Original language Arabic" in text
    fonts = font_names(pdf)
    # Subset fonts are named "ABCDEF+Family-Style": the Arabic and Chinese text is in those families.
    assert any(name.endswith("+Noto-Sans-Arabic") for name in fonts), fonts
    assert any(name.endswith("+WenQuanYi-Micro-Hei") for name in fonts), fonts


def test_the_glyph_check_catches_text_no_installed_font_covers(
    annual_2024, focal_point, caplog, django_capture_on_commit_callbacks
):
    """The control for the test above: an archaic kana that no installed font has is reported."""
    report = _multilingual_draft(annual_2024, focal_point, extra=" \U0001b000")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = make_pdf(django_capture_on_commit_callbacks, report=report)
    assert pdf.status == RenderStatus.READY
    assert any("U+1B000" in message for message in _missing_glyph_warnings(caplog))


@pytest.mark.parametrize(
    ("language", "label", "font"),
    [
        ("zh-hans", "原始语文", "+WenQuanYi-Micro-Hei"),  # "Original language"
        ("ru", "Язык оригинала", None),
        ("ar", None, "+Noto-Sans-Arabic"),  # Arabic text comes out of a PDF shaped: its font says it is there
    ],
)
def test_a_reader_gets_the_pdf_in_their_language_with_every_glyph(
    language, label, font, accepted_v1, annual_2024, focal_point, caplog, django_capture_on_commit_callbacks
):
    english = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, version=accepted_v1)
    with translation.override(language), caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, version=accepted_v1)
    # Its own row and file, beside the English one, which is unchanged.
    assert pdf.pk != english.pk and pdf.language == language and english.language == "en"
    assert pdf.file.name.endswith(f"-v1.{language}.pdf") and english.file.name.endswith("-v1.pdf")
    assert pdf.status == RenderStatus.READY and report_pdf.is_current(pdf, annual_2024, accepted_v1)
    assert _missing_glyph_warnings(caplog) == []
    text = " ".join("\n".join(pages_text(pdf)).split())
    assert "Original language" not in text and "Original language" in " ".join(pages_text(english))
    if label:
        assert label in text
    if font:
        assert any(name.endswith(font) for name in font_names(pdf)), font_names(pdf)
    # Laid out right to left for an Arabic reader, left to right otherwise.
    with translation.override(language):
        html = report_pdf.build_source(annual_2024, accepted_v1).html
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    # The download is named for its language.
    response = Client()
    response.force_login(focal_point)
    download = response.get(reverse("reporting:pdf_download", args=[pdf.pk]))
    assert download.status_code == 200 and f"-v1.{language}.pdf" in download["Content-Disposition"]


# --- The button ---------------------------------------------------------------------------------------
def test_the_pdf_button_posts_the_version_number(accepted_v1, annual_2024):
    request = RequestFactory().get("/")
    html = render_to_string(
        "reporting/pdf/_pdf_button.html", {"report": annual_2024, "version": accepted_v1}, request=request
    )
    assert f'action="/reporting/{annual_2024.pk}/pdf/"' in html and 'method="post"' in html
    assert 'name="version" value="1"' in html and "csrfmiddlewaretoken" in html
    assert "PDF of version 1" in html
    draft = render_to_string("reporting/pdf/_pdf_button.html", {"report": annual_2024}, request=request)
    assert 'name="version" value=""' in draft and "PDF of the draft, for sign-off" in draft


# --- Views: start -------------------------------------------------------------------------------------
def start_url(report):
    return reverse("reporting:pdf_start", args=[report.pk])


def test_owner_starts_a_draft_pdf_then_follows_it_to_the_download(
    annual_2024, focal_point, client_for, django_capture_on_commit_callbacks
):
    save(annual_2024, content_2024(annual_2024), focal_point)
    client = client_for(focal_point)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(start_url(annual_2024), {"version": ""})
    pdf = ReportPdf.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:pdf_status", args=[pdf.pk])
    assert pdf.status == RenderStatus.QUEUED and pdf.requested_by == focal_point and len(callbacks) == 1
    # Without JavaScript the page refreshes itself and has a reload link; the script polls the JSON twin.
    page = client.get(response["Location"]).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert '<progress id="pdf-progress" max="100" value="0">' in page and "Waiting for a free worker" in page
    assert "Reload the page" in page and "js/pdf-progress.js" in page
    assert client.get(response["Location"], {"format": "json"}).json() == {
        "status": "queued",
        "progress": 0,
        "stage": "Waiting for a free worker",
        "download_url": None,
        "error": "",
    }
    callbacks[0]()  # the worker runs
    data = client.get(response["Location"], {"format": "json"}).json()
    download = reverse("reporting:pdf_download", args=[pdf.pk])
    assert data == {"status": "ready", "progress": 100, "stage": "Ready", "download_url": download, "error": ""}
    page = client.get(response["Location"]).content.decode()
    assert "The PDF is ready" in page and f'href="{download}"' in page and "refresh" not in page
    pdf.refresh_from_db()
    assert f"{pdf.pages} pages" in page and "KB" in page
    # Asked again while it is ready: straight to the download.
    response = client.post(start_url(annual_2024), {"version": ""})
    assert response["Location"] == download
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="LAO-2024-draft.pdf"'
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)  # read to the end, which closes the file
    assert body.startswith(b"%PDF-") and len(body) == pdf.size


def test_version_pdf_for_readers_once_published(
    accepted_v1,
    annual_2024,
    focal_point,
    other_focal_point,
    coordinator,
    isu_staff,
    client_for,
    django_capture_on_commit_callbacks,
):
    url = start_url(annual_2024)
    for user in (None, other_focal_point, coordinator):  # accepted, not yet published
        assert client_for(user).post(url, {"version": "1"}).status_code == 404
    services.publish_report(report=annual_2024, actor=isu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(None).post(url, {"version": "1"})
    pdf = ReportPdf.objects.get()
    assert response["Location"] == reverse("reporting:pdf_status", args=[pdf.pk])
    assert pdf.requested_by is None
    for user in (None, other_focal_point, coordinator, focal_point, isu_staff):
        response = client_for(user).get(reverse("reporting:pdf_download", args=[pdf.pk]))
        assert response.status_code == 200, user
        assert response["Content-Disposition"] == 'attachment; filename="LAO-2024-v1.pdf"'
        assert "no-store" not in response["Cache-Control"]
        b"".join(response.streaming_content)
    # Readers never get the draft: they may see the report, not its working copy.
    assert client_for(coordinator).post(url, {"version": ""}).status_code == 403
    assert client_for(None).post(url, {"version": ""}).status_code == 403


def test_restricted_versions_are_for_states_parties_and_the_isu(
    annual_2024,
    focal_point,
    other_focal_point,
    coordinator,
    isu_staff,
    client_for,
    django_capture_on_commit_callbacks,
):
    submit(annual_2024, focal_point, visibility="restricted")
    accept(annual_2024, isu_staff)
    services.publish_report(report=annual_2024, actor=isu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(other_focal_point).post(start_url(annual_2024), {"version": "1"})
    assert response.status_code == 302
    pdf = ReportPdf.objects.get()
    assert "Restricted to States Parties and the ISU" in " ".join(pages_text(pdf)[0].split())
    for user in (None, coordinator):
        client = client_for(user)
        assert client.post(start_url(annual_2024), {"version": "1"}).status_code == 404
        assert client.get(reverse("reporting:pdf_status", args=[pdf.pk])).status_code == 404
        assert client.get(reverse("reporting:pdf_download", args=[pdf.pk])).status_code == 404
    response = client_for(other_focal_point).get(reverse("reporting:pdf_download", args=[pdf.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    b"".join(response.streaming_content)


def test_a_version_awaiting_review_is_the_states_and_the_isus(
    annual_2024,
    focal_point,
    other_focal_point,
    coordinator,
    isu_staff,
    client_for,
    django_capture_on_commit_callbacks,
):
    submit(annual_2024, focal_point)
    for user, expected in ((focal_point, 302), (isu_staff, 302), (other_focal_point, 404), (coordinator, 404)):
        with django_capture_on_commit_callbacks(execute=True):
            assert client_for(user).post(start_url(annual_2024), {"version": "1"}).status_code == expected, user
    assert client_for(focal_point).post(start_url(annual_2024), {"version": "7"}).status_code == 404


def test_draft_pdf_is_for_the_states_focal_points_and_the_isu(
    annual_2024,
    focal_point,
    other_focal_point,
    coordinator,
    donor,
    isu_staff,
    client_for,
    django_capture_on_commit_callbacks,
):
    url = start_url(annual_2024)
    for user in (None, other_focal_point, coordinator, donor):
        assert client_for(user).post(url, {"version": ""}).status_code == 404, user  # the draft is unknown to them
    assert ReportPdf.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(isu_staff).post(url, {"version": ""}).status_code == 302
    pdf = ReportPdf.objects.get()
    for user in (other_focal_point, coordinator, None):
        client = client_for(user)
        assert client.get(reverse("reporting:pdf_status", args=[pdf.pk])).status_code == 404
        assert client.get(reverse("reporting:pdf_status", args=[pdf.pk]), {"format": "json"}).status_code == 404
        assert client.get(reverse("reporting:pdf_download", args=[pdf.pk])).status_code == 404
    for user in (focal_point, isu_staff):
        assert client_for(user).get(reverse("reporting:pdf_status", args=[pdf.pk])).status_code == 200


def test_pdf_views_accept_only_their_methods_and_known_pdfs(annual_2024, focal_point, client_for):
    client = client_for(focal_point)
    assert client.get(start_url(annual_2024)).status_code == 405
    assert client.get(reverse("reporting:pdf_status", args=[999999])).status_code == 404
    assert client.get(reverse("reporting:pdf_download", args=[999999])).status_code == 404
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(focal_point)
    assert csrf_client.post(start_url(annual_2024), {"version": ""}).status_code == 403
    assert ReportPdf.objects.count() == 0


def test_a_garbled_version_number_is_explained_and_nothing_is_written(annual_2024, focal_point, client_for):
    client = client_for(focal_point)
    response = client.post(start_url(annual_2024), {"version": "v1; drop"}, follow=True)
    assert response.redirect_chain[0][0] == annual_2024.get_absolute_url()
    assert "“v1; drop” is not a version number." in response.content.decode().replace("&ldquo;", "“").replace(
        "&rdquo;", "”"
    )
    assert client.post(start_url(annual_2024), {"version": "9" * 30}).status_code == 302  # too long for a number
    assert ReportPdf.objects.count() == 0 and not AuditEntry.objects.filter(action__startswith="reporting.pdf").exists()


def test_an_outdated_download_is_made_again_and_shows_its_progress(
    annual_2024, focal_point, client_for, django_capture_on_commit_callbacks
):
    save(annual_2024, content_2024(annual_2024), focal_point)
    pdf = make_pdf(django_capture_on_commit_callbacks, report=annual_2024, requested_by=focal_point)
    content = content_2024(annual_2024)
    content["cover"]["contact_name"] = "Another Focal Point"
    save(annual_2024, content, focal_point)
    client = client_for(focal_point)
    status_url = reverse("reporting:pdf_status", args=[pdf.pk])
    assert client.get(status_url, {"format": "json"}).json()["download_url"] is None
    assert "The report changed since this PDF was made" in client.get(status_url).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(reverse("reporting:pdf_download", args=[pdf.pk]))
    assert response.status_code == 302 and response["Location"] == status_url and len(callbacks) == 1
    old_fingerprint = pdf.fingerprint
    pdf.refresh_from_db()
    assert pdf.status == RenderStatus.QUEUED and pdf.fingerprint != old_fingerprint
    callbacks[0]()
    pdf.refresh_from_db()
    assert "Another Focal Point" in pages_text(pdf)[0]


# --- Query counts ----------------------------------------------------------------------------------
def _big_draft_pdf(report, focal_point, rows, capture):
    from tests.reporting.builders import full_content

    content = full_content(report.format_version.spec, rows=rows)
    save(report, content, focal_point)
    return make_pdf(capture, report=report, requested_by=focal_point)


@pytest.mark.parametrize("rows", [1, 300])
def test_status_and_download_run_a_fixed_number_of_queries(
    rows, annual_2024, focal_point, client_for, django_assert_num_queries, django_capture_on_commit_callbacks
):
    pdf = _big_draft_pdf(annual_2024, focal_point, rows, django_capture_on_commit_callbacks)
    assert pdf.status == RenderStatus.READY
    client = client_for(focal_point)
    with django_assert_num_queries(PDF_VIEW_QUERIES):
        data = json.loads(client.get(reverse("reporting:pdf_status", args=[pdf.pk]), {"format": "json"}).content)
    assert data["status"] == "ready"
    with django_assert_num_queries(PDF_VIEW_QUERIES):
        response = client.get(reverse("reporting:pdf_download", args=[pdf.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
