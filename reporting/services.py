"""Every write on Article 7 reports. Each function is atomic, takes an explicit actor and
leaves an audit entry; views, tasks and imports call these and nothing else."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from audit import services as audit
from audit.models import AuditEntry
from ccm_portal.core import clock
from parties import rules
from parties.models import State
from reporting import formats
from reporting.access import may_edit
from reporting.formats import Choice
from reporting.models import (
    AWAITING_REVIEW,
    EDITABLE_STATUSES,
    FormatVersion,
    Report,
    ReportingRules,
    ReportKind,
    ReportStatus,
    ReportVersion,
    ReviewComment,
    VersionOutcome,
    Visibility,
)


class EditConflict(Exception):
    """Someone saved the report since this user loaded it. Nothing was written."""

    def __init__(self, *, report: Report, changed: list[str], by: User | None, at: dt.datetime):
        self.report = report
        self.changed = changed
        self.by = by
        self.at = at
        super().__init__("edit conflict")


class InvalidTransition(ValidationError):
    pass


# --- Helpers --------------------------------------------------------------------------------
def _lock(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("state", "format_version", "based_on__report")
        .get(pk=report.pk)
    )


def _require_focal_point(actor: User, report: Report) -> None:
    if not permissions.acts_for_state(actor, report.state) or not permissions.can(
        actor, permissions.Capability.PREPARE_REPORTS
    ):
        raise PermissionDenied


def _require_editor(actor: User, report: Report) -> None:
    """The working copy's editor (``reporting.access.may_edit``): the State's focal point, or the ISU
    while it enters the report from an original (``reporting.entry``)."""
    if not may_edit(actor, report):
        raise PermissionDenied


def _require_reviewer(actor: User) -> None:
    if not permissions.can(actor, permissions.Capability.REVIEW_REPORTS):
        raise PermissionDenied


def _set_status(report: Report, status: str, *, actor: User, action: str, **context: Any) -> None:
    before = report.status
    report.status = status
    report.status_changed_at = timezone.now()
    report.updated_by = actor
    report.save(update_fields=["status", "status_changed_at", "updated_by", "updated_at"])
    audit.record(actor=actor, action=action, obj=report, changes={"status": [before, status]}, context=context)


def content_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Each changed value as ``path → [before, after]``: cover fields, a form's choice or statement,
    a narrative, a table cell (``forms.B.tables.stockpile.<row>.munitions``), a row added or removed."""
    changes: dict[str, list[Any]] = {}
    cover_before, cover_after = before.get("cover") or {}, after.get("cover") or {}
    for key in sorted(set(cover_before) | set(cover_after)):
        if cover_before.get(key) != cover_after.get(key):
            changes[f"cover.{key}"] = [cover_before.get(key), cover_after.get(key)]
    forms_before, forms_after = before.get("forms") or {}, after.get("forms") or {}
    for code in sorted(set(forms_before) | set(forms_after)):
        old, new = forms_before.get(code) or {}, forms_after.get(code) or {}
        for key in ("choice", "unchanged_since", "na_statement"):
            if old.get(key) != new.get(key):
                changes[f"forms.{code}.{key}"] = [old.get(key), new.get(key)]
        narratives_old, narratives_new = old.get("narratives") or {}, new.get("narratives") or {}
        for key in sorted(set(narratives_old) | set(narratives_new)):
            if narratives_old.get(key) != narratives_new.get(key):
                changes[f"forms.{code}.narratives.{key}"] = [narratives_old.get(key), narratives_new.get(key)]
        tables_old, tables_new = old.get("tables") or {}, new.get("tables") or {}
        for table in sorted(set(tables_old) | set(tables_new)):
            rows_old = {str(r.get("_id")): r for r in tables_old.get(table) or []}
            rows_new = {str(r.get("_id")): r for r in tables_new.get(table) or []}
            for row_id in rows_old.keys() | rows_new.keys():
                path = f"forms.{code}.tables.{table}.{row_id}"
                a, b = rows_old.get(row_id), rows_new.get(row_id)
                if a is None or b is None:
                    changes[path] = [a, b]
                    continue
                for column in sorted((set(a) | set(b)) - {"_id"}):
                    if a.get(column) != b.get(column):
                        changes[f"{path}.{column}"] = [a.get(column), b.get(column)]
    return dict(sorted(changes.items()))


