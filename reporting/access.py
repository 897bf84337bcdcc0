"""Who may see and act on which report: the one fetch-and-authorize helper for reports.

Outsiders get 404 (they may not know a draft exists); people who may see a report but
not do what they ask get 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.permissions import Capability
from reporting.models import READER_VERSIONS, Report, ReportQuerySet, ReportVersion, Visibility


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
    ``view``, ``edit`` (its State's focal point, while editable) or ``review`` (ISU staff)."""
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404
    if to == "edit" and not (
        permissions.acts_for_state(user, report.state) and permissions.can(user, Capability.PREPARE_REPORTS)
    ):
        raise PermissionDenied
    if to == "review" and not permissions.can(user, Capability.REVIEW_REPORTS):
        raise PermissionDenied
    return report
