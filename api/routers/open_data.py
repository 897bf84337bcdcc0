"""The bulk open data: the Frictionless data package (``datapackage.json``) and its CSV files, as ``api.package``
built them in the background.

``datapackage.json`` describes the latest release, each file's ``path`` an absolute link to
``/api/v1/open-data/<name>.csv?release=<key>`` (that release's file as long as it is kept, so a reader of one
release never mixes in the next one's files; without ``release``, the latest). A stale release is served while
the next is built; before the first one, 503 with ``Retry-After``. Both answer ETag and Last-Modified (the
release's build time; a file's ETag is its SHA-256) and 304 to a client that has them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.fields.files import FieldFile, FileField
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam

from api import package
from api.http import link
from api.models import OpenDataRelease
from api.release import is_stale
from api.schemas import Problem
from api.tasks import request_refresh
from ccm_portal.core.files import send_file

router = Router()

# A stored file read by its name in the default storage (``send_file`` takes a field's file).
_STORED = FileField()
RELEASE_KEY = r"^[0-9A-Za-z-]{1,40}$"


class License(Schema):
    name: str = Field(description=_lazy("The licence's SPDX identifier."), examples=["CC-BY-4.0"])
    path: str = Field(description=_lazy("The licence's text."))
    title: str = Field(description=_lazy("The licence's name."))


class Constraints(Schema):
    pattern: str | None = Field(None, description=_lazy("A regular expression every value matches."))


class TableField(Schema):
    name: str = Field(description=_lazy("The column's name in the CSV header."))
    type: str = Field(description=_lazy("Table Schema type: string, integer, number, boolean, date or datetime."))
    title: str = Field(description=_lazy("The column's title."))
    description: str = Field(description=_lazy("What the column holds."))
    format: str | None = Field(None, description=_lazy("The format of a datetime."))
    constraints: Constraints | None = Field(None, description=_lazy("What every value satisfies."))


class Reference(Schema):
    resource: str = Field(description=_lazy("The resource referred to."))
    fields: str | list[str] = Field(description=_lazy("Its columns."))


class ForeignKey(Schema):
    fields: str | list[str] = Field(description=_lazy("The columns that refer."))
    reference: Reference = Field(description=_lazy("What they refer to."))


class TableSchema(Schema):
    fields: list[TableField] = Field(description=_lazy("The columns, in the CSV's order."))
    missing_values: list[str] = Field(alias="missingValues", description=_lazy("What an empty cell means: no value."))
    primary_key: list[str] | None = Field(
        None, alias="primaryKey", description=_lazy("The columns that identify a row.")
    )
    foreign_keys: list[ForeignKey] | None = Field(None, alias="foreignKeys", description=_lazy("References to others."))


class DataResource(Schema):
    profile: str = Field(description=_lazy("tabular-data-resource."))
    name: str = Field(description=_lazy("The resource's name (its file is <name>.csv)."))
    path: str = Field(description=_lazy("The CSV file's absolute URL."))
    title: str = Field(description=_lazy("The resource's title."))
    description: str = Field(description=_lazy("What it holds."))
    format: str = Field(description=_lazy("csv."))
    mediatype: str = Field(description=_lazy("text/csv."))
    encoding: str = Field(description=_lazy("utf-8."))
    bytes: int = Field(description=_lazy("The file's size."))
    hash: str = Field(description=_lazy("sha256:<hex digest> of the file (also its ETag)."))
    licenses: list[License] = Field(description=_lazy("The licence the data is published under."))
    table_schema: TableSchema = Field(alias="schema", description=_lazy("The Table Schema of its columns."))


class DataPackage(Schema):
    profile: str = Field(description=_lazy("tabular-data-package."))
    name: str = Field(description=_lazy("The package's name."))
    title: str = Field(description=_lazy("The package's title."))
    description: str = Field(description=_lazy("What it holds."))
    homepage: str = Field(description=_lazy("The API's documentation."))
    created: str = Field(description=_lazy("When this release was built (ISO 8601, UTC)."))
    version: str = Field(description=_lazy("<structure>.<release number>: a new release number each rebuild."))
    licenses: list[License] = Field(description=_lazy("The licence the data is published under."))
    resources: list[DataResource] = Field(description=_lazy("The CSV files."))


class FileQuery(Schema):
    release: str | None = Field(
        None,
        pattern=RELEASE_KEY,
        description=_lazy("The release (as datapackage.json links it); the latest without it."),
    )


def served(release: OpenDataRelease, file_link: Callable[[str], str], homepage: str) -> dict[str, Any]:
    """The release's datapackage.json as served: each file's absolute ``path``, the API's documentation as its
    home page, its version (``<structure>.<release number>``) and the licence in force (``CCM_OPEN_DATA_LICENSE``,
    an ISU decision: a change applies at once, without a rebuild) on the package and each resource."""
    licenses = [dict(settings.CCM_OPEN_DATA_LICENSE)]
    descriptor = json.loads(release.descriptor)
    descriptor.update(homepage=homepage, version=f"{package.STRUCTURE}.{release.pk}", licenses=licenses)
    for entry in descriptor["resources"]:
        entry.update(path=file_link(entry["name"]), licenses=licenses)
    return descriptor


PREPARING = _lazy("The open data package is being prepared. Try again in %(seconds)s seconds.")


def _not_modified(request: HttpRequest, *, etag: str, release: OpenDataRelease) -> HttpResponse | None:
    """304 (with the validators) when the client already has this answer: its ETag, or its time if no ETag."""
    answer = get_conditional_response(request, etag=f'"{etag}"', last_modified=int(release.built_at.timestamp()))
    return _validators(answer, etag=etag, release=release) if answer is not None else None


def _validators(response: HttpResponse, *, etag: str, release: OpenDataRelease) -> HttpResponse:
    response["ETag"] = f'"{etag}"'
    response["Last-Modified"] = http_date(int(release.built_at.timestamp()))
    return response


@router.get(
    "/datapackage.json",
    url_name="datapackage",
    summary=_lazy("The open data package (Frictionless Data Package)"),
    response={200: DataPackage, 304: None, 503: Problem},
    by_alias=True,  # the specification's names: schema, missingValues, primaryKey, foreignKeys
)
def datapackage(request: HttpRequest) -> HttpResponse:
    """The whole public record as a Frictionless data package: a descriptor of CSV files (States, obligations,
    extensions, report versions and every report value in long form, progress by year, public assistance
    requests), each with its Table Schema and licence. Rebuilt in the background when published data changes;
    a release built before the last change is served while the next is built. 503 with Retry-After before the
    first one."""
    release = OpenDataRelease.objects.newest()
    if is_stale(release) and request_refresh():
        release = OpenDataRelease.objects.newest()  # built already when tasks run in-process (`make run`)
    if release is None:
        seconds = max(settings.CCM_OPEN_DATA_DELAY, 10)
        response = JsonResponse({"detail": PREPARING % {"seconds": seconds}}, status=503)
        response["Retry-After"] = str(seconds)
        return response

    def file_link(name: str) -> str:
        return link(request, "api-v1:open_data_file", name, query={"release": release.key})

    descriptor = served(release, file_link, link(request, "api-v1:openapi-view"))
    body = JsonResponse(descriptor, json_dumps_params={"ensure_ascii": False})
    # The same release, licence and host give the same bytes.
    etag = hashlib.sha256(body.content).hexdigest()[:32]
    return _not_modified(request, etag=etag, release=release) or _validators(body, etag=etag, release=release)


@router.get(
    "/{name}.csv",
    url_name="open_data_file",
    summary=_lazy("A CSV file of the open data package"),
    response={200: None, 304: None, 404: Problem, 422: Problem},
    openapi_extra={
        "responses": {
            200: {
                "description": _lazy("The CSV file (UTF-8, a header row, CRLF line ends)."),
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def open_data_file(
    request: HttpRequest,
    name: str = PathParam(
        ..., pattern=r"^[a-z_]{1,40}$", description=_lazy("The resource's name, as datapackage.json lists it.")
    ),
    query: Query[FileQuery] = ...,
) -> HttpResponse:
    """One resource of the data package as CSV (its columns are described in datapackage.json): the latest
    release's, or the one ``release`` names while it is kept (the last two are). ETag is the file's SHA-256."""
    if query.release:
        release = OpenDataRelease.objects.filter(key=query.release).first()
        if release is None:
            raise Http404(_("This release of the open data was replaced. Read datapackage.json again."))
    else:
        release = OpenDataRelease.objects.newest()
        if release is None:
            raise Http404(_("The open data package is being prepared."))
    stored = release.files.get(name) if name in package.BY_NAME else None
    if stored is None:
        raise Http404(_("The open data package has no file of that name."))
    not_modified = _not_modified(request, etag=stored["sha256"], release=release)
    if not_modified is not None:
        return not_modified
    response = send_file(
        FieldFile(None, _STORED, stored["path"]), filename=f"{name}.csv", content_type="text/csv; charset=utf-8"
    )
    # A release's files never change: one named by its release can be kept by caches; the latest is re-checked.
    response["Cache-Control"] = "public, max-age=86400, immutable" if query.release else "public, no-cache"
    return _validators(response, etag=stored["sha256"], release=release)