def places(paths: list[str] | dict[str, Any]) -> list[str]:
    """ "cover", "Form B"… from change paths, for people."""
    found = set()
    for path in paths:
        parts = path.split(".")
        found.add("cover" if parts[0] == "cover" else f"Form {parts[1]}" if len(parts) > 1 else path)
    return sorted(found)


def validation_for(report: Report, content: dict[str, Any] | None = None) -> formats.Validation:
    return formats.validate(
        report.format_version.spec,
        report.draft if content is None else content,
        initial=report.is_initial,
        period_year=report.period_year,
    )


def first_annual_year(state: State, first_annual_period: str) -> int | None:
    """The first calendar year a State's annual update covers, under the ISU's rule
    (``ReportingRules.first_annual_period``: the sources leave it open). The rule is ``parties.rules``'."""
    return rules.first_annual_year(
        state.entry_into_force, after_initial=first_annual_period == ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE
    )


def expected_annual_years(state: State, *, today: dt.date, rules_row: ReportingRules | None = None) -> list[int]:
    """Calendar years a State owes an annual update for, up to last year (a State starts the update for a
    year once the year is over; ``parties.rules.owes_annual_report`` says which years it owes)."""
    eif = state.entry_into_force
    if eif is None or eif > today:
        return []
    after_initial = (rules_row or ReportingRules.current()).first_annual_period == (
        ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE
    )
    first = rules.first_annual_year(eif, after_initial=after_initial)
    return [
        year
        for year in range(first, today.year)
        if rules.owes_annual_report(eif, state.withdrawal_effective_on, year, after_initial=after_initial)
    ]


def last_accepted_version(state: State, *, before_year: int | None = None) -> ReportVersion | None:
    """The State's most recent accepted version, for a period before ``before_year`` when given.
    An initial report counts as earlier than every annual update."""
    versions = ReportVersion.objects.filter(report__state=state, outcome=VersionOutcome.ACCEPTED).select_related(
        "report"
    )
    if before_year is not None:
        versions = versions.filter(Q(report__kind=ReportKind.INITIAL) | Q(report__period_year__lt=before_year))
    # NULL period (the initial report) sorts last in a descending order on both databases.
    return versions.order_by(F("report__period_year").desc(nulls_last=True), "-number").first()


def detect_unchanged(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, bool]:
    """Which forms hold exactly the same narratives and rows as the previous report."""

    def comparable(form: dict[str, Any]) -> Any:
        tables = {
            key: sorted(
                ({k: v for k, v in row.items() if k != "_id"} for row in rows), key=lambda r: repr(sorted(r.items()))
            )
            for key, rows in (form.get("tables") or {}).items()
        }
        return (form.get("narratives") or {}, tables)

    return {
        code: comparable(form) == comparable((previous.get("forms") or {}).get(code) or {})
        for code, form in (current.get("forms") or {}).items()
    }


