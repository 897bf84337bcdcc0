"""Starting a report and editing its working copy: the draft (refused with ``EditConflict`` when someone saved
since the editor loaded it), the nil report, the report's details and its visibility."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import audit.selectors
import audit.services
from accounts.models import User
from ccm_portal.core import clock
from parties.models import State
from reporting import access, formats
from reporting.content import content_changes, places
from reporting.formats import Choice
from reporting.models import EDITABLE_STATUSES, FormatVersion, Report, ReportKind, Visibility
from reporting.periods import expected_annual_years, last_accepted_version
from reporting.services.workflow import InvalidTransition, lock, require_editor


class EditConflict(Exception):
    """Someone saved the report since this user loaded it. Nothing was written."""

    def __init__(self, *, report: Report, changed: list[str], by: User | None, at: dt.datetime):
        self.report = report
        self.changed = changed
        self.by = by
        self.at = at
        super().__init__("edit conflict")


@transaction.atomic
def start_report(
    *, state: State, kind: str, period_year: int | None, actor: User, from_last_year: bool = False
) -> Report:
    """Open a new draft. ``from_last_year`` pre-fills it from the State's last accepted report and
    sets each form given last year to "unchanged since", for the focal point to confirm or change."""
    if not access.may_prepare_for(actor, state):
        raise PermissionDenied
    if kind == ReportKind.INITIAL:
        period_year = None
        if Report.objects.filter(state=state, kind=ReportKind.INITIAL).exists():
            raise ValidationError(_("%(state)s already has an initial report.") % {"state": state.local_name})
    else:
        allowed = expected_annual_years(state, today=clock.today())
        if period_year not in allowed:
            raise ValidationError(
                _("%(state)s has no annual update to make for %(year)s.")
                % {"state": state.local_name, "year": period_year}
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
    audit.services.record(
        actor=actor,
        action="reporting.report.started",
        obj=report,
        context={"from_version": source.pk if source else None, "format": format_version.code},
    )
    return report


@transaction.atomic
def save_draft(*, report: Report, content: dict[str, Any], base_revision: int, actor: User) -> Report:
    """Save the working copy. Its editor may change all of it; a national contributor only the forms given to
    them (``reporting.access.editable_forms``). Refused with ``EditConflict`` when someone saved, since
    ``base_revision``, a part this save changes (two people saving different forms both get through); the caller
    keeps what its user typed and shows what changed."""
    report = lock(report)
    scope = access.editable_forms(actor, report)
    if scope is not None and not scope and not access.contributes(actor):
        raise PermissionDenied
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(
            _("This report is %(status)s and cannot be edited.") % {"status": report.get_status_display()}
        )
    # What the focal point chose is what is saved: detection only suggests (``choice_suggestions``).
    before = report.draft
    changes = content_changes(before, content)
    mine = set(places(list(changes)))
    if scope is not None and not mine <= {f"Form {code}" for code in scope}:
        raise InvalidTransition(
            _(
                "You can change only the forms given to you, until you mark them ready for the focal point. "
                "Nothing was saved."
            )
        )
    if report.revision != base_revision:
        # Each save's audit entry names the places it changed and the revision it made.
        newer = list(
            audit.selectors.entries(report, "reporting.report.saved").filter(context__revision__gt=base_revision)
        )
        changed = places([path for entry in newer for path in entry.changes])
        if mine & set(changed):
            raise EditConflict(
                report=report,
                changed=changed,
                by=newer[0].actor if newer else report.updated_by,
                at=report.updated_at,
            )
    report.draft = content
    report.revision += 1
    report.updated_by = actor
    fields = ["draft", "revision", "updated_by", "updated_at"]
    if report.is_nil and changes:
        report.is_nil = False
        fields.append("is_nil")
    report.save(update_fields=fields)
    if changes:
        audit.services.record(
            actor=actor,
            action="reporting.report.saved",
            obj=report,
            changes=changes,
            context={"revision": report.revision, "status": report.status},
        )
    return report


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
    audit.services.record(
        actor=actor, action="reporting.report.marked_nil", obj=report, changes={"is_nil": [False, True]}
    )
    return report


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def update_report_details(
    *, report: Report, actor: User, original_language: str, sent_to_unoda_on: dt.date | None
) -> Report:
    """The report's original language and the date it went to the UN: facts about the report,
    recordable at any status (the UNODA date is often known only after submission)."""
    require_editor(actor, report)
    report = lock(report)
    changes = {}
    if original_language != report.original_language:
        changes["original_language"] = [report.original_language, original_language]
        report.original_language = original_language
    if sent_to_unoda_on != report.sent_to_unoda_on:
        changes["sent_to_unoda_on"] = [_plain(report.sent_to_unoda_on), _plain(sent_to_unoda_on)]
        report.sent_to_unoda_on = sent_to_unoda_on
    if changes:
        report.save(update_fields=["original_language", "sent_to_unoda_on"])
        audit.services.record(actor=actor, action="reporting.report.details_changed", obj=report, changes=changes)
    return report


@transaction.atomic
def set_visibility(*, report: Report, visibility: str, actor: User) -> Report:
    """Public or restricted is the State's explicit choice, recorded."""
    require_editor(actor, report)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose public or restricted.")})
    report = lock(report)
    before = report.visibility
    if before == visibility:
        return report
    report.visibility = visibility
    report.save(update_fields=["visibility"])
    audit.services.record(
        actor=actor, action="reporting.report.visibility_set", obj=report, changes={"visibility": [before, visibility]}
    )
    return report
