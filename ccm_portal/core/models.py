"""The one abstract model every app may build on: a document made in the background (a report's PDF,
the dashboard's PDF). Its lifecycle (queued → rendering with progress → ready or failed, reused while
what it shows is unchanged) is ``ccm_portal.core.documents``; each concrete model adds what it is a
document of and where its files go."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RenderStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be rendered")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class BackgroundDocument(models.Model):
    """A file rendered by a Celery task once per ``fingerprint`` (a hash of everything it shows), with
    the progress its requester watches. Subclasses override ``file`` to give its ``upload_to``."""

    fingerprint = models.CharField(max_length=64)
    # The language the document is written in: its reader's (each language is its own file; the worker renders
    # it in that language). ``ccm_portal.core.documents.reader_language`` says which.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(max_length=10, choices=RenderStatus.choices, default=RenderStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent done, for the progress bar."))
    stage = models.CharField(max_length=100, blank=True)
    file = models.FileField(max_length=200, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
