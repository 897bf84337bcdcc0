"""The focal point gives a report's forms to the State's national contributors with internal due dates; each
contributor lists the forms given to them. Only the State's focal point gives forms, only to the State's own
active contributors, only while the report is editable; every change is in the report's audit trail."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEntry
from reporting.models import FormAssignment
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def team_url(report):
    return reverse("reporting:report_team", args=[report.pk])


def give(client, report, **lines):
    """POST the team form: ``B=(user, "2027-03-01")`` per form; every other form given to nobody."""
    data = {}
    for code, (user, due) in lines.items():
        data[f"contributor-{code}"] = str(user.pk) if user else ""
        data[f"due-{code}"] = due or ""
    return client.post(team_url(report), data)


def test_the_focal_point_gives_forms_with_internal_due_dates(client_for, focal_point, initial_report, mod, nra):
    client = client_for(focal_point)
    page = client.get(team_url(initial_report)).content.decode()
    assert "Ministry of Defence" in page and "NRA" in page
    response = give(client, initial_report, B=(mod, "2027-03-01"), F=(nra, "2027-03-15"))
    assert response.status_code == 302
    given = {a.form_code: (a.contributor, a.due_on, a.status) for a in FormAssignment.objects.all()}
    assert given == {
        "B": (mod, dt.date(2027, 3, 1), "in_progress"),
        "F": (nra, dt.date(2027, 3, 15), "in_progress"),
    }

    def entries():
        return AuditEntry.objects.for_object(initial_report).filter(action="reporting.report.form_assigned")

    assert {(e.context["form"], e.actor, tuple(e.changes["contributor"])) for e in entries()} == {
        ("B", focal_point, (None, "mod@example.la")),
        ("F", focal_point, (None, "nra@example.la")),
    }
    # Saved again unchanged, nothing is written; Form B taken back: its line goes, and the trail says so.
    give(client, initial_report, B=(mod, "2027-03-01"), F=(nra, "2027-03-15"))
    assert entries().count() == 2
    give(client, initial_report, F=(nra, "2027-03-15"))
    assert list(FormAssignment.objects.values_list("form_code", flat=True)) == ["F"]
    assert entries().count() == 3
    assert entries().order_by("-pk").first().changes["contributor"] == ["mod@example.la", None]


def test_forms_go_only_to_the_states_own_active_contributors(client_for, focal_point, initial_report, mod):
    other_state = make_user(Role.CONTRIBUTOR, iso3="AUS", organization="Defence", email="def@example.au")
    mod.is_active = False
    mod.save()
    client = client_for(focal_point)
    for stranger in (other_state, mod):
        response = give(client, initial_report, B=(stranger, "2027-03-01"))
        assert response.status_code == 400
        assert 'value="2027-03-01"' in response.content.decode()  # what was typed stays
    assert not FormAssignment.objects.exists()


def test_only_the_states_focal_point_gives_forms_while_the_report_is_editable(
    client_for, focal_point, other_focal_point, isu_staff, initial_report, mod
):
    assert client_for(other_focal_point).get(team_url(initial_report)).status_code == 404
    assert client_for(mod).get(team_url(initial_report)).status_code == 404  # a contributor opens no report by id
    assert client_for(isu_staff).get(team_url(initial_report)).status_code == 403
    assert give(client_for(other_focal_point), initial_report, B=(mod, "")).status_code == 404
    assert not FormAssignment.objects.exists()


def test_a_contributor_lists_the_forms_given_to_them(client_for, focal_point, initial_report, mod, nra, set_today):
    give(client_for(focal_point), initial_report, B=(mod, "2027-03-01"), C=(mod, ""), F=(nra, "2027-03-15"))
    set_today(dt.date(2027, 3, 10))
    page = client_for(mod).get(reverse("reporting:my_forms")).content.decode()
    assert "Form B" in page and "Form C" in page and "Form F" not in page
    assert page.count("Overdue") == 1  # B was due on 1 March; C has no date
    assert "No date set" in page
    assert client_for(focal_point).get(reverse("reporting:my_forms")).status_code == 403


def test_a_contributors_list_costs_the_same_queries_however_many_forms(client_for, focal_point, initial_report, mod):
    give(client_for(focal_point), initial_report, B=(mod, ""))
    client = client_for(mod)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reporting:my_forms"))
    give(client_for(focal_point), initial_report, **dict.fromkeys("BCDEFGHIJ", (mod, "2027-03-01")))
    client = client_for(mod)
    with CaptureQueriesContext(connection) as nine:
        page = client.get(reverse("reporting:my_forms")).content.decode()
    assert page.count("Form ") >= 9
    assert len(nine) == len(one)


def test_the_team_page_costs_the_same_queries_however_many_contributors(client_for, focal_point, initial_report, mod):
    """Each of the ten forms' lines offers the whole team: the choices come from the team loaded once (a
    queryset per line made a query per form, twice on a save)."""
    client = client_for(focal_point)
    give(client, initial_report, B=(mod, "2027-03-01"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(team_url(initial_report)).status_code == 200
    for n in range(4):
        make_user(Role.CONTRIBUTOR, iso3="LAO", organization=f"Body {n}", email=f"body{n}@example.la")
    with CaptureQueriesContext(connection) as five:
        page = client.get(team_url(initial_report)).content.decode()
    assert page.count("Body 3") == 10  # offered on every form's line
    assert len(five) == len(one) == 5  # session, user, report, team, its forms
