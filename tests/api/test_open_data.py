"""The bulk open data (``/api/v1/open-data/``): a Frictionless data package of CSV files that validates against
the standard, holds what the public reads and nothing else, is rebuilt when published data changes, and answers
as a researcher's client expects (503 before the first build, ETag, 304)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal
from urllib.parse import urlsplit

import frictionless
import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils.http import http_date

from accounts.models import ThematicArea, User
from api.models import OpenDataRelease
from api.routers.open_data import DataPackage
from api.tasks import QUEUED, refresh, refresh_open_data, request_refresh
from assistance.models import AssistanceRequest
from ccm_portal.core import clock, data_version
from parties.models import ExtensionRequest, Meeting, MeetingKind, Obligation, State
from progress import selectors as progress
from progress.models import Audience
from reporting import services
from reporting.formats import Choice
from reporting.models import FormatVersion, Report, ReportKind, ReportStatus, ReportVersion, VersionOutcome
from tests.helpers import wait_for
from tests.reporting.test_archive import accepted, published, submitted

pytestmark = pytest.mark.django_db

PACKAGE_URL = reverse("api-v1:datapackage")
NAMES = [
    "states",
    "obligations",
    "extensions",
    "report_versions",
    "report_values",
    "progress_by_year",
    "assistance_requests",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CCM_OPEN_DATA_DELAY = 60
    return settings.MEDIA_ROOT


# --- Reading the package as a client does ---------------------------------------------------------------
def get_package(client) -> dict:
    response = client.get(PACKAGE_URL)
    assert response.status_code == 200, response.content
    return response.json()


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def file_bytes(client, url: str) -> bytes:
    response = client.get(local(url))
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def files(client) -> dict[str, bytes]:
    return {r["name"]: file_bytes(client, r["path"]) for r in get_package(client)["resources"]}


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def build() -> OpenDataRelease:
    release = refresh()
    assert release is not None
    return release


def changed(django_capture_on_commit_callbacks, work):
    """Run ``work`` and its commit callbacks (the public data's version moves as it would on a commit)."""
    start = len(connection.run_on_commit)
    with django_capture_on_commit_callbacks(execute=True):
        result = work()
    # A real commit empties the list; the capture leaves what it ran there (the next change would find its bump).
    del connection.run_on_commit[start:]
    return result


# --- Reports built through the services ------------------------------------------------------------------
def with_marker(marker: str, *, narrative: str | None = None):
    """A Form A measure titled ``marker`` (and the Form A summary ``narrative``)."""

    def tweak(content):
        content["forms"]["A"]["tables"]["measures"][0]["title"] = marker
        if narrative is not None:
            content["forms"]["A"]["narratives"]["summary"] = narrative

    return tweak


@pytest.fixture
def scenario(focal_point, other_focal_point, isu_staff):
    """LAO: its initial report published and public (a Form A measure "Law No. 12 of Laos", a narrative that
    looks like a formula, its contact's name, e-mail and telephone published on the page); 2019 accepted, not
    published; 2020 submitted; 2021 a draft. AUS: 2020 published, restricted to States Parties. A public
    assistance request of LAO whose title looks like a formula, and a restricted one."""

    def contact(content):
        with_marker("Law No. 12 of Laos", narrative="@SUM(A1:A9) is how we count")(content)
        content["cover"].update(
            contact_name=focal_point.full_name, publish_contact_details="yes", contact_phone="+856 21 000 000"
        )

    published(focal_point, isu_staff, kind=ReportKind.INITIAL, tweak=contact)
    accepted(submitted(focal_point, year=2019, tweak=with_marker("UNPUBLISHED-MARKER")), isu_staff)
    submitted(focal_point, year=2020, tweak=with_marker("SUBMITTED-MARKER"))
    draft = services.start_report(state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2021, actor=focal_point)
    content = draft.draft
    content["forms"]["A"]["narratives"] = {"summary": "DRAFT-MARKER"}
    services.save_draft(report=draft, content=content, base_revision=draft.revision, actor=focal_point)
    published(other_focal_point, isu_staff, year=2020, visibility="restricted", tweak=with_marker("RESTRICTED-MARKER"))
    area = ThematicArea.objects.get(code="clearance-rre")
    common = {
        "state": focal_point.state,
        "area": area,
        "kind": "financial",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2027, 12, 31),
        "created_by": focal_point,
    }
    AssistanceRequest.objects.create(
        title='=HYPERLINK("http://evil.example","Survey")',
        description="-1 survey team for Xieng Khouang",
        amount=Decimal("125000.50"),
        currency="USD",
        is_public=True,
        **common,
    )
    AssistanceRequest.objects.create(
        title="PRIVATE-REQUEST-MARKER", description="Restricted.", amount=Decimal("9"), currency="EUR", **common
    )


