"""ISU staff manage the registry in the admin; each change is audited; others are kept out."""

import pytest

from audit.models import AuditEntry
from parties.models import Obligation

pytestmark = pytest.mark.django_db


def test_isu_staff_correct_an_obligation_and_the_change_is_audited(client_for, isu_staff):
    obligation = Obligation.objects.get(state__iso3="PER", article=3)
    client = client_for(isu_staff)
    page = client.get(f"/admin/parties/obligation/{obligation.pk}/change/")
    assert page.status_code == 200
    data = {
        "state": obligation.state_id,
        "article": 3,
        "hostilities_ended_on": "",
        "completed_on": "2024-03-01",
        "completed_precision": "month",
        "completed_by": "",
        "confidence": "confirmed",
        "source": "ISU: Peru declared completion (test)",
        "notes": "",
        "extensions-TOTAL_FORMS": "0",
        "extensions-INITIAL_FORMS": "0",
    }
    existing = list(obligation.extensions.all())
    data["extensions-TOTAL_FORMS"] = data["extensions-INITIAL_FORMS"] = str(len(existing))
    for i, ext in enumerate(existing):
        data |= {
            f"extensions-{i}-id": ext.pk,
            f"extensions-{i}-obligation": obligation.pk,
            f"extensions-{i}-meeting": "",
            f"extensions-{i}-submitted_on": "",
            f"extensions-{i}-requested_until": ext.requested_until.isoformat(),
            f"extensions-{i}-status": ext.status,
            f"extensions-{i}-granted_until": ext.granted_until.isoformat() if ext.granted_until else "",
            f"extensions-{i}-source": ext.source,
        }
    response = client.post(f"/admin/parties/obligation/{obligation.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    entry = AuditEntry.objects.get(action="parties.obligation.changed")
    assert entry.actor == isu_staff
    assert entry.changes["completed_on"] == [None, "2024-03-01"]
    assert entry.changes["confidence"] == ["partly unverified", "confirmed"]


def test_an_extension_longer_than_the_treaty_allows_is_refused(client_for, isu_staff):
    obligation = Obligation.objects.get(state__iso3="LAO", article=4)
    response = client_for(isu_staff).post(
        "/admin/parties/extensionrequest/add/",
        {"obligation": obligation.pk, "requested_until": "2026-08-02", "status": "requested", "source": "test"},
    )
    assert response.status_code == 200
    assert "at most 5 years" in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/", "/admin/parties/state/", "/admin/parties/obligation/import/"])
def test_admin_for_each_persona(client_for, url, isu_staff, isu_staff_without_2fa, focal_point, coordinator):
    assert client_for(isu_staff).get(url).status_code == 200
    response = client_for(isu_staff_without_2fa).get(url)
    assert response["Location"].startswith("/me/two-factor/")  # to enrol, after proving their mailbox
    response = client_for(isu_staff, second_factor=False).get(url)
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")  # to give the code
    for lesser in (focal_point, coordinator):
        response = client_for(lesser).get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert "/login/" in client_for(None).get(url)["Location"]


def test_audit_entries_cannot_be_edited_even_by_staff(client_for, isu_staff):
    entry = AuditEntry.objects.create(action="test.entry", object_type="x", object_id="1", object_repr="x")
    client = client_for(isu_staff)
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403


def _count(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url", "few", "many"),
    [
        ("/admin/parties/state/", {"region": "Middle East"}, {}),
        ("/admin/parties/obligation/", {"article__exact": "3", "confidence__exact": "confirmed"}, {}),
        ("/admin/parties/extensionrequest/", {"status__exact": "requested"}, {}),
        ("/admin/audit/auditentry/", {"action": "parties.extension.imported"}, {}),
    ],
)
def test_admin_lists_run_the_same_number_of_queries_for_few_and_many_rows(client_for, isu_staff, url, few, many):
    client = client_for(isu_staff)
    _count(client, url, many)  # warm caches (content types, sessions)
    assert _count(client, url, few) == _count(client, url, many)


def test_registry_export_query_count_does_not_grow_with_rows():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parties.resources import ObligationResource

    def queries(queryset):
        with CaptureQueriesContext(connection) as ctx:
            ObligationResource().export(queryset).export("csv")
        return len(ctx.captured_queries)

    resource = ObligationResource()
    few = resource.get_queryset().filter(state__iso3__in=["BGR", "HRV"])
    assert queries(few) == queries(resource.get_queryset()) == 3  # obligations, extensions, meetings
