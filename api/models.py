"""What the API stores: the releases of the open-data package (``api.package`` builds them).

A release is a folder of CSV files in the default storage (``open-data/<key>/``) and this row, written once the
files are all there: the package's descriptor as built, and each file's row count, size and SHA-256 (its ETag).
Only the last releases are kept (``OpenDataRelease.objects.keep_last``), their files with them.
"""

from __future__ import annotations

import contextlib
import os

from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from ccm_portal.core import clock, data_version

ROOT = "open-data"


class OpenDataReleaseQuerySet(models.QuerySet):
    def newest(self) -> OpenDataRelease | None:
        return self.order_by("-built_at", "-pk").first()

    def keep_last(self, count: int) -> int:
        """Delete the releases before the last ``count`` (rows and files) and any folder no release records (a
        build that died half-way). Returns how many releases went."""
        kept = list(self.order_by("-built_at", "-pk").values_list("pk", "folder")[:count])
        old = self.exclude(pk__in=[pk for pk, _folder in kept])
        folders = set(old.values_list("folder", flat=True))
        deleted, _by_model = old.delete()
        try:
            stored, _files = default_storage.listdir(ROOT)
        except (FileNotFoundError, NotImplementedError):
            stored = []
        for folder in (folders | {f"{ROOT}/{name}" for name in stored}) - {folder for _pk, folder in kept}:
            delete_folder(folder)
        return deleted


class OpenDataRelease(models.Model):
    key = models.CharField(_("release"), max_length=40, unique=True, help_text=_("The name of its folder."))
    built_at = models.DateTimeField(_("built"), db_index=True)
    as_of = models.DateField(
        _("as of"), help_text=_("The day its figures for 'today' (a State's status, the deadline in force) hold on.")
    )
    data_version = models.CharField(
        _("data version"), max_length=64, help_text=_("The public data's version it was built from.")
    )
    folder = models.CharField(_("folder"), max_length=200)
    # Text, not JSON: kept in the order it was written (the specification's), which jsonb would not keep.
    descriptor = models.TextField(_("descriptor"), help_text=_("datapackage.json as built, without its links."))
    files = models.JSONField(
        _("files"), help_text=_("Each resource's stored name, rows, bytes and SHA-256, by resource name.")
    )

    objects = OpenDataReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-built_at", "-pk"]
        get_latest_by = "built_at"
        verbose_name = _("open-data release")
        verbose_name_plural = _("open-data releases")

    def __str__(self) -> str:
        return self.key

    def is_current(self) -> bool:
        """Built from the public data as it is now, today (its "today" columns hold on the day it was built)."""
        return self.data_version == data_version.current()[0] and self.as_of == clock.today()


def delete_folder(folder: str) -> None:
    """Delete a folder of the default storage and the files in it."""
    try:
        _dirs, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")
    with contextlib.suppress(NotImplementedError, OSError):  # a storage without folders, or one not empty yet
        os.rmdir(default_storage.path(folder))