# --- Before the first build -------------------------------------------------------------------------------
def test_without_a_worker_the_first_request_builds_the_package(client, reference_data):
    # In-process tasks (`make run`): the request's ask builds it at once and the package is served. With a
    # worker, the first request is a 503 "being prepared" (test_a_change_to_public_data_rebuilds_…_real_worker).
    assert OpenDataRelease.objects.count() == 0
    assert [r["name"] for r in get_package(client)["resources"]] == NAMES
    assert OpenDataRelease.objects.count() == 1


def test_a_file_before_the_first_build_or_of_no_resource_is_404(client, reference_data):
    assert client.get(reverse("api-v1:open_data_file", args=["states"])).status_code == 404
    build()
    assert client.get(reverse("api-v1:open_data_file", args=["users"])).status_code == 404
    gone = reverse("api-v1:open_data_file", args=["states"]) + "?release=20200101T000000Z-deadbeef"
    assert "Read datapackage.json again" in client.get(gone).json()["detail"]
    bad = reverse("api-v1:open_data_file", args=["states"]) + "?release=../../etc"
    assert client.get(bad).status_code == 422


# --- The standard -----------------------------------------------------------------------------------------
def test_the_package_validates_against_the_frictionless_standard(client, scenario, tmp_path):
    build()
    descriptor = get_package(client)
    DataPackage.model_validate(descriptor)  # as the OpenAPI document describes it
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["name"] == "ccm-portal-open-data" and descriptor["title"] and descriptor["description"]
    assert descriptor["homepage"] == "http://testserver/api/v1/docs/"
    assert descriptor["version"] == f"1.0.{OpenDataRelease.objects.get().pk}"
    assert dt.datetime.fromisoformat(descriptor["created"].replace("Z", "+00:00"))
    licence = {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0",
    }
    assert descriptor["licenses"] == [licence]
    folder = tmp_path / "copy"
    folder.mkdir()
    for resource in descriptor["resources"]:
        assert resource["path"].startswith("http://testserver/api/v1/open-data/")
        assert (resource["format"], resource["mediatype"], resource["encoding"]) == ("csv", "text/csv", "utf-8")
        assert resource["licenses"] == [licence]
        for field in resource["schema"]["fields"]:
            assert {"name", "type", "title", "description"} <= set(field), field
        (folder / f"{resource['name']}.csv").write_bytes(file_bytes(client, resource["path"]))
        resource["path"] = f"{resource['name']}.csv"
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:20]


def test_the_licence_is_the_isus_setting(client, reference_data, settings):
    build()
    settings.CCM_OPEN_DATA_LICENSE = {"name": "ODC-BY-1.0", "path": "https://opendatacommons.org/", "title": "ODC-By"}
    descriptor = get_package(client)
    assert descriptor["licenses"][0]["name"] == "ODC-BY-1.0"
    assert {r["licenses"][0]["name"] for r in descriptor["resources"]} == {"ODC-BY-1.0"}


