"""Documents made in the background (a report's PDF, the dashboard's PDF): start → status → download.

One lifecycle for every kind of document, each a model row with ``fingerprint``, ``status``,
``progress``, ``stage``, ``file``, ``size``, ``error``, ``requested_by``, ``requested_at``,
``started_at`` and ``finished_at``:

- ``ensure`` answers at once with the row: reused while its fingerprint (a hash of what the document
  shows) matches and the file is stored or being made; otherwise (re)set to "queued", audited as
  ``<prefix>.queued``, and one render enqueued with Celery once the transaction commits.
- ``render`` does the work in the worker: ``claim`` the row (queued, or a render lost with its
  worker: rendering for longer than ``STALE_AFTER``, or when its task's message comes back to a worker
  after the one that took it died — the tasks are acknowledged late), build the document with no
  transaction open, moving the progress bar as it goes, then ``finish`` (store the file under a stable
  name, replacing the old one) — unless what it shows changed meanwhile, in which case it is queued
  again: a file is never marked ready for stale content. On an error ``fail`` says so on the row; an
  ``OSError`` is raised again for Celery to retry until the final attempt.

What differs between kinds (the model, the audit prefix, how to load and fingerprint what a row
shows, how to build it, the file name, the task) is a ``Kind``. Stage and error texts are stored
untranslated (``gettext_noop``) and translated when shown, so the status page speaks its reader's
language whichever language the worker runs in. The WeasyPrint helpers at the end (``lay_out``,
``write``) are shared by the PDF kinds.

Each row is in one language (``language``): its reader's when asked for (``reader_language``), the portal's when
the portal makes it unasked. Everything done for a row (loading what it shows, its fingerprint, the layout) runs
in that language, so each Kind's fingerprint, computed in the active language, tells the languages apart.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from audit import services as audit
from ccm_portal.core import tasks
from ccm_portal.core.models import RenderStatus

# A render that has not finished after this long is taken to be lost (a worker killed mid-way);
# asking again queues a new one.
STALE_AFTER = dt.timedelta(minutes=10)
IN_FLIGHT = (RenderStatus.QUEUED, RenderStatus.RENDERING)

# Stages of the progress bar, translated when shown. Each kind adds its own "changed while rendering".
STAGE_QUEUED = gettext_noop("Waiting for a free worker")
STAGE_PREPARING = gettext_noop("Preparing the content")
STAGE_LAYOUT = gettext_noop("Laying out the pages")
STAGE_WRITING = gettext_noop("Writing the PDF")
STAGE_SAVING = gettext_noop("Saving")
STAGE_READY = gettext_noop("Ready")
STAGE_RETRY = gettext_noop("A temporary problem; trying again shortly")
STAGE_FAILED = gettext_noop("Failed")
ERROR_FAILED = gettext_noop(
    "The PDF could not be made. Try again; if it fails again, tell the ISU (the error has been logged)."
)
PROGRESS = {
    STAGE_PREPARING: 10,
    STAGE_LAYOUT: 40,
    STAGE_WRITING: 75,
    STAGE_SAVING: 90,
}


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int


Subject = TypeVar("Subject")


class Kind(Generic[Subject]):
    """What one kind of document does its own way; subclass it once per model. ``Subject`` is what
    a row shows, loaded afresh (a report and its version, the dashboard of a date)."""

    model: ClassVar[type[models.Model]]
    action: ClassVar[str]  # audit prefix: "<action>.queued", ".rendering", ".ready", ".retrying", ".failed"
    task: ClassVar[str]  # dotted path of the Celery task that renders one row, given its id
    stage_changed: ClassVar[str]  # stage text (gettext_noop) when what it shows changed while rendering
    changed_reason: ClassVar[str]  # the audit context's "reason" then
    log: ClassVar[logging.Logger]  # the kind's module logger: a failed render is logged there
    log_label: ClassVar[str]  # "Rendering <log_label> <row> (<Model> <pk>) failed"

    def subject(self, row: Any) -> Subject:
        raise NotImplementedError

    def fingerprint(self, subject: Subject) -> str:
        """A hash of everything the document shows: equal fingerprints, same file."""
        raise NotImplementedError

    def prepare(self, subject: Subject) -> Any:
        """What ``build`` lays out (e.g. the HTML), made before the "laying out" stage; the subject itself
        by default."""
        return subject

    def build(self, source: Any, *, on_laid_out: Callable[[], None]) -> Rendered:
        """The document, calling ``on_laid_out`` between laying it out and writing it."""
        raise NotImplementedError

    def storage_name(self, row: Any, subject: Subject) -> str:
        """Where the file is stored: stable, so that a new render replaces the old file."""
        raise NotImplementedError

    def ready_fields(self, result: Rendered) -> dict[str, Any]:
        """Fields of the model set from the result besides ``file`` and ``size`` (e.g. ``pages``)."""
        return {}


# --- State of a row -----------------------------------------------------------------------------------
def in_flight(row: Any, now: dt.datetime | None = None) -> bool:
    """Queued or rendering, and not for longer than ``STALE_AFTER``."""
    if row.status not in IN_FLIGHT:
        return False
    since = row.started_at if row.status == RenderStatus.RENDERING else row.requested_at
    return since is None or (now or timezone.now()) - since < STALE_AFTER


def has_file(row: Any) -> bool:
    """Ready, and its file is in the storage (whatever it shows)."""
    return row.status == RenderStatus.READY and bool(row.file) and default_storage.exists(row.file.name)


def _claimable(row: Any, *, redelivered: bool = False) -> bool:
    """Queued, or a render that was lost (its worker killed mid-way): rendering for longer than
    ``STALE_AFTER``, or rendering when the task's message comes back (``redelivered``: the worker that took
    it died before acknowledging it, so the render the row shows is that worker's, and it is gone)."""
    lost = row.status == RenderStatus.RENDERING and (redelivered or not in_flight(row))
    return row.status == RenderStatus.QUEUED or lost


