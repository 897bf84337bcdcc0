"""Who sees which report, decided in reporting.access."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reporting import access, services
from reporting.models import ReportStatus
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(initial_report, focal_point, isu_staff):
    def publish(visibility):
        report = services.save_draft(
            report=initial_report, content=fill_minimal(initial_report), base_revision=0, actor=focal_point
        )
        services.set_visibility(report=report, visibility=visibility, actor=focal_point)
        services.submit_report(report=report, actor=focal_point)
        services.start_review(report=report, actor=isu_staff)
        services.accept_report(report=report, actor=isu_staff)
        return services.publish_report(report=report, actor=isu_staff)

    return publish


def test_a_draft_is_seen_by_its_state_and_the_isu_only(
    initial_report, focal_point, other_focal_point, coordinator, donor, isu_staff
):
    from django.contrib.auth.models import AnonymousUser

    assert access.get_report(focal_point, initial_report.pk, to="edit") == initial_report
    assert access.get_report(isu_staff, initial_report.pk, to="review") == initial_report
    for outsider in (other_focal_point, coordinator, donor, AnonymousUser()):
        with pytest.raises(Http404):
            access.get_report(outsider, initial_report.pk)
    with pytest.raises(PermissionDenied):
        access.get_report(isu_staff, initial_report.pk, to="edit")
    with pytest.raises(PermissionDenied):
        access.get_report(focal_point, initial_report.pk, to="review")


def test_a_published_public_report_is_seen_by_everyone(published, coordinator, donor, other_focal_point):
    from django.contrib.auth.models import AnonymousUser

    report = published("public")
    assert report.status == ReportStatus.PUBLISHED
    for reader in (coordinator, donor, other_focal_point, AnonymousUser()):
        assert access.get_report(reader, report.pk) == report
    with pytest.raises(PermissionDenied):
        access.get_report(other_focal_point, report.pk, to="edit")


def test_a_restricted_report_is_for_states_parties_and_the_isu(published, coordinator, donor, other_focal_point):
    from django.contrib.auth.models import AnonymousUser

    report = published("restricted")
    assert access.get_report(other_focal_point, report.pk) == report
    for outsider in (coordinator, donor, AnonymousUser()):
        with pytest.raises(Http404):
            access.get_report(outsider, report.pk)
