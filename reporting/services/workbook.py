"""The writes of the Excel round-trip (``reporting.workbook``): keep a checked upload for its preview,
apply it to the draft, discard it. Each is audited; applying goes through ``drafts.save_draft`` like every
other edit (audit down to the cell, edit conflicts, the forms' changed flags). The checks are in
``reporting.workbook.read``, the draft the upload makes in ``reporting.workbook.merge``.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from reporting import access
from reporting.content import content_changes
from reporting.models import Report, WorkbookUpload, WorkbookUploadStatus
from reporting.services.drafts import EditConflict, save_draft
from reporting.services.workflow import InvalidTransition, require_focal_point
from reporting.workbook import merge, read


def _require_editor(actor: Any, report: Report) -> frozenset[str] | None:
    """The State's own focal point (never the ISU, even while it enters a report), or a national contributor
    for the forms given to them (returned: ``None`` for the focal point), while the report is editable."""
    forms = access.editable_forms(actor, report)
    if forms is None:
        require_focal_point(actor, report)
    elif not forms:
        raise PermissionDenied
    if not report.is_editable:
        raise InvalidTransition(
            _("This report is %(status)s and cannot be edited.") % {"status": report.get_status_display().lower()}
        )
    return forms


def _require_uploader(actor: Any, upload: WorkbookUpload) -> None:
    """A contributor decides only on their own uploads; the focal point on any of the report's."""
    if access.contributes(actor) and upload.uploaded_by_id != actor.pk:
        raise PermissionDenied


@dataclass
class Uploaded:
    upload: WorkbookUpload
    made_from_revision: int | None  # the draft revision the workbook was downloaded at
    blank: bool

    @property
    def draft_changed_since(self) -> bool:
        if self.blank or self.made_from_revision is None:
            return False
        return self.made_from_revision != self.upload.base_revision


def upload_workbook(*, report: Report, uploaded: Any, actor: Any) -> Uploaded:
    """Check an uploaded workbook in full and keep it for the preview. ``uploaded`` is a Django
    ``UploadedFile`` (or any file object with ``name``, ``size`` and ``read``). Raises
    ``read.WorkbookRefused`` (nothing written) listing every problem."""
    forms = _require_editor(actor, report)
    checked = read.read_upload(report, uploaded, forms=forms)
    name, data, parsed = checked.name, checked.data, checked.parsed
    content = merge.merge_tables(report.format_version.spec, report.draft, parsed)
    changes = content_changes(report.draft or {}, content)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        upload = WorkbookUpload.objects.create(
            report=report,
            name=name,
            size=len(data),
            sha256=digest,
            base_revision=report.revision,
            content=content,
            changes=changes,
            uploaded_by=actor,
        )
        audit.record(
            actor=actor,
            action="reporting.workbook.uploaded",
            obj=report,
            context={
                "upload": upload.pk,
                "file": name,
                "sha256": digest,
                "size": len(data),
                "made_from_revision": parsed.revision,
                "base_revision": report.revision,
                "changes": len(changes),
            },
        )
    return Uploaded(upload=upload, made_from_revision=parsed.revision, blank=parsed.blank)


def _decide(upload: WorkbookUpload, status: str) -> None:
    upload.status = status
    upload.decided_at = timezone.now()
    upload.save(update_fields=["status", "decided_at"])


def apply_upload(*, upload: WorkbookUpload, actor: Any) -> Report:
    """Replace the draft's tables by the upload's, through ``save_draft``. When the draft
    changed since the upload was checked, the upload is marked outdated and ``EditConflict`` raised:
    the preview no longer says what would change, so the file must be uploaded again."""
    conflict: EditConflict | None = None
    with transaction.atomic():
        upload = WorkbookUpload.objects.select_for_update().select_related("report").get(pk=upload.pk)
        report = upload.report
        _require_editor(actor, report)
        _require_uploader(actor, upload)
        if upload.status != WorkbookUploadStatus.PREVIEWED:
            raise InvalidTransition(
                _("This upload is already %(status)s.") % {"status": upload.get_status_display().lower()}
            )
        context = {"upload": upload.pk, "file": upload.name, "sha256": upload.sha256, "size": upload.size}
        try:
            report = save_draft(
                report=report, content=copy.deepcopy(upload.content), base_revision=upload.base_revision, actor=actor
            )
        except EditConflict as error:
            conflict = error
            _decide(upload, WorkbookUploadStatus.OUTDATED)
            audit.record(
                actor=actor,
                action="reporting.workbook.outdated",
                obj=report,
                changes={"status": [WorkbookUploadStatus.PREVIEWED, WorkbookUploadStatus.OUTDATED]},
                context={**context, "base_revision": upload.base_revision, "revision": error.report.revision},
            )
        else:
            _decide(upload, WorkbookUploadStatus.APPLIED)
            audit.record(
                actor=actor,
                action="reporting.workbook.applied",
                obj=report,
                changes={"status": [WorkbookUploadStatus.PREVIEWED, WorkbookUploadStatus.APPLIED]},
                context={**context, "revision": report.revision, "changes": len(upload.changes)},
            )
    if conflict is not None:
        raise conflict
    return report


@transaction.atomic
def discard_upload(*, upload: WorkbookUpload, actor: Any) -> WorkbookUpload:
    upload = WorkbookUpload.objects.select_for_update().select_related("report__state").get(pk=upload.pk)
    if not access.contributes(actor):
        require_focal_point(actor, upload.report)
    _require_uploader(actor, upload)
    if upload.status != WorkbookUploadStatus.PREVIEWED:
        raise InvalidTransition(
            _("This upload is already %(status)s.") % {"status": upload.get_status_display().lower()}
        )
    _decide(upload, WorkbookUploadStatus.DISCARDED)
    audit.record(
        actor=actor,
        action="reporting.workbook.discarded",
        obj=upload.report,
        changes={"status": [WorkbookUploadStatus.PREVIEWED, WorkbookUploadStatus.DISCARDED]},
        context={"upload": upload.pk, "file": upload.name, "sha256": upload.sha256},
    )
    return upload
