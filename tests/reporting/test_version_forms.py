"""What a version keeps of its forms (``ReportVersion.form_choices``: each form's choice and the year it is unchanged
since), written with the version and read by the archive's lists, its filters, the ISU's export and the API instead
of the version's content: the same answers as the content gives, for every way a version is made, never stale
(a version's content never changes), filled for versions made before it existed, and no list reads the content."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import entry as entries
from reporting import services
from reporting.archive import reads
from reporting.formats import Choice
from reporting.models import FormatVersion, ReportKind, ReportVersion
from reporting.models.reports import form_choices_of, form_total, form_totals_of
from tests.reporting.test_archive import corrected, published, submitted
from tests.reporting.test_isu_entry import open_initial, type_in

pytestmark = pytest.mark.django_db

fill = importlib.import_module("reporting.migrations.0014_version_form_choices").fill
fill_totals = importlib.import_module("reporting.migrations.0015_version_form_totals").fill


def choices_in_content(version: ReportVersion) -> dict[str, dict]:
    return {
        code: {k: form[k] for k in ("choice", "unchanged_since") if form.get(k) not in (None, "")}
        for code, form in version.content["forms"].items()
        if form.get("choice")
    }


def totals_in_content(version: ReportVersion) -> dict[str, str]:
    """Form B's stockpile and Form F's areas summed from the content (what the dashboard's charts draw)."""
    forms = version.content["forms"]
    totals = {
        "B": form_total(forms["B"]["choice"], forms["B"]["tables"].get("stockpile"), "munitions"),
        "F": form_total(forms["F"]["choice"], forms["F"]["tables"].get("areas"), "area"),
    }
    return {code: str(total) for code, total in totals.items() if total is not None}


def unchanged_since_2018(content):
    content["forms"]["C"].update(choice=Choice.UNCHANGED, unchanged_since=2018, na_statement="")


def test_a_submitted_version_keeps_its_forms_choices(focal_point):
    report = submitted(focal_point, year=2020, rows=2, tweak=unchanged_since_2018)
    version = ReportVersion.objects.get(report=report)
    assert version.form_choices == choices_in_content(version)
    assert version.form_choices["A"] == {"choice": Choice.CHANGED}
    assert version.form_choices["B"] == {"choice": Choice.CHANGED}
    assert version.form_choices["C"] == {"choice": Choice.UNCHANGED, "unchanged_since": 2018}
    assert version.form_choices["D"] == {"choice": Choice.NOT_APPLICABLE}


def test_a_version_the_isu_enters_keeps_its_forms_choices(isu_staff, lao, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    entry = open_initial(isu_staff, lao)
    type_in(entry, isu_staff)
    version = entries.record_entry(entry=entry, actor=isu_staff, visibility="public")
    version.refresh_from_db()
    assert version.form_choices == choices_in_content(version)
    assert version.form_choices["A"] == {"choice": Choice.CHANGED}


def test_versions_made_in_bulk_keep_their_forms_choices(focal_point):
    report = submitted(focal_point, year=2020)
    first = ReportVersion.objects.get(report=report)
    content = first.content
    content["forms"]["B"] = {"choice": Choice.UNCHANGED, "unchanged_since": "2017"}
    first.pk, first.number, first.content = None, 2, content
    (made,) = ReportVersion.objects.bulk_create([first])
    stored = ReportVersion.objects.get(pk=made.pk)
    assert stored.form_choices["B"] == {"choice": Choice.UNCHANGED, "unchanged_since": "2017"}
    assert stored.form_choices == choices_in_content(stored)


def test_the_summary_never_goes_stale_through_review_publication_and_correction(focal_point, isu_staff):
    """A version is frozen when it is submitted: nothing the workflow does afterwards (review, changes requested,
    resubmission, acceptance, publication, a correction superseding it) changes its content, so its summary
    stays the summary of its content."""
    report = submitted(focal_point, year=2020, rows=2)
    services.start_review(report=report, actor=isu_staff)
    services.request_changes(report=report, actor=isu_staff, reason="Form B: give the types.")
    report.refresh_from_db()
    content = report.draft
    content["forms"]["C"].update(choice=Choice.CHANGED, na_statement="", narratives={})
    content["forms"]["D"].update(choice=Choice.UNCHANGED, unchanged_since=2019, na_statement="")
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    services.publish_report(report=report, actor=isu_staff)
    report.refresh_from_db()
    frozen = {v.pk: (v.content, v.form_choices) for v in ReportVersion.objects.filter(report=report)}
    corrected(report, focal_point, isu_staff, note="corrects Form B totals", munitions=99)

    versions = list(ReportVersion.objects.filter(report=report).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    for version in versions:
        assert version.form_choices == form_choices_of(version.content) == choices_in_content(version)
        if version.pk in frozen:
            assert (version.content, version.form_choices) == frozen[version.pk]
    assert versions[0].form_choices["D"] == {"choice": Choice.NOT_APPLICABLE}
    assert versions[1].form_choices["D"] == {"choice": Choice.UNCHANGED, "unchanged_since": 2019}


def test_saving_a_version_again_neither_reads_nor_rewrites_its_content(focal_point):
    report = submitted(focal_point, year=2020)
    version = ReportVersion.objects.defer("content").get(report=report)
    before = version.form_choices
    version.correction_note = "typo"
    with CaptureQueriesContext(connection) as ctx:
        version.save(update_fields=["correction_note"])
    assert len(ctx.captured_queries) == 1
    assert ReportVersion.objects.get(pk=version.pk).form_choices == before


def test_the_migration_fills_versions_made_before_the_summary(focal_point, other_focal_point, isu_staff):
    published(focal_point, isu_staff, year=2020, rows=2, tweak=unchanged_since_2018)
    published(other_focal_point, isu_staff, kind=ReportKind.INITIAL)
    expected = {v.pk: v.form_choices for v in ReportVersion.objects.all()}
    assert len(expected) == 2 and all(expected.values())
    ReportVersion.objects.update(form_choices={})

    fill(apps, None)

    assert {v.pk: v.form_choices for v in ReportVersion.objects.all()} == expected


def test_lists_filter_and_show_the_forms_without_reading_any_content(focal_point, other_focal_point, isu_staff):
    published(focal_point, isu_staff, year=2020, rows=2, tweak=unchanged_since_2018)
    published(other_focal_point, isu_staff, year=2020)
    codes = [option.code for option in reads.form_options()]
    public = AnonymousUser()

    with CaptureQueriesContext(connection) as ctx:
        everything = list(reads.search(public, reads.ArchiveQuery(), codes=codes)[:50])
        with_b = list(reads.search(public, reads.ArchiveQuery(form="B"), codes=codes)[:50])
        c_unchanged = list(reads.every_readable(public, reads.ArchiveQuery(form="C"), codes=codes)[0:10])
        b_changed = list(reads.search(public, reads.ArchiveQuery(form="B", form_changed=True), codes=codes))
    assert len(ctx.captured_queries) == 4
    assert not any('"content"' in q["sql"] for q in ctx.captured_queries)

    assert len(everything) == 2
    assert [v.report.state.iso3 for v in with_b] == ["LAO"]
    assert [v.report.state.iso3 for v in c_unchanged] == ["LAO"]
    assert [v.report.state.iso3 for v in b_changed] == ["LAO"]
    lao = with_b[0]
    assert reads.form_choices(lao, ["A", "B", "C", "D", "Z"]) == {
        "A": Choice.CHANGED,
        "B": Choice.CHANGED,
        "C": Choice.UNCHANGED,
        "D": Choice.NOT_APPLICABLE,
        "Z": "",
    }
    assert reads.unchanged_since(lao, "C") == 2018
    assert reads.unchanged_since(lao, "B") is None


def test_a_page_of_a_list_is_the_same_rows_in_the_same_order_as_the_whole_list(focal_point, isu_staff):
    for year in (2018, 2019, 2020, 2021):
        published(focal_point, isu_staff, year=year)
    listing = reads.search(AnonymousUser(), reads.ArchiveQuery(), codes=[])
    whole = [v.pk for v in listing]
    assert [v.pk for v in listing[1:3]] == whole[1:3]
    assert [v.pk for v in listing[3:10]] == whole[3:]
    assert listing[0].pk == whole[0]
    assert listing.count() == 4


def test_every_current_form_has_a_place_in_the_summary(focal_point):
    spec = FormatVersion.objects.get(is_current=True).spec
    report = submitted(focal_point, year=2020)
    version = ReportVersion.objects.get(report=report)
    assert set(version.form_choices) == {form.code for form in spec.forms}


# --- Form B's and Form F's totals (``ReportVersion.form_totals``), which the dashboard's charts draw ------------------
def test_a_submitted_version_keeps_its_forms_totals(focal_point):
    report = submitted(focal_point, year=2020, rows=2)
    version = ReportVersion.objects.get(report=report)
    assert version.form_totals == totals_in_content(version) == form_totals_of(version.content)
    assert set(version.form_totals) == {"B", "F"}


def test_a_version_the_isu_enters_keeps_its_forms_totals(isu_staff, lao, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    entry = open_initial(isu_staff, lao)
    type_in(entry, isu_staff)
    version = entries.record_entry(entry=entry, actor=isu_staff, visibility="public")
    version.refresh_from_db()
    assert version.form_totals == totals_in_content(version)


def test_versions_made_in_bulk_keep_their_forms_totals(focal_point):
    report = submitted(focal_point, year=2020)
    first = ReportVersion.objects.get(report=report)
    content = first.content
    content["forms"]["B"] = {"choice": Choice.CHANGED, "tables": {"stockpile": [{"munitions": "7"}, {"munitions": 5}]}}
    content["forms"]["F"] = {"choice": Choice.UNCHANGED, "tables": {"areas": []}}  # the year before's: no total
    first.pk, first.number, first.content = None, 2, content
    (made,) = ReportVersion.objects.bulk_create([first])
    assert ReportVersion.objects.get(pk=made.pk).form_totals == {"B": "12"}


def test_the_totals_never_go_stale_through_a_correction(focal_point, isu_staff):
    report = published(focal_point, isu_staff, year=2020, rows=2)
    corrected(report, focal_point, isu_staff, note="corrects Form B totals", munitions=99)
    versions = list(ReportVersion.objects.filter(report=report).order_by("number"))
    assert len(versions) == 2
    assert [v.form_totals for v in versions] == [totals_in_content(v) for v in versions]
    assert versions[0].form_totals["B"] != versions[1].form_totals["B"]


def test_the_migration_fills_the_totals_of_versions_made_before_them(focal_point, other_focal_point, isu_staff):
    published(focal_point, isu_staff, year=2020, rows=2)
    published(other_focal_point, isu_staff, kind=ReportKind.INITIAL)
    expected = {v.pk: v.form_totals for v in ReportVersion.objects.all()}
    assert len(expected) == 2 and all(expected.values())
    ReportVersion.objects.update(form_totals={})

    fill_totals(apps, None)

    assert {v.pk: v.form_totals for v in ReportVersion.objects.all()} == expected