# --- What it holds ----------------------------------------------------------------------------------------
def test_a_published_public_report_is_there_value_by_value(client, scenario):
    build()
    data = files(client)
    versions = rows(data["report_versions"])
    assert [(r["iso3"], r["period"], r["version"], r["outcome"]) for r in versions] == [
        ("LAO", "initial", "1", VersionOutcome.ACCEPTED)
    ]
    version = ReportVersion.objects.get(report__state__iso3="LAO", report__kind=ReportKind.INITIAL)
    assert versions[0]["submitted_on"] == version.submitted_on.isoformat()
    assert versions[0]["url"] == "http://testserver/reports/LAO/initial/v1/"
    assert versions[0]["nil"] == "false"
    values = rows(data["report_values"])
    measure = [r for r in values if r["form"] == "A" and r["table"] == "measures" and r["column"] == "title"]
    assert [(m["state"], m["period"], m["version"], m["row"], m["value"]) for m in measure] == [
        ("LAO", "initial", "1", "1", "Law No. 12 of Laos")
    ]
    adopted = next(r for r in values if r["table"] == "measures" and r["column"] == "adopted_on")
    assert adopted["value"] == "2012-05-01"
    assert {r["state"] for r in values} == {"LAO"}
    cover = {r["column"]: r["value"] for r in values if r["form"] == "cover"}
    assert cover["contact_institution"] == "Ministry of Foreign Affairs"


def test_drafts_restricted_and_unpublished_versions_and_personal_data_are_in_no_file(client, scenario):
    build()
    text = "\n".join(data.decode() for data in files(client).values())
    for marker in ("UNPUBLISHED-MARKER", "SUBMITTED-MARKER", "DRAFT-MARKER", "RESTRICTED-MARKER", "PRIVATE-REQUEST"):
        assert marker not in text
    # The State published its contact's name, e-mail and telephone on the report's page; bulk files never hold them.
    page = client.get(reverse("reporting:archive_version_csv", args=["LAO", "initial", 1])).content.decode()
    assert "fp@example.org" in page and "+856 21 000 000" in page
    assert "fp@example.org" not in text and "+856 21 000 000" not in text
    assert "@example.org" not in text
    for user in User.objects.all():
        assert user.email not in text and user.full_name not in text


def test_the_registry_resources_match_the_registry(client, scenario):
    today = clock.today()
    build()
    data = files(client)
    states = {r["iso3"]: r for r in rows(data["states"])}
    assert len(states) == State.objects.count()
    laos = State.objects.get(iso3="LAO")
    assert states["LAO"]["name"] == laos.name and states["LAO"]["region"] == laos.region
    assert states["LAO"]["status"] == "state_party"
    assert states["LAO"]["instrument_deposited_on"] == laos.deposit_date.isoformat()
    assert states["LAO"]["entry_into_force_on"] == laos.entry_into_force.isoformat()
    assert states["LAO"]["source"] == laos.source
    obligations = rows(data["obligations"])
    assert len(obligations) == Obligation.objects.count()
    some = Obligation.objects.select_related("state").exclude(state__deposit_date=None).first()
    row = next(r for r in obligations if (r["iso3"], r["article"]) == (some.state.iso3, str(some.article)))
    deadline = some.deadline_in_force(today)
    assert (row["deadline_in_force"], row["deadline_in_force_precision"]) == (
        deadline.isoformat(),
        deadline.precision.value,
    )
    assert row["status"] == some.status_on(today).value
    extensions = rows(data["extensions"])
    known = [e for e in ExtensionRequest.objects.all() if e.stage_on(today) is not None]
    assert len(extensions) == len(known) > 0
    granted = next(r for r in extensions if r["stage"] == "granted")
    assert granted["granted_until"] and granted["meeting"]


def test_progress_by_year_holds_the_public_figures_at_each_years_end(client, reference_data):
    build()
    figures = rows(files(client)["progress_by_year"])
    years = sorted({int(r["year"]) for r in figures})
    assert years == list(range(2008, clock.today().year))
    board = progress.build(as_of=dt.date(2020, 12, 31), audience=Audience.PUBLIC)
    in_2020 = {r["key"]: r for r in figures if r["year"] == "2020"}
    assert set(in_2020) == {f.key for f in board.figures}
    for figure in board.figures:
        assert in_2020[figure.key]["numerator"] == str(figure.numerator)
        assert in_2020[figure.key]["as_of"] == "2020-12-31"
    isu = progress.build(as_of=dt.date(2020, 12, 31), audience=Audience.ISU)
    restricted = {f.key for f in isu.figures if f.restricted}
    assert not restricted & {r["key"] for r in figures}


