"""Review comments: the ISU's queries on a submitted version (on the cover, a form, a field or a row), the State's
replies, and the ISU resolving a thread."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from reporting import access
from reporting.models import Report, ReviewComment
from reporting.services.workflow import require_reviewer


@transaction.atomic
def add_comment(
    *,
    report: Report,
    actor: User,
    body: str,
    form_code: str = "",
    field_key: str = "",
    row_id: str = "",
    parent: ReviewComment | None = None,
) -> ReviewComment:
    reviewer = access.is_reviewer(actor)
    if not reviewer and not access.may_prepare(actor, report):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": _("Write the comment.")})
    if parent is None and not reviewer:
        raise PermissionDenied  # focal points reply to queries; they do not open them
    version = report.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(_("There is no submitted version to comment on."))
    if parent is not None:
        form_code, field_key, row_id = parent.form_code, parent.field_key, parent.row_id
    elif form_code and form_code != "cover":
        spec = version.format_version.spec
        try:
            form = spec.form(form_code)
        except KeyError:
            raise ValidationError({"form_code": _("No such form.")}) from None
        if field_key not in form.place_keys:
            raise ValidationError({"field_key": _("No such field in this form.")})
    comment = ReviewComment.objects.create(
        report=report,
        version=version,
        parent=parent,
        form_code=form_code,
        field_key=field_key,
        row_id=row_id,
        body=body.strip(),
        author=actor,
    )
    audit.record(
        actor=actor,
        action="reporting.comment.replied" if parent else "reporting.comment.added",
        obj=report,
        context={"comment": comment.pk, "anchor": comment.anchor},
    )
    return comment


@transaction.atomic
def resolve_comment(*, comment: ReviewComment, actor: User) -> ReviewComment:
    require_reviewer(actor)
    if comment.resolved_at:
        return comment
    comment.resolved_at, comment.resolved_by = timezone.now(), actor
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(actor=actor, action="reporting.comment.resolved", obj=comment.report, context={"comment": comment.pk})
    return comment
