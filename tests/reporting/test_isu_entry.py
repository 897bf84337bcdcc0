"""Reports the ISU enters on a State's behalf from a paper or PDF original (``reporting.entry``): the original
checked from its content and bounded before anything is written, the real submission date and source recorded,
the version marked as entered by the ISU everywhere it is shown (pages, JSON, CSV, export, PDF), the State's focal
point confirming it or reporting a problem, who may read the original, and the timeliness the date gives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEntry
from reporting import entry as entries
from reporting import pdf as report_pdf
from reporting import services
from reporting.models import Report, ReportEntry, ReportKind, ReportStatus, ReviewComment, VersionOutcome
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

SUBMITTED_ON = dt.date(2011, 1, 25)  # Lao PDR's initial report, due 28 January 2011
SOURCE = "note verbale to UNODA, 25 January 2011"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def original(content: bytes = PDF_BYTES, name: str = "lao-initial.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 10)
    return buffer.getvalue()


def open_initial(isu, lao, **overrides):
    arguments = {
        "state": lao,
        "kind": ReportKind.INITIAL,
        "period_year": None,
        "original": original(),
        "submitted_on": SUBMITTED_ON,
        "source": SOURCE,
        "language": "fr",
        "actor": isu,
    }
    arguments.update(overrides)
    return entries.open_entry(**arguments)


def type_in(entry, isu):
    report = Report.objects.get(pk=entry.report_id)
    content = fill_minimal(report)
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=isu)


@pytest.fixture
def lao_entry(isu_staff, lao):
    entry = open_initial(isu_staff, lao)
    type_in(entry, isu_staff)
    return entry


@pytest.fixture
def recorded(lao_entry, isu_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return entries.record_entry(entry=lao_entry, actor=isu_staff, visibility="public")


def published(version, isu):
    report = version.report
    services.start_review(report=report, actor=isu)
    services.accept_report(report=report, actor=isu)
    services.publish_report(report=report, actor=isu)
    version.refresh_from_db()
    return version


# --- Opening an entry: everything checked before anything is written -------------------------------------
def test_an_entry_opens_a_report_with_the_original_date_source_and_language(isu_staff, lao):
    entry = open_initial(isu_staff, lao)
    report = entry.report
    assert (report.state, report.kind, report.status, report.original_language) == (lao, "initial", "draft", "fr")
    assert entry.submitted_on == SUBMITTED_ON and entry.source == SOURCE and entry.is_open
    assert entry.original_file.name.startswith("reports/originals/LAO/") and entry.original_file.name.endswith(".pdf")
    assert "lao-initial" not in entry.original_file.name  # no user-supplied text in the stored name
    with entry.original_file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    opened = AuditEntry.objects.for_object(report).get(action="reporting.entry.opened")
    assert opened.actor == isu_staff
    assert opened.changes == {"submitted_on": [None, "2011-01-25"], "original_source": [None, SOURCE]}
    assert AuditEntry.objects.for_object(report).filter(action="reporting.report.started").count() == 1


@pytest.mark.parametrize(
    ("submitted_on", "message"),
    [
        (dt.date.today() + dt.timedelta(days=1), "cannot be in the future"),
        (dt.date(2008, 12, 2), "opened for signature on 3 December 2008"),
    ],
)
def test_a_submission_date_in_the_future_or_before_the_convention_is_refused(isu_staff, lao, submitted_on, message):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        open_initial(isu_staff, lao, submitted_on=submitted_on)
    assert message in " ".join(error.value.messages)
    assert not Report.objects.filter(state=lao).exists() and AuditEntry.objects.count() == audit_before


def test_a_date_years_before_the_portal_is_accepted(isu_staff, lao):
    assert open_initial(isu_staff, lao, submitted_on=dt.date(2010, 12, 1)).submitted_on == dt.date(2010, 12, 1)


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"Just some text, named as a PDF", "report.pdf", "type"),
        (b"MZ\x90\x00 an executable", "report.png", "type"),
        (docx(macros=True), "report.docx", "macros"),
        (b"PK\x03\x04 not really a zip", "report.docx", "broken"),
        (b"", "report.pdf", "empty"),
    ],
)
def test_an_original_whose_content_is_not_accepted_is_refused_before_anything_is_written(
    isu_staff, lao, media, content, name, code
):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        open_initial(isu_staff, lao, original=original(content, name))
    assert error.value.code == code
    assert not Report.objects.exists() and not ReportEntry.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert not media.exists() or not any(media.rglob("*.*"))


@pytest.mark.parametrize(
    ("content", "extension"),
    [(PDF_BYTES, "pdf"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"), (b"\xff\xd8\xff\xe0 jpeg", "jpg")],
)
def test_the_type_is_read_from_the_content_not_the_name(isu_staff, lao, content, extension):
    entry = open_initial(isu_staff, lao, original=original(content, "scan.docx"))
    assert entry.original_file.name.endswith(f".{extension}")


def test_a_word_document_is_accepted(isu_staff, lao):
    assert open_initial(isu_staff, lao, original=original(docx(), "report.pdf")).original_file.name.endswith(".docx")


class Unread:
    """An upload announcing its size, which must be refused from that alone: reading it fails the test."""

    name = "big.pdf"
    size = 1024 * 1024 + 1

    def read(self, *args):
        pytest.fail("an oversized original must not be read")

    def seek(self, *args):
        pytest.fail("an oversized original must not be read")


def test_an_original_over_the_limit_is_refused_from_its_size_alone(isu_staff, lao, settings):
    settings.CCM_ORIGINAL_MAX_MB = 1
    with pytest.raises(ValidationError) as error:
        open_initial(isu_staff, lao, original=Unread())
    assert error.value.code == "size" and "the limit is 1 MB" in error.value.messages[0]
    assert not Report.objects.exists()


def test_a_period_already_submitted_by_the_state_is_refused_with_a_clear_message(
    isu_staff, lao, initial_report, focal_point
):
    report = services.save_draft(
        report=initial_report, content=fill_minimal(initial_report), base_revision=0, actor=focal_point
    )
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    entries_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        open_initial(isu_staff, lao)
    message = " ".join(error.value.messages)
    assert "already submitted the initial report (version 1, submitted on" in message
    assert AuditEntry.objects.count() == entries_before and not ReportEntry.objects.exists()


def test_a_second_entry_for_the_same_period_is_refused(isu_staff, lao):
    open_initial(isu_staff, lao)
    with pytest.raises(ValidationError, match="already entering the initial report"):
        open_initial(isu_staff, lao)


def test_the_states_own_draft_is_used_and_the_focal_point_then_waits(isu_staff, lao, initial_report, focal_point):
    entry = open_initial(isu_staff, lao)
    assert entry.report_id == initial_report.pk
    with pytest.raises(PermissionDenied):
        services.save_draft(report=initial_report, content=initial_report.draft, base_revision=0, actor=focal_point)
    with pytest.raises(ValidationError, match="The ISU is entering this report"):
        services.submit_report(report=initial_report, actor=focal_point)


def test_a_year_the_state_does_not_owe_is_refused(isu_staff, lao):
    with pytest.raises(ValidationError, match="no annual update to make for 2009"):
        open_initial(isu_staff, lao, kind=ReportKind.ANNUAL, period_year=2009)


def test_only_the_isu_with_its_second_factor_opens_an_entry(focal_point, isu_staff_without_2fa, lao):
    for actor in (focal_point, isu_staff_without_2fa):
        with pytest.raises(PermissionDenied):
            open_initial(actor, lao)


# --- Recording it ---------------------------------------------------------------------------------------------
def test_recording_makes_a_version_submitted_on_the_originals_date(
    lao_entry, isu_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = entries.record_entry(entry=lao_entry, actor=isu_staff, visibility="restricted")
    assert len(callbacks) == 2  # the version's PDF, and the State's focal points asked to confirm
    assert version.submitted_on == SUBMITTED_ON and version.submitted_at.date() == timezone.now().date()
    assert version.entered_by_isu and version.original_source == SOURCE and version.submitted_by == isu_staff
    assert version.original_file.name == lao_entry.original_file.name
    assert version.confirmed_by_state_at is None and version.outcome == VersionOutcome.PENDING
    report = version.report
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.visibility == "restricted"
    lao_entry.refresh_from_db()
    assert lao_entry.version == version and not lao_entry.is_open
    recorded = AuditEntry.objects.for_object(report).get(action="reporting.report.entered_by_isu")
    assert recorded.actor == isu_staff and recorded.changes == {"status": ["draft", "submitted"]}
    assert recorded.context["submitted_on"] == "2011-01-25" and recorded.context["original_source"] == SOURCE
    with pytest.raises(ValidationError, match="already been recorded"):
        entries.record_entry(entry=lao_entry, actor=isu_staff, visibility="public")


def test_recording_an_incomplete_report_is_refused(isu_staff, lao):
    entry = open_initial(isu_staff, lao)
    with pytest.raises(ValidationError, match="not complete"):
        entries.record_entry(entry=entry, actor=isu_staff, visibility="public")
    assert not entry.report.versions.exists()


def test_the_isu_may_accept_it_at_once(lao_entry, isu_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        version = entries.record_entry(entry=lao_entry, actor=isu_staff, visibility="public", accept=True)
    assert version.outcome == VersionOutcome.ACCEPTED and version.report.status == ReportStatus.ACCEPTED


def test_the_state_cannot_recall_what_the_isu_entered(recorded, focal_point):
    with pytest.raises(ValidationError, match="cannot be recalled"):
        services.recall_submission(report=recorded.report, actor=focal_point)


# --- The State's word ----------------------------------------------------------------------------------------
def test_the_focal_point_confirms_once_and_it_is_audited(recorded, focal_point):
    version = entries.confirm_entry(version=recorded, actor=focal_point)
    assert version.confirmed_by == focal_point and version.confirmed_by_state_at is not None
    entries.confirm_entry(version=recorded, actor=focal_point)
    audit = AuditEntry.objects.for_object(recorded.report).filter(action="reporting.version.confirmed_by_state")
    assert audit.count() == 1 and audit.get().actor == focal_point


def test_another_states_focal_point_and_the_isu_cannot_confirm(recorded, other_focal_point, isu_staff):
    for actor in (other_focal_point, isu_staff):
        with pytest.raises(PermissionDenied):
            entries.confirm_entry(version=recorded, actor=actor)


def test_a_problem_reaches_the_isu_as_a_review_comment(recorded, focal_point, client_for, isu_staff):
    comment = entries.report_problem(version=recorded, actor=focal_point, body="Form B: 1,234 not 1,243.")
    assert (comment.author, comment.version, comment.parent) == (focal_point, recorded, None)
    assert AuditEntry.objects.for_object(recorded.report).filter(action="reporting.version.problem_reported").exists()
    page = client_for(isu_staff).get(reverse("reporting:review_detail", args=[recorded.report_id]))
    assert "Form B: 1,234 not 1,243." in page.content.decode()


# --- The pages -------------------------------------------------------------------------------------------------
def test_the_isu_enters_a_report_through_the_pages(client_for, isu_staff, lao, django_capture_on_commit_callbacks):
    client = client_for(isu_staff)
    assert (
        "Enter a report received outside the portal" in client.get(reverse("reporting:review_queue")).content.decode()
    )
    response = client.post(
        reverse("reporting:entry_start"),
        {
            "state": lao.pk,
            "kind": "initial",
            "original": original(),
            "submitted_on": "2011-01-25",
            "source": SOURCE,
            "language": "en",
        },
    )
    entry = ReportEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:entry_detail", args=[entry.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Record it as submitted on 25 January 2011" in page
    assert "counts as on time" in page
    # The ISU types the content in the normal editor, which the State's focal point cannot open meanwhile.
    cover = client.get(reverse("reporting:report_cover", args=[entry.report_id]))
    assert "Entered by the ISU on the State's behalf from the State's original" in cover.content.decode()
    type_in(entry, isu_staff)
    download = client.get(reverse("reporting:entry_original", args=[entry.pk]))
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF_BYTES
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reporting:entry_record", args=[entry.pk]), {"visibility": "public"})
    assert response["Location"] == reverse("reporting:review_detail", args=[entry.report_id])
    version = entry.report.versions.get()
    assert version.submitted_on == SUBMITTED_ON and version.entered_by_isu


def test_the_start_page_refuses_a_wrong_file_with_the_reason(client_for, isu_staff, lao):
    response = client_for(isu_staff).post(
        reverse("reporting:entry_start"),
        {
            "state": lao.pk,
            "kind": "initial",
            "original": original(b"not a pdf at all"),
            "submitted_on": "2011-01-25",
            "source": SOURCE,
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert "must be a PDF, a PNG or JPEG image" in response.content.decode()
    assert not Report.objects.exists()


def test_entry_uploads_are_rate_limited(client_for, isu_staff, lao, settings):
    settings.CCM_RATE_LIMITS = {**settings.CCM_RATE_LIMITS, "original_upload_user": "1/h/user"}
    client = client_for(isu_staff)
    data = {"state": lao.pk, "kind": "initial", "submitted_on": "2011-01-25", "source": SOURCE, "language": "en"}
    assert client.post(reverse("reporting:entry_start"), {**data, "original": original()}).status_code == 302
    refused = client.post(reverse("reporting:entry_start"), {**data, "original": original()})
    assert refused.status_code == 429 and ReportEntry.objects.count() == 1


def test_the_focal_point_sees_please_confirm_and_confirms(recorded, focal_point, client_for):
    client = client_for(focal_point)
    listing = client.get(reverse("reporting:my_reports")).content.decode()
    assert "Entered by the ISU from the original submitted on 25 January 2011 — please confirm" in listing
    page = client.get(recorded.report.get_absolute_url()).content.decode()
    assert "Entered by the ISU from the original submitted on 25 January 2011 — please confirm" in page
    assert reverse("reporting:version_original", args=[recorded.report_id, 1]) in page
    assert "Recall the submission" not in page
    response = client.post(reverse("reporting:version_confirm", args=[recorded.report_id, 1]))
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.confirmed_by == focal_point
    page = client.get(reverse("reporting:version_detail", args=[recorded.report_id, 1])).content.decode()
    assert "Entered by the ISU from a paper/PDF original; submitted on 25 January 2011." in page
    assert f"Source: {SOURCE}." in page and "Confirmed by the State on" in page
    assert "please confirm" not in client.get(reverse("reporting:my_reports")).content.decode()


def test_the_focal_point_reports_a_problem_from_the_report_page(recorded, focal_point, client_for):
    response = client_for(focal_point).post(
        reverse("reporting:version_problem", args=[recorded.report_id, 1]), {"body": "Form A is missing a law."}
    )
    assert response.status_code == 302
    assert ReviewComment.objects.get().body == "Form A is missing a law."


def test_while_the_isu_enters_it_the_state_sees_it_read_only(lao_entry, focal_point, client_for):
    client = client_for(focal_point)
    page = client.get(lao_entry.report.get_absolute_url()).content.decode()
    assert "The ISU is entering this report from the original the State submitted on 25 January 2011" in page
    assert "Submit to the ISU" not in page
    assert client.get(reverse("reporting:report_cover", args=[lao_entry.report_id])).status_code == 403
    assert "The ISU is entering it from your original" in client.get(reverse("reporting:my_reports")).content.decode()


# --- Who reads the original ------------------------------------------------------------------------------------
def original_status(client, version):
    response = client.get(reverse("reporting:version_original", args=[version.report_id, version.number]))
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def test_before_publication_the_original_is_the_states_and_the_isus(
    recorded, focal_point, other_focal_point, isu_staff, client_for
):
    assert original_status(client_for(focal_point), recorded) == 200
    assert original_status(client_for(isu_staff), recorded) == 200
    assert original_status(client_for(other_focal_point), recorded) == 404
    assert original_status(client_for(None), recorded) == 404


def test_a_published_public_report_shows_its_original_to_everyone(recorded, isu_staff, client_for):
    published(recorded, isu_staff)
    assert original_status(client_for(None), recorded) == 200


def test_the_original_of_a_restricted_report_stays_restricted(
    lao_entry, isu_staff, other_focal_point, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        version = entries.record_entry(entry=lao_entry, actor=isu_staff, visibility="restricted")
    published(version, isu_staff)
    assert original_status(client_for(None), version) == 404
    assert original_status(client_for(other_focal_point), version) == 200  # States Parties read restricted reports


# --- Everywhere a version is shown ------------------------------------------------------------------------------
def test_archive_page_json_csv_and_export_say_it_was_entered_by_the_isu(recorded, isu_staff, client_for):
    published(recorded, isu_staff)
    client = client_for(None)
    page = client.get(reverse("reporting:archive_version", args=["LAO", "initial", 1])).content.decode()
    assert "Entered by the ISU from a paper/PDF original; submitted on 25 January 2011." in page
    assert "Not yet confirmed by the State." in page and "(submitted 2011-01-25)" in page
    document = json.loads(client.get(reverse("reporting:archive_version_json", args=["LAO", "initial", 1])).content)
    assert document["version"]["submitted_on"] == "2011-01-25"
    assert document["version"]["entered_by_isu"] == {
        "statement": f"Entered by the ISU from a paper/PDF original; submitted on 2011-01-25; source: {SOURCE}; "
        "not yet confirmed by the State",
        "original_submitted_on": "2011-01-25",
        "original_source": SOURCE,
        "confirmed_by_state_on": None,
    }
    response = client.get(reverse("reporting:archive_version_csv", args=["LAO", "initial", 1]))
    rows = {
        r["column"]: r["value"]
        for r in csv.DictReader(io.StringIO(response.content.decode()))
        if r["form"] == "version"
    }
    assert rows == {
        "submitted_on": "2011-01-25",
        "entered_by_isu": "true",
        "original_source": SOURCE,
        "confirmed_by_state_on": "",
    }
    listing = json.loads(client.get(reverse("reporting:archive"), {"format": "json", "state": "LAO"}).content)
    row = next(r for r in listing["reports"] if r["period"] == "initial")
    assert row["submitted_on"] == "2011-01-25" and row["entered_by_isu"]["original_source"] == SOURCE


def test_a_portal_submission_says_it_was_not_entered_by_the_isu(initial_report, focal_point, isu_staff, client_for):
    report = services.save_draft(
        report=initial_report, content=fill_minimal(initial_report), base_revision=0, actor=focal_point
    )
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    version = services.submit_report(report=report, actor=focal_point)
    published(version, isu_staff)
    document = json.loads(
        client_for(None).get(reverse("reporting:archive_version_json", args=["LAO", "initial", 1])).content
    )
    assert document["version"]["entered_by_isu"] is None
    assert document["version"]["submitted_on"] == timezone.localdate().isoformat()


def test_the_pdf_says_it_was_entered_by_the_isu(recorded, focal_point, django_capture_on_commit_callbacks):
    entries.confirm_entry(version=recorded, actor=focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        pdf = report_pdf.ensure_pdf(report=recorded.report, version=recorded, requested_by=None)
    pdf.refresh_from_db()
    with pdf.file.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(handle).pages).split())
    assert "Entered by the ISU on the State's behalf from a paper/PDF original." in text
    assert "Submitted 25 January 2011" in text
    assert f"Source: {SOURCE}." in text
    today = timezone.localdate()
    assert f"Confirmed by the State on {today.day} {today.strftime('%B %Y')}." in text


def test_confirming_changes_what_the_pdf_shows(recorded, focal_point):
    before = report_pdf.fingerprint(recorded.report, recorded)
    version = entries.confirm_entry(version=recorded, actor=focal_point)
    assert report_pdf.fingerprint(version.report, version) != before


# --- Timeliness: the original's date counts ---------------------------------------------------------------------
def test_lao_initial_report_entered_today_counts_as_on_time_in_2011(recorded, client_for):
    """Lao PDR's initial report was due on 28 January 2011 and submitted on 25 January 2011; entered today, it
    counts as on time as of 1 June 2011, on the dashboard and on the State's calendar."""
    from deadlines import calendar
    from progress import reporting_rates

    outcome = reporting_rates.initial_outcome(reporting_rates.load(dt.date(2011, 6, 1)))
    assert outcome.by_state["LAO"] == reporting_rates.Timeliness.ON_TIME
    dashboard = json.loads(client_for(None).get("/progress/", {"as_of": "2011-06-01", "format": "json"}).content)
    figures = {f["key"]: f for f in dashboard["figures"]}
    assert "LAO" in figures["initial-reports-on-time"]["states"]
    assert "LAO" not in figures["initial-reports-late"]["states"]
    lao = recorded.report.state
    data = calendar.load([lao], as_of=dt.date(2011, 6, 1))
    deadlines = calendar.state_deadlines(lao, data, start=dt.date(2011, 1, 1), end=dt.date(2011, 12, 31))
    initial = next(d for d in deadlines if d.key == "LAO:initial_report")
    assert initial.met and initial.met_on == SUBMITTED_ON and initial.date == dt.date(2011, 1, 28)