def test_public_assistance_requests_with_their_amounts(client, scenario):
    build()
    (request,) = rows(files(client)["assistance_requests"])
    assert (request["iso3"], request["amount"], request["currency"]) == ("LAO", "125000.50", "USD")
    assert request["period_end"] == "2027-12-31" and request["area"] == "Clearance and risk reduction education"


def test_text_a_spreadsheet_would_evaluate_is_quoted(client, scenario):
    build()
    data = files(client)
    (request,) = rows(data["assistance_requests"])
    assert request["title"] == '\'=HYPERLINK("http://evil.example","Survey")'
    assert request["description"] == "'-1 survey team for Xieng Khouang"
    summary = next(r for r in rows(data["report_values"]) if r["table"] == "narrative" and r["column"] == "summary")
    assert summary["value"] == "'@SUM(A1:A9) is how we count"
    for name, content in data.items():
        for row in csv.reader(io.StringIO(content.decode())):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (name, row)


# --- Refreshing -------------------------------------------------------------------------------------------
def test_a_refresh_rebuilds_after_a_new_version_is_published_and_only_then(
    client, focal_point, isu_staff, django_capture_on_commit_callbacks
):
    first = build()
    assert refresh() is None, "nothing changed: no new release"
    assert refresh_open_data.delay().get() == "current"
    changed(django_capture_on_commit_callbacks, lambda: published(focal_point, isu_staff, kind=ReportKind.INITIAL))
    assert refresh_open_data.delay().get() != "current"
    second = OpenDataRelease.objects.latest()
    assert second.pk != first.pk and second.files["report_versions"]["rows"] == 1
    assert [r["iso3"] for r in rows(files(client)["report_versions"])] == ["LAO"]
    # The last two releases' files are kept; a third build deletes the first's.
    assert default_storage.exists(first.files["states"]["path"])
    changed(django_capture_on_commit_callbacks, lambda: Meeting.objects.create(**MEETING))
    third = build()
    assert set(OpenDataRelease.objects.values_list("pk", flat=True)) == {second.pk, third.pk}
    assert not default_storage.exists(first.files["states"]["path"])
    assert default_storage.exists(second.files["states"]["path"])


def test_a_new_day_is_a_refresh_too(reference_data, set_today):
    set_today(dt.date(2026, 3, 1))
    build()
    assert refresh() is None
    set_today(dt.date(2026, 3, 2))
    assert refresh().as_of == dt.date(2026, 3, 2)


def test_a_stale_package_asks_for_the_next_build(client, reference_data, django_capture_on_commit_callbacks):
    first = build()
    changed(django_capture_on_commit_callbacks, lambda: Meeting.objects.create(**MEETING))
    # The request finds the package stale and asks for the next build: in-process here, so it is served at once.
    # With a worker the latest release is served meanwhile (the request does not wait for the build).
    served = get_package(client)["version"]
    latest = OpenDataRelease.objects.latest()
    assert latest.pk != first.pk
    assert served == f"1.0.{latest.pk}"


def test_refreshes_asked_for_together_are_queued_once(reference_data):
    assert request_refresh() is True
    assert request_refresh() is False
    assert OpenDataRelease.objects.count() == 1


MEETING = {
    "code": "TEST-99",
    "name": "Test meeting",
    "kind": MeetingKind.MSP,
    "start_date": dt.date(2031, 9, 1),
    "end_date": dt.date(2031, 9, 3),
    "source": "Test.",
}


