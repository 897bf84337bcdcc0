"""What a previous build made, found by its marker (accounts at ``plan.DOMAIN``, donors named
``plan.DONOR_PREFIX``…), and its removal: everything those accounts wrote, then the accounts and donors."""

from __future__ import annotations

from accounts.models import User
from assistance.models import AssistanceOffer, AssistanceRequest, Donor, Match
from audit.models import AuditEntry
from ccm_portal.management.volume.plan import DOMAIN, DONOR_PREFIX
from reporting.models import Report, ReportVersion


def users():
    return User.objects.filter(email__endswith=f"@{DOMAIN}")


def exists() -> bool:
    return users().exists() or Donor.objects.filter(organization__startswith=DONOR_PREFIX).exists()


def remove() -> dict[str, int]:
    """Removes the volume; returns how many rows of each kind went."""
    people = users()
    reports = Report.objects.filter(created_by__in=people)
    versions = ReportVersion.objects.filter(report__in=reports)
    versions.update(superseded_by=None)
    requests = AssistanceRequest.objects.filter(created_by__in=people)
    offers = AssistanceOffer.objects.filter(created_by__in=people)
    gone = {
        "audit entries": AuditEntry.objects.filter(actor__in=people).delete()[0],
        "matches": Match.objects.filter(proposed_by__in=people).delete()[0],
        "offers": offers.delete()[0],
        "requests": requests.delete()[0],
        "versions": versions.delete()[0],
        "reports": reports.delete()[0],
    }
    gone["donors"] = Donor.objects.filter(organization__startswith=DONOR_PREFIX).delete()[0]
    gone["accounts"] = people.delete()[0]
    return gone
