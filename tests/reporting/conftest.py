import pytest

from parties.models import State
from reporting import services
from reporting.formats import Choice
from reporting.models import ReportKind


def fill_minimal(report, *, form_b_stock=None):
    """A complete report: cover page, Form A in full, every other form not applicable
    except Form B when ``form_b_stock`` rows are given."""
    content = report.draft
    content["cover"].update(
        contact_name="Focal Point", contact_institution="Ministry of Foreign Affairs", contact_email="fp@example.org"
    )
    forms = content["forms"]
    forms["A"].update(choice=Choice.CHANGED, narratives={"summary": "Law No. 12 prohibits cluster munitions."})
    forms["A"]["tables"]["measures"] = [
        {"_id": "m1", "kind": "legislation", "title": "Law No. 12", "adopted_on": "2012-05-01", "status": "in_force"}
    ]
    spec = report.format_version.spec
    for form in spec.forms[1:]:
        forms[form.code].update(choice=Choice.NOT_APPLICABLE, na_statement=form.nil_statement)
    if form_b_stock is not None:
        forms["B"].update(choice=Choice.CHANGED, na_statement="")
        forms["B"]["tables"]["stockpile"] = form_b_stock
    return content


@pytest.fixture
def lao(reference_data):
    return State.objects.get(iso3="LAO")


@pytest.fixture
def initial_report(focal_point, lao):
    return services.start_report(state=lao, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)


def publish_publicly(report, focal_point, isu_staff):
    """The focal point makes ``report`` public and submits it; the ISU reviews, accepts and publishes it."""
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    services.publish_report(report=report, actor=isu_staff)
    report.refresh_from_db()
    return report
