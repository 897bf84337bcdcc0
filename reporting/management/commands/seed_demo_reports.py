"""A published demo report for the demo focal point's State (Lao PDR), so that a newcomer can
try "start from last year", the review screens and the public page. Development only.

The figures are invented for the demo and say so in the report itself.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import permissions
from accounts.models import Role, User
from reporting import services
from reporting.formats import Choice
from reporting.models import Report, ReportKind

DEMO_YEAR = 2024


class Command(BaseCommand):
    help = "Create a published demo Article 7 report for the demo focal point's State (once)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never on a real deployment).")

    @transaction.atomic
    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development only (DJANGO_DEBUG=1), or pass --force.")
        focal_point = User.objects.filter(email="focal.point@demo.ccm-portal.test").select_related("state").first()
        reviewer = User.objects.filter(email="isu@demo.ccm-portal.test", role=Role.ISU_STAFF).first()
        if focal_point is None or reviewer is None:
            raise CommandError("Create the demo accounts first: manage.py seed_demo")
        # Run on the server by its operator: no sign-in session whose second factor could be asked.
        permissions.mark_second_factor(reviewer, verified=True)
        state = focal_point.state
        if Report.objects.filter(state=state, kind=ReportKind.ANNUAL, period_year=DEMO_YEAR).exists():
            self.stdout.write(f"Demo report for {state.name} {DEMO_YEAR} already exists.")
            return
        report = services.start_report(state=state, kind=ReportKind.ANNUAL, period_year=DEMO_YEAR, actor=focal_point)
        content = demo_content(report, focal_point)
        report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
        services.set_visibility(report=report, visibility="public", actor=focal_point)
        services.submit_report(report=report, actor=focal_point)
        services.start_review(report=report, actor=reviewer)
        services.accept_report(report=report, actor=reviewer)
        services.publish_report(report=report, actor=reviewer)
        self.stdout.write(self.style.SUCCESS(f"Published a demo report for {state.name} ({DEMO_YEAR})."))


def demo_content(report: Report, focal_point: User) -> dict[str, Any]:
    """The demo report's content: the cover page, Form A's measures, Forms F, G and H filled in (areas in
    Form F go with risk education and victim assistance), every other form not applicable."""
    content = report.draft
    content["cover"].update(
        contact_name="Demo Focal Point",
        contact_institution="National Regulatory Authority (demo)",
        contact_email=focal_point.email,
    )
    forms = content["forms"]
    forms["A"].update(
        choice=Choice.CHANGED,
        narratives={"summary": "DEMO DATA — invented for trying the portal. National measures are in force."},
    )
    forms["A"]["tables"]["measures"] = [
        {"_id": "demo_a1", "kind": "legislation", "title": "Demo decree on cluster munitions", "status": "in_force"}
    ]
    for form in report.format_version.spec.forms[1:]:
        forms[form.code].update(choice=Choice.NOT_APPLICABLE, na_statement=form.nil_statement)
    _fill_form_f(forms["F"])
    _fill_forms_g_and_h(forms["G"], forms["H"])
    return content


def _fill_form_f(form: dict[str, Any]) -> None:
    """Form F: two contaminated areas and one cleared."""
    form.update(
        choice=Choice.CHANGED,
        na_statement="",
        narratives={"programme": "DEMO DATA — survey and clearance continued in the provinces listed."},
    )
    form["tables"]["areas"] = [
        {
            "_id": "demo_f1",
            "location": "Demo Province North",
            "area": "12.5 km2",
            "qualifier": "approximately",
            "status": "confirmed",
        },
        {
            "_id": "demo_f2",
            "location": "Demo Province South",
            "area": "480 ha",
            "status": "suspected",
            "mixed_hazard": True,
        },
    ]
    form["tables"]["cleared"] = [
        {
            "_id": "demo_c1",
            "location": "Demo Province North",
            "area": "3.2 km2",
            "remnant_type": "BLU-26",
            "remnant_quantity": "1450",
        }
    ]


def _fill_forms_g_and_h(form_g: dict[str, Any], form_h: dict[str, Any]) -> None:
    """Contaminated areas in Form F go with risk education (G) and victim assistance (H): the demo must not
    show the contradiction the cross-checks warn about."""
    form_g.update(
        choice=Choice.CHANGED,
        na_statement="",
        narratives={"measures": "DEMO DATA — risk education sessions held in the villages near the areas in Form F."},
    )
    form_h.update(
        choice=Choice.CHANGED,
        na_statement="",
        narratives={"progress": "DEMO DATA — survivors were referred to the national rehabilitation centre."},
    )
    form_h["tables"]["victims"] = [{"_id": "demo_h1", "year": DEMO_YEAR, "killed": "1", "injured": "4"}]