# --- Creating and editing drafts ----------------------------------------------------------
@transaction.atomic
def start_report(
    *, state: State, kind: str, period_year: int | None, actor: User, from_last_year: bool = False
) -> Report:
    """Open a new draft. ``from_last_year`` pre-fills it from the State's last accepted report and
    sets each form given last year to "unchanged since", for the focal point to confirm or change."""
    if not permissions.acts_for_state(actor, state):
        raise PermissionDenied
    if kind == ReportKind.INITIAL:
        period_year = None
        if Report.objects.filter(state=state, kind=ReportKind.INITIAL).exists():
            raise ValidationError(_("%(state)s already has an initial report.") % {"state": state.name})
    else:
        allowed = expected_annual_years(state, today=clock.today())
        if period_year not in allowed:
            raise ValidationError(
                _("%(state)s has no annual update to make for %(year)s.") % {"state": state.name, "year": period_year}
            )
        if Report.objects.filter(state=state, kind=ReportKind.ANNUAL, period_year=period_year).exists():
            raise ValidationError(_("The report for %(year)s already exists.") % {"year": period_year})
    format_version = FormatVersion.objects.get(is_current=True)
    content = format_version.spec.empty_content()
    source = None
    if from_last_year and kind == ReportKind.ANNUAL:
        source = last_accepted_version(state, before_year=period_year)
        if source is None:
            raise ValidationError(_("There is no accepted earlier report to start from."))
        content = formats.content_for_editing(copy.deepcopy(source.content))
        year = source.report.period_year or source.submitted_at.year
        for form in content["forms"].values():
            # Everything starts as "unchanged since" the source report, for the focal point to confirm or
            # change; the editor suggests "Changed" where the content no longer matches.
            if form.get("choice") in (Choice.CHANGED, Choice.UNCHANGED):
                form["unchanged_since"] = form.get("unchanged_since") if form["choice"] == Choice.UNCHANGED else year
                form["choice"] = Choice.UNCHANGED
    report = Report.objects.create(
        state=state,
        kind=kind,
        period_year=period_year,
        format_version=format_version,
        draft=content,
        created_by=actor,
        updated_by=actor,
        visibility=source.visibility if source else "",
        original_language=source.report.original_language if source else "en",
        based_on=source,
    )
    audit.record(
        actor=actor,
        action="reporting.report.started",
        obj=report,
        context={"from_version": source.pk if source else None, "format": format_version.code},
    )
    return report


@transaction.atomic
def save_draft(*, report: Report, content: dict[str, Any], base_revision: int, actor: User) -> Report:
    """Save the working copy. Refused with ``EditConflict`` when someone saved since ``base_revision``;
    the caller keeps what its user typed and shows what changed."""
    _require_editor(actor, report)
    report = _lock(report)
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(
            _("This report is %(status)s and cannot be edited.") % {"status": report.get_status_display()}
        )
    if report.revision != base_revision:
        # Each save's audit entry names the places it changed and the revision it made.
        newer = list(
            AuditEntry.objects.for_object(report)
            .filter(action="reporting.report.saved", context__revision__gt=base_revision)
            .select_related("actor")
        )
        changed = places([path for entry in newer for path in entry.changes])
        raise EditConflict(
            report=report,
            changed=changed,
            by=newer[0].actor if newer else report.updated_by,
            at=report.updated_at,
        )
    # What the focal point chose is what is saved: detection only suggests (``choice_suggestions``).
    before = report.draft
    changes = content_changes(before, content)
    report.draft = content
    report.revision += 1
    report.updated_by = actor
    fields = ["draft", "revision", "updated_by", "updated_at"]
    if report.is_nil and changes:
        report.is_nil = False
        fields.append("is_nil")
    report.save(update_fields=fields)
    if changes:
        audit.record(
            actor=actor,
            action="reporting.report.saved",
            obj=report,
            changes=changes,
            context={"revision": report.revision, "status": report.status},
        )
    return report