# --- Caching ----------------------------------------------------------------------------------------------
def test_etag_and_last_modified_with_304s(client, reference_data):
    release = build()
    response = client.get(PACKAGE_URL)
    assert response["Last-Modified"] == http_date(release.built_at.timestamp())
    not_modified = client.get(PACKAGE_URL, headers={"if-none-match": response["ETag"]})
    assert not_modified.status_code == 304 and not_modified["ETag"] == response["ETag"]
    path = local(response.json()["resources"][0]["path"])
    csv_response = client.get(path)
    content = b"".join(csv_response.streaming_content)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["ETag"] == f'"{release.files["states"]["sha256"]}"'
    assert hashlib.sha256(content).hexdigest() == release.files["states"]["sha256"]
    assert client.get(path, headers={"if-none-match": csv_response["ETag"]}).status_code == 304
    since = client.get(path, headers={"if-modified-since": csv_response["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(path, headers={"if-none-match": '"other"'}).status_code == 200


# --- Bounded queries --------------------------------------------------------------------------------------
def _published_versions(count: int, actor, *, skip: int = 0) -> None:
    """``count`` published public versions, one initial report per State after the first ``skip`` (direct rows:
    only their number matters)."""
    format_version = FormatVersion.objects.get(is_current=True)
    spec = format_version.spec
    content = spec.empty_content()
    for form in spec.forms:
        content["forms"][form.code].update(choice=Choice.NOT_APPLICABLE, na_statement=form.nil_statement)
    now = clock.now()
    for state in State.objects.exclude(deposit_date=None).order_by("iso3")[skip : skip + count]:
        report = Report.objects.create(
            state=state,
            kind=ReportKind.INITIAL,
            format_version=format_version,
            status=ReportStatus.PUBLISHED,
            visibility="public",
            created_by=actor,
            updated_by=actor,
        )
        ReportVersion.objects.create(
            report=report,
            number=1,
            content=content,
            format_version=format_version,
            visibility="public",
            submitted_by=actor,
            submitted_at=now,
            outcome=VersionOutcome.ACCEPTED,
            decided_at=now,
            published_at=now,
        )


# A build's queries, whatever the number of versions: the two looks at the latest release (before and after taking
# the build's lock); the States; the obligations with their extensions and completion records (3); the extension
# requests; the versions; the formats and the versions' content (one cursor, read CHUNK versions at a time); the
# assistance requests; the release written, then the releases kept, those beyond and their deletion (3) ...
FIXED_QUERIES = 15
# ... and for each year ended since 2008, its public figures (``progress.selectors.build``, pinned in tests/progress).
QUERIES_PER_YEAR = 11


def test_a_build_runs_the_same_queries_for_5_and_20_versions(focal_point, set_today, django_assert_num_queries):
    set_today(dt.date(2025, 6, 1))
    expected = FIXED_QUERIES + QUERIES_PER_YEAR * len(range(2008, 2025))
    _published_versions(5, focal_point)
    with django_assert_num_queries(expected):
        five = build()
    _published_versions(15, focal_point, skip=5)
    set_today(dt.date(2025, 6, 2))  # a new day: the next build is due without any commit
    with django_assert_num_queries(expected):
        twenty = build()
    assert (five.files["report_versions"]["rows"], twenty.files["report_versions"]["rows"]) == (5, 20)
    assert twenty.files["report_values"]["rows"] == 4 * five.files["report_values"]["rows"] > 0


# --- Through a real worker ----------------------------------------------------------------------------------
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_change_to_public_data_rebuilds_the_package_through_a_real_worker(real_worker, settings, client):
    settings.CCM_OPEN_DATA_DELAY = 0
    settings.CCM_OPEN_DATA_REFRESH_ON_CHANGE = True
    preparing = client.get(PACKAGE_URL)  # asks the worker for the first build
    assert preparing.status_code == 503
    assert preparing["Retry-After"] == "10"
    assert "being prepared" in preparing.json()["detail"]
    assert wait_for(OpenDataRelease.objects.exists, 60), "the worker built no release"
    first = OpenDataRelease.objects.get()
    assert first.data_version == data_version.current()[0]
    # A committed change to public data queues the next build on its own, through Redis.
    cache.delete(QUEUED)  # the request's ask is still debounced for a second
    Meeting.objects.create(**MEETING)
    assert wait_for(lambda: OpenDataRelease.objects.exclude(pk=first.pk).exists(), 60), "no rebuild after a change"
    latest = OpenDataRelease.objects.latest()
    assert latest.data_version == data_version.current()[0]
    descriptor = get_package(client)
    assert descriptor["version"] == f"1.0.{latest.pk}"
    assert rows(file_bytes(client, descriptor["resources"][0]["path"]))[0]["iso3"]