def test_the_states_focal_points_are_asked_by_email_to_confirm(recorded, focal_point, mailoutbox):
    from reporting import notifications

    assert notifications.review_outcome(report_id=recorded.report_id, event="entered") == 1
    assert notifications.review_outcome(report_id=recorded.report_id, event="entered") == 0  # never twice
    (message,) = mailoutbox
    assert message.to == [focal_point.email]
    assert "entered your Article 7 report (Initial report) from your original: please confirm" in message.subject
    assert "from the original submitted on 25 January 2011 (note verbale to UNODA, 25 January 2011)" in message.body


# Session, user, the open entries with their reports, States and openers, the States for the form's list.
START_PAGE_QUERIES = 4


@pytest.mark.parametrize("years", [[2012], [2012, 2013, 2014, 2015, 2016]])
def test_the_list_of_entries_in_progress_runs_a_fixed_number_of_queries(
    client_for, isu_staff, lao, years, django_assert_num_queries
):
    for year in years:
        open_initial(isu_staff, lao, kind=ReportKind.ANNUAL, period_year=year)
    client = client_for(isu_staff)
    with django_assert_num_queries(START_PAGE_QUERIES):
        page = client.get(reverse("reporting:entry_start")).content.decode()
    assert page.count("/isu/reports/entries/") == len(years)


