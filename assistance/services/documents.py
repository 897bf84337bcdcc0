"""Writes on the supporting documents of an assistance request: the requesting State adds (checked by
``assistance.uploads`` before it is stored) and removes them, while the request is open. Atomic, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from assistance import uploads
from assistance.models import AssistanceRequest, AssistanceSettings, RequestDocument
from assistance.services.requests import locked_request
from audit import services as audit


@transaction.atomic
def add_document(*, actor: User, request: AssistanceRequest, upload: Any) -> RequestDocument:
    """A supporting document of an open request, checked (type, size, content) before it is stored."""
    request = locked_request(actor, request)
    rules = AssistanceSettings.current()
    checked = uploads.check_upload(upload, upload_types=rules.upload_types, max_upload_mb=rules.max_upload_mb)
    document = RequestDocument(
        request=request,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    document.file.save(checked.name, upload, save=False)  # the model gives it a random stored name
    try:
        document.save()
        audit.record(
            actor=actor,
            action="assistance.request.document_added",
            obj=request,
            changes={"documents": [None, checked.name]},
            context={"document": document.pk, "size": checked.size, "content_type": checked.content_type},
        )
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def remove_document(*, actor: User, document: RequestDocument) -> None:
    """The requesting State removes a supporting document; the file goes once the removal is committed."""
    request = locked_request(actor, document.request)
    document = RequestDocument.objects.get(pk=document.pk, request=request)
    storage, path = document.file.storage, document.file.name
    audit.record(
        actor=actor,
        action="assistance.request.document_removed",
        obj=request,
        changes={"documents": [document.name, None]},
        context={"document": document.pk, "size": document.size},
    )
    document.delete()
    transaction.on_commit(lambda: storage.delete(path))
