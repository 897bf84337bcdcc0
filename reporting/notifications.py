"""E-mails about reports: reviewers hear of submissions, focal points of review outcomes and of forms their
national contributors hand back, contributors of forms returned to them (who they are is
``reporting.access``' to say: ``reviewers()``, ``focal_points_of(state)``).

Each message is sent once per (event, recipient): a ``Notification`` row is written before
the message goes out, under a unique key, so a retried or duplicated task sends nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from ccm_portal.core import links
from reporting import access
from reporting.models import FormAssignment, FormNote, Notification, Report, ReportVersion


def _send(*, key: str, user: User, template: str, context: dict) -> bool:
    try:
        with transaction.atomic():
            Notification.objects.create(key=key, recipient=user)
            with translation.override(user.language or settings.LANGUAGE_CODE):
                context = {**context, "user": user, "site_url": links.site_url()}
                subject = render_to_string(f"reporting/email/{template}_subject.txt", context).strip()
                message = EmailMultiAlternatives(
                    subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
                    body=render_to_string(f"reporting/email/{template}.txt", context),
                    to=[user.email],
                )
                message.attach_alternative(render_to_string(f"reporting/email/{template}.html", context), "text/html")
                message.send()
    except IntegrityError:
        return False  # already sent
    return True


def submission_received(*, version_id: int) -> int:
    version = ReportVersion.objects.select_related("report__state", "submitted_by").get(pk=version_id)
    reviewers = User.objects.filter(access.reviewers())
    url = links.absolute(reverse("reporting:review_detail", args=[version.report_id]))
    return sum(
        _send(
            key=f"submitted:{version.pk}:{user.pk}",
            user=user,
            template="submitted",
            context={"version": version, "report": version.report, "url": url},
        )
        for user in reviewers
    )


def review_outcome(*, report_id: int, event: str) -> int:
    report = Report.objects.select_related("state").get(pk=report_id)
    version = report.versions.order_by("-number").first()
    focal_points = User.objects.filter(access.focal_points_of(report.state))
    url = links.absolute(report.get_absolute_url())
    return sum(
        _send(
            key=f"{event}:{version.pk}:{user.pk}",
            user=user,
            template=event,
            context={"version": version, "report": report, "url": url},
        )
        for user in focal_points
    )


def team_event(*, assignment_id: int, event: str, token: str) -> int:
    """A form handed back (``form_ready``: the State's focal points are told) or returned with a note
    (``form_returned``: its contributor is told, with the note). ``token`` tells one hand-back from the next."""
    assignment = FormAssignment.objects.select_related("report__state", "report__format_version", "contributor").get(
        pk=assignment_id
    )
    report = assignment.report
    context: dict = {"report": report, "assignment": assignment, "code": assignment.form_code}
    if event == "form_ready":
        recipients = list(User.objects.filter(access.focal_points_of(report.state)))
        url = reverse("reporting:form_handback", args=[report.pk, assignment.form_code])
    else:
        recipients = [assignment.contributor] if assignment.contributor.is_active else []
        context["note"] = FormNote.objects.filter(pk=token, assignment=assignment).first()
        url = reverse("reporting:report_form", args=[report.pk, assignment.form_code])
    context["url"] = links.absolute(url)
    sent = 0
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            form_title = report.format_version.spec.form(assignment.form_code).title
        sent += _send(
            key=f"{event}:{assignment.pk}:{token}:{user.pk}"[:120],
            user=user,
            template=event,
            context={**context, "form_title": form_title},
        )
    return sent
