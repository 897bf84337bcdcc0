"""Changes made in the admin to many-to-many fields are audited with the related objects before and after."""

import datetime as dt

import pytest

from assistance.models import Coalition, Donor
from audit.models import AuditEntry
from parties.models import State

pytestmark = pytest.mark.django_db


def test_a_coalitions_partners_changed_in_the_admin_leave_an_audit_entry(client_for, isu_staff):
    lao = State.objects.get(iso3="LAO")
    norway = Donor.objects.create(state=State.objects.get(iso3="NOR"))
    unmas = Donor.objects.create(organization="UNMAS")
    coalition = Coalition.objects.create(state=lao, formed_on=dt.date(2025, 9, 1), source="11MSP report")
    coalition.partners.add(norway)
    url = f"/admin/assistance/coalition/{coalition.pk}/change/"
    data = {
        "state": lao.pk,
        "partners": [norway.pk, unmas.pk],
        "description": "",
        "formed_on": "2025-09-01",
        "formed_precision": "day",
        "source": "11MSP report",
        "meetings-TOTAL_FORMS": "0",
        "meetings-INITIAL_FORMS": "0",
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "1000",
    }
    response = client_for(isu_staff).post(url, data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    entry = AuditEntry.objects.get(action="assistance.coalition.relations_changed")
    assert entry.changes == {"partners": [["Norway"], ["Norway", "UNMAS"]]}
    assert entry.actor == isu_staff
    # Saving again unchanged adds no entry.
    client_for(isu_staff).post(url, data)
    assert AuditEntry.objects.filter(action="assistance.coalition.relations_changed").count() == 1
