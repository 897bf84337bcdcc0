"""Who may see and act on which report: the only module of this app that decides it (views, services,
the workbook and the notifications ask here, on ``accounts.permissions``' capabilities).

Outsiders get 404 (they may not know a draft exists); people who may see a report but
not do what they ask get 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.decorators import capability_required
from accounts.permissions import Capability
from reporting.models import (
    EDITABLE_STATUSES,
    READER_VERSIONS,
    AssignmentStatus,
    FormAssignment,
    Report,
    ReportEntry,
    ReportQuerySet,
    ReportVersion,
    Visibility,
)


# --- Who is who, for reports --------------------------------------------------------------------------
def is_reviewer(user: Any) -> bool:
    """ISU staff, with their second factor: they review, accept, publish and enter reports."""
    return permissions.can(user, Capability.REVIEW_REPORTS)


def prepares_reports(user: Any) -> bool:
    """A focal point of a State (whose reports they prepare; ``may_prepare`` says which)."""
    return bool(permissions.can(user, Capability.PREPARE_REPORTS) and user.state_id)


def may_prepare(user: Any, report: Report) -> bool:
    """The one rule "may prepare this report": its own State's focal point."""
    return permissions.acts_for_state(user, report.state) and permissions.can(user, Capability.PREPARE_REPORTS)


def may_prepare_for(user: Any, state: Any) -> bool:
    """Whether ``user`` prepares ``state``'s reports (before a report exists, e.g. starting one)."""
    return permissions.acts_for_state(user, state) and permissions.can(user, Capability.PREPARE_REPORTS)


def may_read_drafts(user: Any, report: Report) -> bool:
    """The working copy and every version of ``report``: the State's focal points and the ISU."""
    return may_prepare(user, report) or is_reviewer(user)


# --- The national reporting team -------------------------------------------------------------------------
def contributes(user: Any) -> bool:
    """A national contributor of a State (invited by its focal point): works on the forms given to them."""
    return bool(permissions.can(user, Capability.CONTRIBUTE_TO_REPORTS) and user.state_id)


def may_assign(user: Any, report: Report) -> bool:
    """Giving the forms of ``report`` to contributors: its State's focal point, while the report is editable."""
    return may_prepare(user, report) and report.status in EDITABLE_STATUSES


def team_of(state: Any) -> Q:
    """The State's active national contributors (a filter on users)."""
    return permissions.holders(Capability.CONTRIBUTE_TO_REPORTS) & Q(state=state)


def editable_forms(user: Any, report: Report) -> frozenset[str] | None:
    """What of ``report``'s working copy ``user`` may change: ``None`` for all of it (its editor, ``may_edit``);
    otherwise the codes of the forms given to ``user`` as a contributor and not handed back to the focal point,
    while the report is editable and not being entered by the ISU (empty for everyone else)."""
    if may_edit(user, report):
        return None
    if not (contributes(user) and user.state_id == report.state_id and report.status in EDITABLE_STATUSES):
        return frozenset()
    if entry_in_progress(report):
        return frozenset()
    open_ = (AssignmentStatus.IN_PROGRESS, AssignmentStatus.RETURNED)
    given = FormAssignment.objects.filter(report=report, contributor=user, status__in=open_)
    return frozenset(given.values_list("form_code", flat=True))


def get_report_for_form(user: Any, pk: int, code: str | None = None) -> Report:
    """The report ``pk`` for its Form ``code``'s editing page (any form of it: its workbook): its editor's
    (``get_report(…, to="edit")``), or a contributor's of the State to whom that form (a form) is given (404 for
    any other form, report or State)."""
    if not contributes(user):
        return get_report(user, pk, to="edit")
    reports = Report.objects.select_related("state", "format_version", "updated_by").annotate(
        entering_by_isu=_OPEN_ENTRY
    )
    given = Q(assignments__contributor=user) & (Q(assignments__form_code=code) if code else Q())
    report = reports.filter(given, pk=pk, state_id=user.state_id).distinct().first()
    if report is None:
        raise Http404
    return report


def team_dates_followed_by(user: Any) -> QuerySet[FormAssignment]:
    """The forms whose internal due dates ``user`` follows in their calendar: a contributor's own; every form of
    their State's reports given to a contributor, for a focal point; none for anyone else (the ISU included)."""
    if contributes(user):
        return assignments_of(user)
    if prepares_reports(user):
        return FormAssignment.objects.filter(report__state_id=user.state_id)
    return FormAssignment.objects.none()


def assignments_of(user: Any) -> QuerySet[FormAssignment]:
    """The forms given to ``user``, in their own State's reports only; none for anyone but a contributor."""
    if not contributes(user):
        return FormAssignment.objects.none()
    return FormAssignment.objects.filter(contributor=user, report__state_id=user.state_id)


# Views only ISU reviewers open (403 to others signed in; the second factor asked for first).
reviewer_required = capability_required(Capability.REVIEW_REPORTS)


def reviewers() -> Q:
    """Whom a submission is announced to: active users who review reports (a filter on users)."""
    return permissions.holders(Capability.REVIEW_REPORTS)


