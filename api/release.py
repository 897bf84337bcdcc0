"""A release of the bulk open data (``api.package`` says what it holds): every resource's CSV written in batches
into a new folder of the default storage, its ``datapackage.json``, an ``OpenDataRelease`` row; the last ``KEEP``
releases stay, so a client reading one release's files while the next is recorded still finds them."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import tempfile
import uuid
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import translation

from api.models import ROOT, OpenDataRelease, delete_folder
from api.package import DESCRIPTION, NAME, RESOURCES, TITLE, Resource, utc
from ccm_portal.core import clock, data_version
from ccm_portal.core.spreadsheets import csv_bytes

log = logging.getLogger(__name__)

KEEP = 2  # releases whose files stay in storage
ROWS_PER_WRITE = 1000


def is_stale(release: OpenDataRelease | None) -> bool:
    """No release yet, or the public data moved since it was built, or it was built before today."""
    return release is None or not release.is_current()


def build() -> OpenDataRelease:
    """Write every resource's CSV into a new folder, record the release, drop the releases beyond ``KEEP``."""
    token, _changed = data_version.current()  # read first: data changing during the build leaves it stale
    today, built_at = clock.today(), clock.now()
    key = f"{built_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    folder = f"{ROOT}/{key}"
    files: dict[str, dict[str, Any]] = {}
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for resource in RESOURCES:
                files[resource.name] = _write(f"{folder}/{resource.name}.csv", resource, today)
            descriptor = _descriptor(files, built_at)
        release = OpenDataRelease.objects.create(
            key=key,
            built_at=built_at,
            as_of=today,
            data_version=token,
            folder=folder,
            descriptor=descriptor,
            files=files,
        )
    except BaseException:
        delete_folder(folder)
        raise
    OpenDataRelease.objects.keep_last(KEEP)
    log.info("open data release %s built: %s", key, {name: f["rows"] for name, f in files.items()})
    return release


def _write(name: str, resource: Resource, today: dt.date) -> dict[str, Any]:
    """The resource's CSV, written in batches to a temporary file (on disk past a few megabytes), then stored."""
    digest, size, count = hashlib.sha256(), 0, 0
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as handle:

        def put(rows: list[list[Any]]) -> None:
            nonlocal size
            data = csv_bytes(rows)  # every text cell made safe for spreadsheets
            digest.update(data)
            size += len(data)
            handle.write(data)

        put([[c.name for c in resource.columns]])
        rows = iter(resource.rows(today))
        while batch := list(itertools.islice(rows, ROWS_PER_WRITE)):
            count += len(batch)
            put(batch)
        handle.seek(0)
        stored = default_storage.save(name, File(handle, name=os.path.basename(name)))
    return {"path": stored, "rows": count, "bytes": size, "sha256": digest.hexdigest()}


def _descriptor(files: dict[str, dict[str, Any]], built_at: dt.datetime) -> str:
    """datapackage.json, its keys in the specification's order; what is added when it is served (``served``)
    is left empty: links, the version and the licence."""
    return json.dumps(
        {
            "profile": "tabular-data-package",
            "name": NAME,
            "title": str(TITLE),
            "description": str(DESCRIPTION),
            "homepage": "",
            "version": "",
            "created": utc(built_at),
            "licenses": [],
            "resources": [
                {
                    "profile": "tabular-data-resource",
                    "name": resource.name,
                    "path": "",
                    "title": str(resource.title),
                    "description": str(resource.description),
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": files[resource.name]["bytes"],
                    "hash": f"sha256:{files[resource.name]['sha256']}",
                    "licenses": [],
                    "schema": resource.schema(),
                }
                for resource in RESOURCES
            ],
        },
        ensure_ascii=False,
    )