def reader_language(language: str | None = None) -> str:
    """``language`` (or the active one) as one of the portal's languages; the portal's own when unsupported."""
    try:
        return translation.get_supported_language_variant(language or translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def language_suffix(language: str) -> str:
    """What a document's file name says of its language: nothing for the portal's own, ".fr" for French."""
    return "" if language == settings.LANGUAGE_CODE else f".{language}"


def _user(requested_by: Any) -> Any:
    return requested_by if getattr(requested_by, "is_authenticated", False) else None


# --- Asking for a document -------------------------------------------------------------------------------
def enqueue(kind: Kind[Any], row_id: int) -> None:
    """Send the render of row ``row_id`` to the worker once the transaction commits (by the task's name, with
    the origin its links start from: ``ccm_portal.core.tasks``)."""
    tasks.enqueue(kind.task, row_id)


def ensure(kind: Kind[Any], *, lookup: dict[str, Any], current: str, requested_by: Any, context: dict[str, Any]) -> Any:
    """The row of ``lookup``: as it is when its fingerprint is ``current`` and it is ready or being
    made; otherwise (re)set to "queued" with one render enqueued after commit, audited with
    ``context``. Asking twice queues one render. Authorization is the caller's. ``lookup`` holds the row's
    ``language`` and ``current`` is the fingerprint computed in it."""
    with transaction.atomic():
        row, created = kind.model.objects.select_for_update().get_or_create(
            **lookup,
            defaults={
                "fingerprint": current,
                "status": RenderStatus.QUEUED,
                "stage": STAGE_QUEUED,
                "requested_by": _user(requested_by),
            },
        )
        if not created and row.fingerprint == current and (has_file(row) or in_flight(row)):
            return row
        before = {"status": "" if created else row.status, "fingerprint": "" if created else row.fingerprint}
        if not created:
            row.fingerprint = current
            row.status = RenderStatus.QUEUED
            row.progress = 0
            row.stage = STAGE_QUEUED
            row.error = ""
            row.requested_by = _user(requested_by)
            row.requested_at = timezone.now()
            row.started_at = None
            row.finished_at = None
            row.save(
                update_fields=[
                    "fingerprint",
                    "status",
                    "progress",
                    "stage",
                    "error",
                    "requested_by",
                    "requested_at",
                    "started_at",
                    "finished_at",
                ]
            )
        audit.record(
            actor=requested_by,
            action=f"{kind.action}.queued",
            obj=row,
            changes={
                "status": [before["status"], RenderStatus.QUEUED],
                "fingerprint": [before["fingerprint"], current],
            },
            context=context,
        )
        enqueue(kind, row.pk)
    return row


# --- Rendering (in the worker) ----------------------------------------------------------------------------
def progress(kind: Kind[Any], row_id: int, fp: str, stage: str) -> None:
    # One autocommitted statement: the status page sees it at once, nothing stays locked.
    kind.model.objects.filter(pk=row_id, status=RenderStatus.RENDERING, fingerprint=fp).update(
        progress=PROGRESS[stage], stage=stage
    )


def claim(kind: Kind[Subject], row_id: int, *, redelivered: bool = False) -> tuple[Any, Subject, str] | None:
    """Move a queued row (or a lost render) to "rendering" for what it shows now: the row, the
    subject and its fingerprint; ``None`` when there is nothing to do (already ready, rendering
    elsewhere, or deleted). ``redelivered``: the task's message was delivered before, to a worker that
    died (Celery's ``request.delivery_info["redelivered"]``)."""
    seen = kind.model.objects.filter(pk=row_id).first()
    if seen is None or not _claimable(seen, redelivered=redelivered):
        return None
    # Loaded outside the transaction; the row is then locked for a few statements only.
    with translation.override(seen.language):
        subject = kind.subject(seen)
        current = kind.fingerprint(subject)
    with transaction.atomic():
        row = kind.model.objects.select_for_update().filter(pk=row_id).first()
        if row is None or not _claimable(row, redelivered=redelivered):
            return None  # a duplicate delivery: the work is done or in hand
        before = row.status
        row.status = RenderStatus.RENDERING
        row.fingerprint = current
        row.progress = PROGRESS[STAGE_PREPARING]
        row.stage = STAGE_PREPARING
        row.error = ""
        row.started_at = timezone.now()
        row.finished_at = None
        row.save(update_fields=["status", "fingerprint", "progress", "stage", "error", "started_at", "finished_at"])
        audit.record(
            actor=None,
            action=f"{kind.action}.rendering",
            obj=row,
            changes={"status": [before, RenderStatus.RENDERING]},
            context={"fingerprint": current},
        )
    return row, subject, current


def finish(kind: Kind[Any], row_id: int, rendered_fp: str, result: Rendered) -> Any:
    """Store the file and mark the row ready; or, when what it shows changed while it rendered, queue
    it again for what it shows now. Nothing when someone asked again meanwhile."""
    seen = kind.model.objects.get(pk=row_id)
    with translation.override(seen.language):
        subject = kind.subject(seen)
        current = kind.fingerprint(subject)
    with transaction.atomic():
        row = kind.model.objects.select_for_update().get(pk=row_id)
        if row.status != RenderStatus.RENDERING or row.fingerprint != rendered_fp:
            # Someone asked again for newer content meanwhile; that render does the work.
            return row
        if current != rendered_fp:
            # Saved while this render ran: never mark a file ready for stale content.
            row.status = RenderStatus.QUEUED
            row.fingerprint = current
            row.progress = 0
            row.stage = kind.stage_changed
            row.requested_at = timezone.now()
            row.started_at = None
            row.save(update_fields=["status", "fingerprint", "progress", "stage", "requested_at", "started_at"])
            audit.record(
                actor=None,
                action=f"{kind.action}.queued",
                obj=row,
                changes={
                    "status": [RenderStatus.RENDERING, RenderStatus.QUEUED],
                    "fingerprint": [rendered_fp, current],
                },
                context={"reason": kind.changed_reason},
            )
            enqueue(kind, row.pk)
            return row
        name = kind.storage_name(row, subject)
        # A stable name: the new file replaces the old one (FileSystemStorage would otherwise add a suffix).
        default_storage.delete(name)
        row.file.name = default_storage.save(name, ContentFile(result.data))
        row.size = len(result.data)
        extra = kind.ready_fields(result)
        for field, value in extra.items():
            setattr(row, field, value)
        row.status = RenderStatus.READY
        row.progress = 100
        row.stage = STAGE_READY
        row.finished_at = timezone.now()
        row.save(update_fields=["file", "size", *extra, "status", "progress", "stage", "finished_at"])
        audit.record(
            actor=None,
            action=f"{kind.action}.ready",
            obj=row,
            changes={"status": [RenderStatus.RENDERING, RenderStatus.READY]},
            context={"file": row.file.name, "size": row.size, "pages": result.pages, "fingerprint": rendered_fp},
        )
    return row


def fail(kind: Kind[Any], row_id: int, rendered_fp: str, *, retry: bool) -> None:
    """The render failed: queued again for Celery's retry, or "failed" with an error for the user."""
    with transaction.atomic():
        row = kind.model.objects.select_for_update().get(pk=row_id)
        if row.status != RenderStatus.RENDERING or row.fingerprint != rendered_fp:
            return
        status = RenderStatus.QUEUED if retry else RenderStatus.FAILED
        row.status = status
        row.progress = 0
        row.stage = STAGE_RETRY if retry else STAGE_FAILED
        row.error = "" if retry else ERROR_FAILED
        row.finished_at = None if retry else timezone.now()
        row.save(update_fields=["status", "progress", "stage", "error", "finished_at"])
        audit.record(
            actor=None,
            action=f"{kind.action}.retrying" if retry else f"{kind.action}.failed",
            obj=row,
            changes={"status": [RenderStatus.RENDERING, status]},
        )


def render(kind: Kind[Any], row_id: int, *, final_attempt: bool = True, redelivered: bool = False) -> Any:
    """Make the document of row ``row_id`` (see the module's docstring); the row as it ends up, or
    ``None`` when it was deleted. Built in the row's language. ``redelivered``: see ``claim``."""
    claimed = claim(kind, row_id, redelivered=redelivered)
    if claimed is None:
        return kind.model.objects.filter(pk=row_id).first()
    row, subject, fp = claimed
    try:
        with translation.override(row.language):
            source = kind.prepare(subject)
            progress(kind, row.pk, fp, STAGE_LAYOUT)
            result = kind.build(source, on_laid_out=lambda: progress(kind, row.pk, fp, STAGE_WRITING))
        progress(kind, row.pk, fp, STAGE_SAVING)
        return finish(kind, row.pk, fp, result)
    except Exception as error:
        kind.log.exception("Rendering %s %s (%s %s) failed", kind.log_label, row, kind.model.__name__, row.pk)
        retry = isinstance(error, OSError) and not final_attempt
        fail(kind, row.pk, fp, retry=retry)
        if retry:
            raise
        return kind.model.objects.get(pk=row.pk)


# --- WeasyPrint ----------------------------------------------------------------------------------------------
# WeasyPrint 70 write options, as measured in bench/test_pdf.py (500 rows, 22 pages): subset fonts
# (``full_fonts`` would embed whole fonts: 3.1 MB instead of 0.1 MB, and 1.9 s instead of 0.4 s to
# write); no hinting in the subsets (viewers do not need it; +10 % size); compressed streams
# (``uncompressed_pdf`` saves 0.05 s for a file ten times larger).
WRITE_OPTIONS: dict[str, Any] = {"full_fonts": False, "hinting": False, "uncompressed_pdf": False}


@cache
def stylesheet_text(path: str) -> str:
    """The static file ``path``, read from disk through the staticfiles finders: the worker needs no
    web server."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).read_text(encoding="utf-8")


# WeasyPrint's fonts and parsed stylesheets, kept per thread (Pango's font map is not shared between
# threads) for the life of the process: a fresh FontConfiguration re-reads the system's fonts and
# starts with empty caches of opened faces and measured text, which cost the dashboard's one-page PDF
# about a third of its time (bench/test_pdf.py); parsing the print stylesheet again costs ~20 ms.
# A stylesheet is kept by its text, so a changed file or a report's own header CSS is parsed afresh.
_weasyprint = threading.local()
KEPT_STYLESHEETS = 16  # the print stylesheets, plus the last reports' header and footer CSS


def _tools() -> Any:
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    tools = getattr(_weasyprint, "tools", None)
    if tools is None:
        # A document refers to nothing outside itself: every URL is refused.
        tools = _weasyprint.tools = SimpleNamespace(
            fonts=FontConfiguration(), fetcher=URLFetcher(allowed_protocols=()), sheets={}
        )
    return tools


def _stylesheet(text: str) -> Any:
    from weasyprint import CSS

    tools = _tools()
    sheet = tools.sheets.get(text)
    if sheet is None:
        if len(tools.sheets) >= KEPT_STYLESHEETS:
            tools.sheets.pop(next(iter(tools.sheets)))  # the oldest
        sheet = tools.sheets[text] = CSS(string=text, font_config=tools.fonts, url_fetcher=tools.fetcher)
    return sheet


def lay_out(html: str, stylesheets: Sequence[str]) -> Any:
    """The WeasyPrint document of ``html`` with ``stylesheets`` (CSS texts). A document refers to
    nothing outside itself, so every URL is refused (no file or network access from its content)."""
    from weasyprint import HTML

    tools = _tools()
    sheets = [_stylesheet(text) for text in stylesheets]
    return HTML(string=html, url_fetcher=tools.fetcher).render(stylesheets=sheets, font_config=tools.fonts)


def write(document: Any) -> Rendered:
    """A laid-out WeasyPrint document written as a PDF with ``WRITE_OPTIONS``."""
    return Rendered(data=document.write_pdf(**WRITE_OPTIONS), pages=len(document.pages))
