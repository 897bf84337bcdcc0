"""The report workflow as services: drafts, conflicts, submission, review, correction."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from reporting import periods, services
from reporting.content import choice_suggestions, validation_for
from reporting.formats import Choice
from reporting.models import ReportKind, ReportStatus, ReportVersion, VersionOutcome
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db


def submit_complete(report, actor, **rows):
    report = services.save_draft(
        report=report, content=fill_minimal(report, **rows), base_revision=report.revision, actor=actor
    )
    services.set_visibility(report=report, visibility="public", actor=actor)
    return services.submit_report(report=report, actor=actor)


def test_initial_report_due_date_comes_from_entry_into_force(initial_report, lao):
    assert initial_report.due_date == lao.initial_report_due
    assert initial_report.status == ReportStatus.DRAFT
    assert set(initial_report.draft["forms"]) == set("ABCDEFGHIJ")


def test_another_states_focal_point_cannot_start_or_save(other_focal_point, lao, initial_report):
    with pytest.raises(PermissionDenied):
        services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2020, actor=other_focal_point)
    with pytest.raises(PermissionDenied):
        services.save_draft(report=initial_report, content={}, base_revision=0, actor=other_focal_point)


def test_second_save_on_an_old_revision_is_refused_with_what_changed(initial_report, focal_point, lao):
    from tests.factories import make_user

    colleague = make_user("focal_point", iso3="LAO", email="colleague@example.org")
    base = initial_report.revision
    first = fill_minimal(initial_report)
    services.save_draft(report=initial_report, content=first, base_revision=base, actor=focal_point)
    theirs = fill_minimal(initial_report)
    theirs["cover"]["contact_name"] = "Khamla Colleague"  # the colleague typed the cover page too, differently
    with pytest.raises(services.EditConflict) as conflict:
        services.save_draft(report=initial_report, content=theirs, base_revision=base, actor=colleague)
    assert conflict.value.by == focal_point
    assert "Form A" in conflict.value.changed and "cover" in conflict.value.changed
    initial_report.refresh_from_db()
    assert initial_report.revision == base + 1
    assert initial_report.updated_by == focal_point


def test_incomplete_report_cannot_be_submitted(initial_report, focal_point):
    services.set_visibility(report=initial_report, visibility="public", actor=focal_point)
    with pytest.raises(ValidationError, match="not complete"):
        services.submit_report(report=initial_report, actor=focal_point)


def test_visibility_is_an_explicit_choice_before_submission(initial_report, focal_point):
    report = services.save_draft(
        report=initial_report, content=fill_minimal(initial_report), base_revision=0, actor=focal_point
    )
    with pytest.raises(ValidationError) as error:
        services.submit_report(report=report, actor=focal_point)
    assert "visibility" in error.value.message_dict


def test_the_whole_cycle_keeps_every_version_and_audits_every_step(
    initial_report, focal_point, isu_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        v1 = submit_complete(initial_report, focal_point)
    assert [m.to for m in mail.outbox] == [[isu_staff.email]]
    report = v1.report
    assert report.status == ReportStatus.SUBMITTED
    services.start_review(report=report, actor=isu_staff)
    with pytest.raises(ValidationError):
        services.request_changes(report=report, actor=isu_staff, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(
            report=report, actor=isu_staff, reason="Form A: give the date the law entered into force."
        )
    assert mail.outbox[-1].to == [focal_point.email]
    assert "give the date the law entered into force" in mail.outbox[-1].body
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED and report.is_editable
    content = report.draft
    content["forms"]["A"]["narratives"]["summary"] += " It entered into force on 1 June 2012."
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    v2 = services.submit_report(report=report, actor=focal_point)
    assert v2.number == 2 and v2.report.status == ReportStatus.RESUBMITTED
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    services.publish_report(report=report, actor=isu_staff)
    v1.refresh_from_db()
    assert v1.outcome == VersionOutcome.CHANGES_REQUESTED
    assert "1 June 2012" not in v1.content["forms"]["A"]["narratives"]["summary"]  # frozen as submitted
    actions = list(AuditEntry.objects.for_object(report).order_by("id").values_list("action", flat=True))
    assert actions == [
        "reporting.report.started",
        "reporting.report.saved",
        "reporting.report.visibility_set",
        "reporting.report.submitted",
        "reporting.report.review_started",
        "reporting.report.changes_requested",
        "reporting.report.saved",
        "reporting.report.submitted",
        "reporting.report.review_started",
        "reporting.report.accepted",
        "reporting.report.published",
    ]


def test_recall_only_before_review_starts(initial_report, focal_point, isu_staff):
    version = submit_complete(initial_report, focal_point)
    report = services.recall_submission(report=version.report, actor=focal_point)
    assert report.status == ReportStatus.DRAFT
    version.refresh_from_db()
    assert version.outcome == VersionOutcome.RECALLED
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    with pytest.raises(ValidationError):
        services.recall_submission(report=report, actor=focal_point)


def test_a_correction_after_acceptance_supersedes_and_both_stay_readable(initial_report, focal_point, isu_staff):
    v1 = submit_complete(initial_report, focal_point)
    report = v1.report
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    services.start_correction(report=report, actor=focal_point)
    report.refresh_from_db()
    content = report.draft
    content["forms"]["A"]["tables"]["measures"][0]["title"] = "Law No. 12 of 2012"
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    with pytest.raises(ValidationError):
        services.submit_report(report=report, actor=focal_point)  # must say what it corrects
    v2 = services.submit_report(
        report=report, actor=focal_point, correction_note="corrects the title of the law in Form A"
    )
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    v1.refresh_from_db()
    assert v1.outcome == VersionOutcome.SUPERSEDED and v1.superseded_by == v2
    assert v1.content["forms"]["A"]["tables"]["measures"][0]["title"] == "Law No. 12"
    assert ReportVersion.objects.filter(report=report).count() == 2


def accepted_2020_with_stock(focal_point, isu_staff, lao):
    first = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2020, actor=focal_point)
    v = submit_complete(
        first, focal_point, form_b_stock=[{"_id": "s1", "type": "BLU-26", "munitions": "10", "submunitions": "3000"}]
    )
    services.start_review(report=v.report, actor=isu_staff)
    services.accept_report(report=v.report, actor=isu_staff)
    return v


def test_start_from_last_year_marks_forms_unchanged_and_edits_only_suggest_changed(focal_point, isu_staff, lao):
    accepted_2020_with_stock(focal_point, isu_staff, lao)
    nxt = services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2021, actor=focal_point, from_last_year=True
    )
    forms = nxt.draft["forms"]
    assert forms["A"]["choice"] == Choice.UNCHANGED and forms["A"]["unchanged_since"] == 2020
    assert forms["B"]["tables"]["stockpile"][0]["munitions"] == "10"
    assert forms["C"]["choice"] == Choice.NOT_APPLICABLE
    content = nxt.draft
    content["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = "4"
    nxt = services.save_draft(report=nxt, content=content, base_revision=nxt.revision, actor=focal_point)
    # What the focal point chose stays; the difference is only suggested.
    assert nxt.draft["forms"]["B"]["choice"] == Choice.UNCHANGED
    assert choice_suggestions(nxt, validation_for(nxt).cleaned) == {
        "B": "Form B now differs from the accepted report for 2020. If the change is meant, choose “Changed”; "
        "otherwise undo it."
    }


def test_the_focal_points_choice_is_saved_and_sameness_only_suggested(focal_point, isu_staff, lao):
    accepted_2020_with_stock(focal_point, isu_staff, lao)
    nxt = services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2021, actor=focal_point, from_last_year=True
    )
    content = nxt.draft
    content["forms"]["B"].update(choice=Choice.CHANGED, unchanged_since=None)
    content["forms"]["C"].update(choice=Choice.CHANGED, na_statement="")  # not applicable in 2020
    nxt = services.save_draft(report=nxt, content=content, base_revision=nxt.revision, actor=focal_point)
    assert nxt.draft["forms"]["B"]["choice"] == Choice.CHANGED
    assert nxt.draft["forms"]["C"]["choice"] == Choice.CHANGED
    assert choice_suggestions(nxt, validation_for(nxt).cleaned) == {
        "B": "Form B is the same as in the accepted report for 2020: “Unchanged since 2020” may apply."
    }


def test_nil_report_is_complete_and_stays_distinct(focal_point, lao):
    annual = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2019, actor=focal_point)
    report = services.make_nil_report(report=annual, base_revision=annual.revision, actor=focal_point)
    assert report.is_nil
    validation = validation_for(report)
    assert validation.missing["A"], "Form A always applies: a nil report still needs it"
    content = fill_minimal(report)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    assert report.is_nil is False or validation_for(report).complete


def test_only_isu_staff_review(initial_report, focal_point, coordinator):
    submit_complete(initial_report, focal_point)
    for outsider in (focal_point, coordinator):
        with pytest.raises(PermissionDenied):
            services.start_review(report=initial_report, actor=outsider)


def test_a_full_report_with_500_rows_validates_and_submits(initial_report, focal_point):
    from tests.reporting.builders import full_content

    content = full_content(initial_report.format_version.spec, rows=500)
    validation = validation_for(initial_report, content)
    assert validation.errors == {}
    assert validation.complete
    assert sum(len(rows) for f in validation.cleaned["forms"].values() for rows in f["tables"].values()) == 500
    area = validation.cleaned["forms"]["F"]["tables"]["areas"][0]["area"]
    assert area == "5000"  # "0.5 ha" stored in m²
    report = services.save_draft(report=initial_report, content=content, base_revision=0, actor=focal_point)
    services.set_visibility(report=report, visibility="restricted", actor=focal_point)
    version = services.submit_report(report=report, actor=focal_point)
    assert version.content == validation.cleaned


def test_each_save_records_what_changed_from_what_to_what(initial_report, focal_point):
    content = fill_minimal(initial_report)
    report = services.save_draft(report=initial_report, content=content, base_revision=0, actor=focal_point)
    content = report.draft
    content["forms"]["A"]["tables"]["measures"][0]["title"] = "Law No. 12/2012"
    services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    entry = AuditEntry.objects.filter(action="reporting.report.saved").first()
    assert entry.actor == focal_point
    assert entry.changes == {"forms.A.tables.measures.m1.title": ["Law No. 12", "Law No. 12/2012"]}


def test_the_first_annual_update_follows_the_rule_the_isu_sets(reference_data):
    import datetime as dt

    from parties.models import State
    from reporting.models import ReportingRules

    chad = State.objects.get(iso3="TCD")  # EIF 1 Sep 2013, initial report due 28 Feb 2014
    today = dt.date(2016, 6, 1)
    assert periods.expected_annual_years(chad, today=today) == [2013, 2014, 2015]
    rules = ReportingRules.current()
    rules.first_annual_period = ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE
    rules.save()
    assert periods.expected_annual_years(chad, today=today) == [2015]
    lithuania = State.objects.get(iso3="LTU")  # withdrawal effective 6 Mar 2025, before the 2024 update was due
    assert periods.expected_annual_years(lithuania, today=dt.date(2026, 11, 29))[-1] == 2023
    lithuania.withdrawal_effective_on = dt.date(2025, 6, 1)  # had it taken effect after 30 April 2025
    assert periods.expected_annual_years(lithuania, today=dt.date(2026, 11, 29))[-1] == 2024