def focal_points_of(state: Any) -> Q:
    """Whom a report's outcome is told to: the State's active focal points (a filter on users)."""
    return permissions.holders(Capability.PREPARE_REPORTS) & Q(state=state)


_OPEN_ENTRY = Exists(ReportEntry.objects.filter(report=OuterRef("pk"), version__isnull=True))


def reports_visible_to(user: Any) -> ReportQuerySet:
    reports = Report.objects.select_related("state", "format_version", "reviewer", "updated_by")
    if permissions.can(user, Capability.REVIEW_REPORTS):
        return reports
    if permissions.can(user, Capability.PREPARE_REPORTS) and user.state_id:
        # Focal points speak for States Parties: they also read reports restricted to States Parties.
        published = Report.objects.with_published_version().values("pk")
        return reports.filter(Q(pk__in=published) | Q(state_id=user.state_id))
    # A report stays readable while its State prepares a correction: its published versions do not change.
    return reports.with_published_version(public_only=True)


def readable_versions(user: Any, versions: QuerySet[ReportVersion] | None = None) -> QuerySet[ReportVersion]:
    """The versions (among ``versions``) a reader may open: published ones, and restricted ones only for
    States Parties' focal points and the ISU. A State's own focal points and the ISU see every version
    on their own pages; this is what everyone else sees."""
    versions = ReportVersion.objects.all() if versions is None else versions
    versions = versions.filter(READER_VERSIONS)
    if not (permissions.can(user, Capability.PREPARE_REPORTS) or permissions.can(user, Capability.REVIEW_REPORTS)):
        versions = versions.filter(visibility=Visibility.PUBLIC)
    return versions


def get_report(user: Any, pk: int, *, to: str = "view") -> Report:
    """The report ``pk`` if ``user`` may see it (else 404) and may do ``to`` (else 403):
    ``view``, ``edit`` (its State's focal point, while editable; the ISU while it enters the report from an
    original, see ``may_edit``) or ``review`` (ISU staff)."""
    # Whether the ISU is entering it from an original comes in the same query (``may_edit`` and the pages read it).
    report = reports_visible_to(user).annotate(entering_by_isu=_OPEN_ENTRY).filter(pk=pk).first()
    if report is None:
        raise Http404
    if to == "edit" and not may_edit(user, report):
        raise PermissionDenied
    if to == "review" and not permissions.can(user, Capability.REVIEW_REPORTS):
        raise PermissionDenied
    return report


# --- Reports the ISU enters from an original (reporting.entry) --------------------------------------------
def may_enter_reports(user: Any) -> bool:
    """Entering a report on a State's behalf is part of the ISU's review work: the same capability (and so
    the same verified second factor)."""
    return permissions.can(user, Capability.REVIEW_REPORTS)


def entry_in_progress(report: Report) -> bool:
    """Whether the ISU is typing this report in from an original (an entry not yet recorded): from
    ``get_report``'s annotation when the report came from it, else one query."""
    annotated = getattr(report, "entering_by_isu", None)
    if annotated is not None:
        return annotated
    return ReportEntry.objects.filter(report=report, version__isnull=True).exists()


def may_edit(user: Any, report: Report) -> bool:
    """Who edits a report's working copy: its State's focal point; but while the ISU enters it from an
    original, the ISU alone (the focal point confirms the recorded version instead)."""
    if entry_in_progress(report):
        return may_enter_reports(user)
    return permissions.acts_for_state(user, report.state) and permissions.can(user, Capability.PREPARE_REPORTS)


def get_entry(user: Any, pk: int) -> ReportEntry:
    """An entry, for ISU staff only (403 to everyone else signed in: they know staff pages exist)."""
    if not may_enter_reports(user):
        raise PermissionDenied
    entry = ReportEntry.objects.select_related("report__state", "report__format_version", "created_by", "version")
    found = entry.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_version(user: Any, pk: int, number: int) -> tuple[Report, ReportVersion]:
    """The version ``number`` of report ``pk`` as ``version_detail`` lets ``user`` read it (else 404): every
    version for the State's focal points and the ISU; published ones for other readers, restricted ones only
    for States Parties' focal points and the ISU. The original of an entered report follows the same rule."""
    report = get_report(user, pk)
    versions = report.versions.all()
    owner = permissions.acts_for_state(user, report.state) and permissions.can(user, Capability.PREPARE_REPORTS)
    if not (owner or permissions.can(user, Capability.REVIEW_REPORTS)):
        versions = readable_versions(user, versions)
    version = versions.filter(number=number).first()
    if version is None:
        raise Http404
    return report, version


def may_confirm(user: Any, report: Report) -> bool:
    """Confirming (or questioning) a version the ISU entered is the State's word: its focal points."""
    return permissions.acts_for_state(user, report.state) and permissions.can(user, Capability.PREPARE_REPORTS)


def reads_restricted_versions(user: Any) -> bool:
    """Published versions restricted to States Parties: their focal points (of any State) and the ISU read
    them; everyone else reads the public ones only."""
    return permissions.can(user, Capability.PREPARE_REPORTS) or permissions.can(user, Capability.REVIEW_REPORTS)
