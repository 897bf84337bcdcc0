"""Handing a stored file to the browser, once the view has decided the user may have it.

Uploaded and generated files (report originals and PDFs, assistance documents, dashboard PDFs) live in
``MEDIA_ROOT`` and nothing serves that folder directly: every file leaves through a view that checks
access first and then calls ``send_file`` (or ``send_upload`` for a file a user uploaded). How the bytes
travel is a deployment choice:

- ``CCM_MEDIA_ACCEL_PREFIX`` unset (``make run``, tests, no proxy): Django streams the file
  (``FileResponse``, read in chunks, never whole in memory).
- ``CCM_MEDIA_ACCEL_PREFIX`` set (e.g. ``/protected-media/``) behind nginx: the answer carries no body,
  only the headers and ``X-Accel-Redirect: <prefix><stored name>``; nginx serves the file from its
  ``internal`` location for that prefix (``docker/nginx-protected-media.conf``), which no browser can
  ask for directly. The gunicorn worker is free again at once, however large the file or slow the client.

Either way the answer has the same Content-Type, Content-Disposition and cache headers.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

# A user's upload may be anything its type check let through: never sniffed, never cached, never run as a page.
UPLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def send_file(stored: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True) -> HttpResponse:
    """The stored file ``stored`` as ``filename`` (a download, or shown inline when ``as_attachment`` is
    false). Call it only after the access check. 404 when the file is missing from the storage."""
    prefix = settings.CCM_MEDIA_ACCEL_PREFIX
    if prefix:
        if not stored.name or not stored.storage.exists(stored.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        # nginx unquotes the path; quoting keeps the header ASCII whatever the stored name holds.
        response["X-Accel-Redirect"] = quote(f"{prefix}{stored.name}")
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        return response
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)


def send_upload(stored: FieldFile, *, filename: str, content_type: str) -> HttpResponse:
    """A file a user uploaded, as a download with ``UPLOAD_HEADERS`` (see ``send_file``)."""
    response = send_file(stored, filename=filename, content_type=content_type)
    for header, value in UPLOAD_HEADERS.items():
        response[header] = value
    return response
