"""Bounds on a zip archive (Office files are zips) checked from its directory, before any member is
unpacked: a "zip bomb" of a few megabytes can unpack to gigabytes and cost the server minutes.

Used by the checks of supporting documents (``assistance.uploads``) and of report workbooks
(``reporting.workbook``), each with its own bounds.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

MB = 1024 * 1024


class ZipRefused(Exception):
    """The archive is outside the bounds; ``reason`` is ``"members"``, ``"size"`` or ``"encrypted"``."""

    def __init__(self, reason: str, *, member: str = ""):
        self.reason = reason
        self.member = member
        super().__init__(f"{reason} {member}".strip())


@dataclass(frozen=True)
class ZipBounds:
    max_members: int
    max_unpacked: int  # bytes, all members together
    max_member: int | None = None  # bytes, any one member


def check_members(archive: zipfile.ZipFile, bounds: ZipBounds) -> list[zipfile.ZipInfo]:
    """The archive's members, once their number and their unpacked sizes are within ``bounds`` and
    none is encrypted (encrypted content cannot be checked); else ``ZipRefused``."""
    members = archive.infolist()
    if len(members) > bounds.max_members:
        raise ZipRefused("members")
    if sum(m.file_size for m in members) > bounds.max_unpacked:
        raise ZipRefused("size")
    if bounds.max_member is not None:
        for member in members:
            if member.file_size > bounds.max_member:
                raise ZipRefused("size", member=member.filename)
    if any(m.flag_bits & 0x1 for m in members):
        raise ZipRefused("encrypted")
    return members