def choice_suggestions(report: Report, cleaned: dict[str, Any]) -> dict[str, str]:
    """For a report started from an accepted one: per form whose choice and content disagree, a
    suggestion in words ("this form now differs from 2024", "this form is the same as 2024"). Only
    ever shown: the focal point's choice is what is saved."""
    base = report.based_on
    if base is None:
        return {}
    same = detect_unchanged(base.content, cleaned)
    year = base.report.period_year or base.submitted_at.year
    out = {}
    for code, form in (cleaned.get("forms") or {}).items():
        choice = form.get("choice")
        base_form = (base.content.get("forms") or {}).get(code) or {}
        if base_form.get("choice") not in (Choice.CHANGED, Choice.UNCHANGED):
            continue  # the form did not apply then: nothing to compare with
        if choice == Choice.UNCHANGED and not same.get(code):
            out[code] = _(
                "Form %(code)s now differs from the accepted report for %(year)s. If the change is meant, "
                "choose “Changed”; otherwise undo it."
            ) % {"code": code, "year": year}
        elif choice == Choice.CHANGED and same.get(code):
            since = base_form.get("unchanged_since") if base_form.get("choice") == Choice.UNCHANGED else None
            out[code] = _(
                "Form %(code)s is the same as in the accepted report for %(year)s: “Unchanged since %(since)s” "
                "may apply."
            ) % {"code": code, "year": year, "since": since or year}
    return out


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def make_nil_report(*, report: Report, base_revision: int, actor: User) -> Report:
    """One click: every form that may be "not applicable" gets its standard definitive statement;
    Form A (which always applies) is kept, or marked unchanged since the last accepted report."""
    spec = report.format_version.spec
    content = copy.deepcopy(report.draft)
    previous = last_accepted_version(report.state, before_year=report.period_year) if not report.is_initial else None
    for form in spec.forms:
        data = content["forms"].setdefault(form.code, spec.empty_content()["forms"][form.code])
        if form.allows_not_applicable:
            data["choice"] = Choice.NOT_APPLICABLE
            data["na_statement"] = form.nil_statement
        elif previous and not report.is_initial and not data.get("choice"):
            data["choice"] = Choice.UNCHANGED
            data["unchanged_since"] = previous.report.period_year or previous.submitted_at.year
    report = save_draft(report=report, content=content, base_revision=base_revision, actor=actor)
    report.is_nil = True
    report.save(update_fields=["is_nil"])
    audit.record(actor=actor, action="reporting.report.marked_nil", obj=report, changes={"is_nil": [False, True]})
    return report


# --- Workflow ---------------------------------------------------------------------------------
@transaction.atomic
def submit_report(*, report: Report, actor: User, correction_note: str = "") -> ReportVersion:
    """Freeze the working copy as a new version and send it to the ISU."""
    _require_focal_point(actor, report)
    report = _lock(report)
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Only a draft or a report with requested changes can be submitted."))
    if report.entries.filter(version__isnull=True).exists():
        # The ISU records it with the original's date (``reporting.entry.record_entry``).
        raise InvalidTransition(_("The ISU is entering this report from the original the State sent."))
    if not report.visibility:
        raise ValidationError({"visibility": _("Choose whether the report is public or restricted before submitting.")})
    validation = validation_for(report)
    if not validation.complete:
        raise ValidationError(_("The report is not complete yet: see the forms marked incomplete."))
    previous = report.versions.order_by("-number").first()
    is_correction = bool(previous and previous.outcome in (VersionOutcome.ACCEPTED,))
    if is_correction and not correction_note.strip():
        raise ValidationError({"correction_note": _("Say what this version corrects.")})
    version = ReportVersion.objects.create(
        report=report,
        number=(previous.number + 1) if previous else 1,
        content=validation.cleaned,
        format_version=report.format_version,
        is_nil=report.is_nil,
        visibility=report.visibility,
        submitted_by=actor,
        submitted_at=timezone.now(),
        submitted_on=clock.today(),
        correction_note=correction_note.strip(),
    )
    resubmission = previous is not None and previous.outcome == VersionOutcome.CHANGES_REQUESTED
    _set_status(
        report,
        ReportStatus.RESUBMITTED if resubmission else ReportStatus.SUBMITTED,
        actor=actor,
        action="reporting.report.submitted",
        version=version.number,
    )
    from reporting.tasks import notify_reviewers_of_submission

    transaction.on_commit(lambda: notify_reviewers_of_submission.delay(version.pk))
    # The official PDF of the version is made in the background, ready before anyone asks for it.
    from reporting.tasks import queue_version_pdf

    transaction.on_commit(lambda: queue_version_pdf.delay(version.pk))
    return version


@transaction.atomic
def recall_submission(*, report: Report, actor: User) -> Report:
    """Take a submission back before the ISU starts reviewing it."""
    _require_focal_point(actor, report)
    report = _lock(report)
    if report.status not in AWAITING_REVIEW:
        raise InvalidTransition(_("A submission can be recalled only until the ISU starts reviewing it."))
    version = report.versions.order_by("-number").first()
    if version.entered_by_isu:
        # The State submitted the original outside the portal; it confirms the ISU's copy or reports a problem.
        raise InvalidTransition(_("A report the ISU entered from the State's original cannot be recalled."))
    version.outcome = VersionOutcome.RECALLED
    version.decided_by, version.decided_at = actor, timezone.now()
    version.save(update_fields=["outcome", "decided_by", "decided_at"])
    earlier = report.versions.exclude(pk=version.pk).order_by("-number").first()
    status = (
        ReportStatus.CHANGES_REQUESTED
        if earlier and earlier.outcome == VersionOutcome.CHANGES_REQUESTED
        else ReportStatus.DRAFT
    )
    _set_status(report, status, actor=actor, action="reporting.report.recalled", version=version.number)
    return report


