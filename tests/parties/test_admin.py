"""ISU staff manage the registry in the admin; each change is audited; others are kept out."""

import datetime as dt

import pytest

from audit.models import AuditEntry
from parties.models import ExtensionRequest, Obligation

PRECISIONS = {f"{name}_precision": "day" for name in ("previous", "submitted", "requested", "decided", "granted")}


def _date(value) -> str:
    return value.isoformat() if value else ""


def inline_forms(obligation: Obligation) -> dict:
    """The obligation page's inline forms as they stand (its extension requests and completion records)."""
    data = {}
    extensions = list(obligation.extensions.all())
    records = list(obligation.completion_records.all())
    for prefix, rows in (("extensions", extensions), ("completion_records", records)):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for i, ext in enumerate(extensions):
        data |= {
            f"extensions-{i}-id": ext.pk,
            f"extensions-{i}-obligation": obligation.pk,
            f"extensions-{i}-meeting": ext.meeting_id or "",
            f"extensions-{i}-status": ext.status,
            f"extensions-{i}-confidence": ext.confidence,
            f"extensions-{i}-source": ext.source,
            f"extensions-{i}-notes": ext.notes,
        }
        for field, precision in (
            ("previous_deadline", "previous_precision"),
            ("submitted_on", "submitted_precision"),
            ("requested_until", "requested_precision"),
            ("decided_on", "decided_precision"),
            ("granted_until", "granted_precision"),
        ):
            data[f"extensions-{i}-{field}"] = _date(getattr(ext, field))
            data[f"extensions-{i}-{precision}"] = getattr(ext, precision)
    for i, record in enumerate(records):
        data |= {
            f"completion_records-{i}-id": record.pk,
            f"completion_records-{i}-obligation": obligation.pk,
            f"completion_records-{i}-finding": record.finding,
            f"completion_records-{i}-completed_on": _date(record.completed_on),
            f"completion_records-{i}-completed_precision": record.completed_precision,
            f"completion_records-{i}-completed_by": _date(record.completed_by),
            f"completion_records-{i}-confidence": record.confidence,
            f"completion_records-{i}-source": record.source,
            f"completion_records-{i}-notes": record.notes,
        }
    return data


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
    }
    data |= inline_forms(obligation)
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
        {
            "obligation": obligation.pk,
            "previous_deadline": "2025-08-01",
            "requested_until": "2030-08-02",  # the 9th Meeting's extension runs to 1 August 2025
            "status": "requested",
            "confidence": "confirmed",
            "source": "test",
        }
        | PRECISIONS,
    )
    assert response.status_code == 200
    assert "at most 5 years" in response.content.decode()
    assert not ExtensionRequest.objects.filter(source="test").exists()


def test_isu_staff_record_an_extension_decision_with_its_precision_and_it_is_audited(client_for, isu_staff):
    obligation = Obligation.objects.get(state__iso3="IRQ", article=4)
    request = obligation.extensions.get(meeting__code="11MSP")
    data = inline_forms(obligation)
    index = next(i for i in range(int(data["extensions-TOTAL_FORMS"])) if data[f"extensions-{i}-id"] == request.pk)
    data |= {
        f"extensions-{index}-status": "granted",
        f"extensions-{index}-decided_on": "2023-09-01",
        f"extensions-{index}-decided_precision": "month",
        f"extensions-{index}-granted_until": "2028-11-01",
    }
    data |= {
        "state": obligation.state_id,
        "article": 4,
        "hostilities_ended_on": "",
        "completed_on": "",
        "completed_precision": "",
        "completed_by": "",
        "confidence": obligation.confidence,
        "source": obligation.source,
        "notes": obligation.notes,
    }
    response = client_for(isu_staff).post(f"/admin/parties/obligation/{obligation.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    entry = AuditEntry.objects.get(action="parties.extension.changed")
    assert entry.actor == isu_staff
    assert entry.changes["decided_precision"] == ["day", "month"]
    assert entry.changes["granted_until"] == [None, "2028-11-01"]
    request.refresh_from_db()
    # Decided "in September 2023" at the 11th Meeting (11-14 September): in force from its last day.
    assert request.in_force_from == dt.date(2023, 9, 14)
    assert obligation.deadline_on(dt.date(2023, 9, 13)) == dt.date(2023, 11, 1)
    assert obligation.deadline_on(dt.date(2023, 9, 14)) == dt.date(2028, 11, 1)


def test_a_completion_record_added_on_the_obligation_is_audited(client_for, isu_staff):
    obligation = Obligation.objects.get(state__iso3="GBR", article=4)
    data = inline_forms(obligation) | {
        "state": obligation.state_id,
        "article": 4,
        "hostilities_ended_on": "",
        "completed_on": "",
        "completed_precision": "",
        "completed_by": "",
        "confidence": obligation.confidence,
        "source": obligation.source,
        "notes": obligation.notes,
        "completion_records-TOTAL_FORMS": "1",
        "completion_records-0-finding": "completed",
        "completion_records-0-completed_precision": "month",
        "completion_records-0-completed_on": "2020-11-01",
        "completion_records-0-completed_by": "",
        "completion_records-0-confidence": "partly unverified",
        "completion_records-0-source": "test source",
        "completion_records-0-notes": "",
    }
    response = client_for(isu_staff).post(f"/admin/parties/obligation/{obligation.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    entry = AuditEntry.objects.get(action="parties.completion_record.created")
    assert entry.changes["completed_precision"] == [None, "month"]
    assert obligation.completion_records.get().completion.display() == "November 2020"


@pytest.mark.parametrize("url", ["/admin/parties/extensionrequest/", "/admin/parties/publishedfigure/"])
def test_the_public_record_lists_open_for_isu_staff(client_for, isu_staff, url):
    page = client_for(isu_staff).get(url)
    assert page.status_code == 200
    if "extension" in url:
        html = page.content.decode()
        assert "LAO" in html and "2018-12-02: late" in html  # Germany filed after the window closed


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
        ("/admin/parties/obligation/", {"q": "Bulgaria"}, {}),
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
    # The count (import-export asks it first), obligations (with their States), extensions, their meetings,
    # completion records.
    assert queries(few) == queries(resource.get_queryset()) == 5