def test_isu_staff_correct_an_open_entry_in_the_admin_and_the_change_is_audited(client_for, isu_staff, lao_entry):
    from audit.models import AuditEntry

    client = client_for(isu_staff)
    url = f"/admin/reporting/reportentry/{lao_entry.pk}/change/"
    assert "LAO" in client.get("/admin/reporting/reportentry/").content.decode()
    response = client.post(url, {"submitted_on": "2011-01-25", "source": "Note verbale to UNODA, 25 January 2011"})
    assert response.status_code == 302
    lao_entry.refresh_from_db()
    assert lao_entry.source == "Note verbale to UNODA, 25 January 2011"
    entry = AuditEntry.objects.filter(action__startswith="reporting.entry", actor=isu_staff).latest("pk")
    assert "source" in str(entry.changes)


def test_a_recorded_entry_is_read_only_in_the_admin(client_for, isu_staff, recorded, lao_entry):
    client = client_for(isu_staff)
    url = f"/admin/reporting/reportentry/{lao_entry.pk}/change/"
    before = (lao_entry.submitted_on, lao_entry.source)
    client.post(url, {"submitted_on": "2012-01-01", "source": "changed"})
    lao_entry.refresh_from_db()
    assert (lao_entry.submitted_on, lao_entry.source) == before
    assert client_for(isu_staff).get("/admin/reporting/reportentry/add/").status_code == 403