@transaction.atomic
def start_review(*, report: Report, actor: User) -> Report:
    _require_reviewer(actor)
    report = _lock(report)
    if report.status not in AWAITING_REVIEW:
        raise InvalidTransition(_("Only a submitted report can be taken into review."))
    version = report.versions.order_by("-number").first()
    version.outcome = VersionOutcome.IN_REVIEW
    version.save(update_fields=["outcome"])
    report.reviewer = actor
    report.save(update_fields=["reviewer"])
    _set_status(report, ReportStatus.UNDER_REVIEW, actor=actor, action="reporting.report.review_started")
    return report


@transaction.atomic
def request_changes(*, report: Report, actor: User, reason: str) -> Report:
    _require_reviewer(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the State must change.")})
    report = _lock(report)
    if report.status != ReportStatus.UNDER_REVIEW:
        raise InvalidTransition(_("Changes can be requested only on a report under review."))
    version = report.versions.order_by("-number").first()
    version.outcome = VersionOutcome.CHANGES_REQUESTED
    version.decided_by, version.decided_at, version.decision_reason = actor, timezone.now(), reason.strip()
    version.save(update_fields=["outcome", "decided_by", "decided_at", "decision_reason"])
    # The focal point continues from what was submitted.
    report.draft = formats.content_for_editing(version.content)
    report.revision += 1
    report.save(update_fields=["draft", "revision"])
    _set_status(
        report,
        ReportStatus.CHANGES_REQUESTED,
        actor=actor,
        action="reporting.report.changes_requested",
        reason=reason.strip(),
    )
    _notify_state(report, "changes_requested")
    return report


@transaction.atomic
def accept_report(*, report: Report, actor: User) -> ReportVersion:
    _require_reviewer(actor)
    report = _lock(report)
    if report.status != ReportStatus.UNDER_REVIEW:
        raise InvalidTransition(_("Only a report under review can be accepted."))
    version = report.versions.order_by("-number").first()
    now = timezone.now()
    older = report.versions.filter(outcome=VersionOutcome.ACCEPTED).exclude(pk=version.pk).first()
    version.outcome = VersionOutcome.ACCEPTED
    version.decided_by, version.decided_at = actor, now
    version.save(update_fields=["outcome", "decided_by", "decided_at"])
    if older:
        older.outcome = VersionOutcome.SUPERSEDED
        older.superseded_by = version
        older.save(update_fields=["outcome", "superseded_by"])
    _set_status(report, ReportStatus.ACCEPTED, actor=actor, action="reporting.report.accepted", version=version.number)
    _notify_state(report, "accepted")
    return version


@transaction.atomic
def publish_report(*, report: Report, actor: User) -> Report:
    _require_reviewer(actor)
    report = _lock(report)
    if report.status != ReportStatus.ACCEPTED:
        raise InvalidTransition(_("Only an accepted report can be published."))
    # The version in force becomes readable at its permanent URL, for good (a later correction
    # supersedes it but does not take it down).
    report.versions.filter(outcome=VersionOutcome.ACCEPTED, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    _set_status(
        report, ReportStatus.PUBLISHED, actor=actor, action="reporting.report.published", visibility=report.visibility
    )
    return report


@transaction.atomic
def start_correction(*, report: Report, actor: User) -> Report:
    """After acceptance, the State corrects its report: a new draft from the accepted version.
    The accepted version stays in force, and readable if it was published, until the correction is
    accepted; the corrected version is readable once the ISU publishes it."""
    _require_focal_point(actor, report)
    report = _lock(report)
    if report.status not in (ReportStatus.ACCEPTED, ReportStatus.PUBLISHED):
        raise InvalidTransition(_("Only an accepted report can be corrected."))
    accepted = report.versions.filter(outcome=VersionOutcome.ACCEPTED).order_by("-number").first()
    report.draft = formats.content_for_editing(accepted.content)
    report.revision += 1
    report.save(update_fields=["draft", "revision"])
    _set_status(report, ReportStatus.DRAFT, actor=actor, action="reporting.report.correction_started")
    return report


@transaction.atomic
def update_report_details(
    *, report: Report, actor: User, original_language: str, sent_to_unoda_on: dt.date | None
) -> Report:
    """The report's original language and the date it went to the UN: facts about the report,
    recordable at any status (the UNODA date is often known only after submission)."""
    _require_editor(actor, report)
    report = _lock(report)
    changes = {}
    if original_language != report.original_language:
        changes["original_language"] = [report.original_language, original_language]
        report.original_language = original_language
    if sent_to_unoda_on != report.sent_to_unoda_on:
        changes["sent_to_unoda_on"] = [_plain(report.sent_to_unoda_on), _plain(sent_to_unoda_on)]
        report.sent_to_unoda_on = sent_to_unoda_on
    if changes:
        report.save(update_fields=["original_language", "sent_to_unoda_on"])
        audit.record(actor=actor, action="reporting.report.details_changed", obj=report, changes=changes)
    return report


@transaction.atomic
def set_visibility(*, report: Report, visibility: str, actor: User) -> Report:
    """Public or restricted is the State's explicit choice, recorded."""
    _require_editor(actor, report)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose public or restricted.")})
    report = _lock(report)
    before = report.visibility
    if before == visibility:
        return report
    report.visibility = visibility
    report.save(update_fields=["visibility"])
    audit.record(
        actor=actor, action="reporting.report.visibility_set", obj=report, changes={"visibility": [before, visibility]}
    )
    return report


# --- Review comments ----------------------------------------------------------------------------
@transaction.atomic
def add_comment(
    *,
    report: Report,
    actor: User,
    body: str,
    form_code: str = "",
    field_key: str = "",
    row_id: str = "",
    parent: ReviewComment | None = None,
) -> ReviewComment:
    reviewer = permissions.can(actor, permissions.Capability.REVIEW_REPORTS)
    if not reviewer and not permissions.acts_for_state(actor, report.state):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": _("Write the comment.")})
    if parent is None and not reviewer:
        raise PermissionDenied  # focal points reply to queries; they do not open them
    version = report.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(_("There is no submitted version to comment on."))
    if parent is not None:
        form_code, field_key, row_id = parent.form_code, parent.field_key, parent.row_id
    elif form_code and form_code != "cover":
        spec = version.format_version.spec
        try:
            form = spec.form(form_code)
        except KeyError:
            raise ValidationError({"form_code": _("No such form.")}) from None
        keys = {n.key for n in form.narratives} | {t.key for t in form.tables} | {"", "choice"}
        if field_key not in keys:
            raise ValidationError({"field_key": _("No such field in this form.")})
    comment = ReviewComment.objects.create(
        report=report,
        version=version,
        parent=parent,
        form_code=form_code,
        field_key=field_key,
        row_id=row_id,
        body=body.strip(),
        author=actor,
    )
    audit.record(
        actor=actor,
        action="reporting.comment.replied" if parent else "reporting.comment.added",
        obj=report,
        context={"comment": comment.pk, "anchor": comment.anchor},
    )
    return comment


@transaction.atomic
def resolve_comment(*, comment: ReviewComment, actor: User) -> ReviewComment:
    _require_reviewer(actor)
    if comment.resolved_at:
        return comment
    comment.resolved_at, comment.resolved_by = timezone.now(), actor
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(actor=actor, action="reporting.comment.resolved", obj=comment.report, context={"comment": comment.pk})
    return comment


def _notify_state(report: Report, event: str) -> None:
    from reporting.tasks import notify_focal_points

    transaction.on_commit(lambda: notify_focal_points.delay(report.pk, event))
