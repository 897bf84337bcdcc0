"""Checks on supporting documents before anything is stored.

A document is accepted when its extension is one the ISU allows (``AssistanceSettings.upload_types``),
its size is within ``AssistanceSettings.max_upload_mb``, and its content is what the extension says:
the first bytes for PDF and images; for Office Open XML and OpenDocument files, the zip is opened
and the member each format must have is looked for. Macro-enabled content is refused (a document
sent to donors must not run code), and so are encrypted or broken archives, which cannot be checked.

The browser's file name and content type are never trusted: the name is kept for display only,
sanitized; the content type served back comes from ``KNOWN_TYPES``.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ccm_portal.core import zips

MB = 1024 * 1024
# A zip whose members unpack past this is refused before it is read through: a "zip bomb" would
# otherwise cost the server minutes. Real Office documents of 10 MB unpack to far less.
ZIP_MAX_UNPACKED = 300 * MB
ZIP_MAX_MEMBERS = 5000
NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class FileType:
    label: Any  # lazy translation
    content_type: str
    zip_member: str = ""  # OOXML: a member the format must have
    odf_mimetype: str = ""  # ODF: the content of the "mimetype" member


KNOWN_TYPES: dict[str, FileType] = {
    "pdf": FileType(_lazy("PDF"), "application/pdf"),
    "docx": FileType(
        _lazy("Word document (DOCX)"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        zip_member="word/document.xml",
    ),
    "xlsx": FileType(
        _lazy("Excel workbook (XLSX)"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        zip_member="xl/workbook.xml",
    ),
    "odt": FileType(
        _lazy("OpenDocument text (ODT)"),
        "application/vnd.oasis.opendocument.text",
        odf_mimetype="application/vnd.oasis.opendocument.text",
    ),
    "ods": FileType(
        _lazy("OpenDocument spreadsheet (ODS)"),
        "application/vnd.oasis.opendocument.spreadsheet",
        odf_mimetype="application/vnd.oasis.opendocument.spreadsheet",
    ),
    "png": FileType(_lazy("PNG image"), "image/png"),
    "jpg": FileType(_lazy("JPEG image"), "image/jpeg"),
}
ALIASES = {"jpeg": "jpg"}

MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # password-protected Office files, or the old .doc/.xls


def normalize_type(value: str) -> str:
    """``".JPEG"`` → ``"jpg"``: how a type is written in the settings or at the end of a file name."""
    value = value.strip().lower().lstrip(".")
    return ALIASES.get(value, value)


def validate_upload_types(types: list[str]) -> None:
    """Every type in ``types`` must be one whose content these checks know how to verify."""
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise ValidationError(_("Give a list of file extensions, e.g. pdf, docx, xlsx."), code="invalid")
    if not types:
        raise ValidationError(_("Accept at least one document type."), code="empty")
    unknown = [t for t in types if normalize_type(t) not in KNOWN_TYPES]
    if unknown:
        raise ValidationError(
            _("Unknown document types: %(unknown)s. The portal can check these: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(KNOWN_TYPES)},
            code="unknown",
        )


def accepted_types(types: list[str]) -> list[str]:
    """The settings' types that the checks know, normalized, in order, without repeats."""
    seen: list[str] = []
    for value in types or []:
        kind = normalize_type(str(value))
        if kind in KNOWN_TYPES and kind not in seen:
            seen.append(kind)
    return seen


def describe_types(types: list[str]) -> str:
    """``"PDF, DOCX, XLSX"``: the accepted types as a person reads them."""
    return ", ".join(t.upper() for t in accepted_types(types))


def clean_name(name: str, *, fallback_extension: str = "") -> str:
    """The file's own name, safe to show and to send back in Content-Disposition: no folders, no
    control or reserved characters, at most 200 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r"\s+", " ", name).strip().rstrip(".")
    stem = name.rpartition(".")[0] if "." in name else name
    if not stem.strip(" ."):  # nothing but an extension (".pdf") or dots: a hidden or empty name
        name = f"document.{fallback_extension}" if fallback_extension else "document"
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: NAME_MAX_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:NAME_MAX_LENGTH]
    return name


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}"


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # sanitized original name
    extension: str
    content_type: str
    size: int


def check_upload(upload: Any, *, upload_types: list[str], max_upload_mb: int) -> CheckedUpload:
    """Refuse ``upload`` (a Django ``UploadedFile``) with a message naming it, unless its type is
    accepted, its size within the limit and its content matches its extension."""
    raw_name = getattr(upload, "name", "") or ""
    extension = normalize_type(raw_name.rpartition(".")[2]) if "." in raw_name else ""
    name = clean_name(raw_name, fallback_extension=extension)
    accepted = accepted_types(upload_types)
    if extension not in accepted:
        raise ValidationError(
            _("“%(name)s” is not an accepted type: %(types)s.") % {"name": name, "types": describe_types(accepted)},
            code="type",
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if size > max_upload_mb * MB:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": name, "size": _megabytes(size), "limit": max_upload_mb},
            code="size",
        )
    file_type = KNOWN_TYPES[extension]
    try:
        _check_content(upload, extension, file_type, name)
    finally:
        upload.seek(0)
    return CheckedUpload(name=name, extension=extension, content_type=file_type.content_type, size=size)


def _mismatch(name: str, file_type: FileType) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not a real %(type)s file: its content does not match its extension.")
        % {"name": name, "type": file_type.label},
        code="content",
    )


def _check_content(upload: Any, extension: str, file_type: FileType, name: str) -> None:
    upload.seek(0)
    head = upload.read(16)
    if extension in MAGIC:
        if not head.startswith(MAGIC[extension]):
            raise _mismatch(name, file_type)
        return
    if head.startswith(OLE_MAGIC):
        raise ValidationError(
            _("“%(name)s” is password-protected or in an old binary format; save it as %(type)s without a password.")
            % {"name": name, "type": file_type.label},
            code="encrypted",
        )
    if not head.startswith(ZIP_MAGIC):
        raise _mismatch(name, file_type)
    upload.seek(0)
    _check_zip(upload, file_type, name)


def _broken(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is damaged or encrypted and cannot be checked; save it again and upload the new file.")
        % {"name": name},
        code="broken",
    )


def _check_zip(stream: IO[bytes], file_type: FileType, name: str) -> None:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _broken(name) from None
    with archive:
        try:
            members = zips.check_members(
                archive, zips.ZipBounds(max_members=ZIP_MAX_MEMBERS, max_unpacked=ZIP_MAX_UNPACKED)
            )
        except zips.ZipRefused:  # too many members, unpacks too large, or encrypted
            raise _broken(name) from None
        names = {m.filename for m in members}
        lowered = {n.lower() for n in names}
        if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in lowered) or any(
            n.startswith(("basic/", "scripts/")) for n in lowered
        ):
            raise ValidationError(
                _("“%(name)s” contains macros, which are not accepted; save it without macros.") % {"name": name},
                code="macros",
            )
        if file_type.zip_member and file_type.zip_member not in names:
            raise _mismatch(name, file_type)
        try:
            if archive.testzip() is not None:
                raise _broken(name)
            if file_type.odf_mimetype:
                if "mimetype" not in names or archive.read("mimetype").strip() != file_type.odf_mimetype.encode():
                    raise _mismatch(name, file_type)
                # ODF encrypts members inside an ordinary zip and says so in its manifest.
                if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read("META-INF/manifest.xml"):
                    raise _broken(name)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
            raise _broken(name) from None
