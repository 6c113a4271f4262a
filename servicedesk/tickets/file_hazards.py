"""What makes an allowed file dangerous for the staff who will open it.

:mod:`servicedesk.tickets.file_types` decides that a file is what its name says; this module looks
inside the ones that can carry code or expand without bound: ZIP archives and the Office files
built on ZIP (macros, programs, paths leaving the folder, ZIP bombs), and PDFs (JavaScript).
Pure functions over a stream and explicit limits; the caller words the refusal.
"""

from __future__ import annotations

import enum
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

#: Entries that run when opened (Windows, scripts, Java, installers, shell). Not ``.bin``:
#: Office files keep printer settings and embedded objects in ``.bin`` parts.
EXECUTABLE_EXTENSIONS = frozenset(
    "exe dll bat cmd com scr pif cpl msi msp msc jar js jse vbs vbe wsf wsh ps1 psm1 hta lnk "
    "reg sh bash apk".split()
)
READ_SIZE = 1024 * 1024


class Hazard(enum.Enum):
    MACROS = "macros"
    EXECUTABLE = "executable"
    UNSAFE_PATH = "unsafe_path"
    TOO_LARGE_UNPACKED = "too_large_unpacked"
    DAMAGED_ARCHIVE = "damaged_archive"
    PDF_JAVASCRIPT = "pdf_javascript"


@dataclass(frozen=True)
class Finding:
    """A hazard, and the archive entry it was found in (None when it is the whole file)."""

    hazard: Hazard
    entry: str | None = None


@dataclass(frozen=True)
class ArchiveLimits:
    max_unpacked_bytes: int
    max_ratio: int


# --- ZIP and Office Open XML --------------------------------------------------------------


def _unsafe_path(name: str) -> bool:
    normalised = name.replace("\\", "/")
    return (
        normalised.startswith("/")
        or re.match(r"^[A-Za-z]:", normalised) is not None
        or ".." in normalised.split("/")
    )


def _entry_finding(name: str) -> Finding | None:
    if _unsafe_path(name):
        return Finding(Hazard.UNSAFE_PATH, name)
    base = PurePosixPath(name.replace("\\", "/")).name
    if base.lower() == "vbaproject.bin":
        return Finding(Hazard.MACROS, name)
    if base.rpartition(".")[2].lower() in EXECUTABLE_EXTENSIONS and "." in base:
        return Finding(Hazard.EXECUTABLE, name)
    return None


def archive_finding(stream: IO[bytes], size: int, limits: ArchiveLimits) -> Finding | None:
    """The first hazard of a ZIP file (or docx/xlsx/pptx), or None when it is harmless.

    Sizes are first taken from the central directory, then every entry is unpacked with a
    running count, so a directory that understates the sizes is caught as well.
    """
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            for entry in entries:
                finding = _entry_finding(entry.filename)
                if finding:
                    return finding
            budget = min(limits.max_unpacked_bytes, max(size, 1) * limits.max_ratio)
            if sum(entry.file_size for entry in entries) > budget:
                return Finding(Hazard.TOO_LARGE_UNPACKED)
            unpacked = 0
            for entry in entries:
                with archive.open(entry) as member:
                    while chunk := member.read(READ_SIZE):
                        unpacked += len(chunk)
                        if unpacked > budget:
                            return Finding(Hazard.TOO_LARGE_UNPACKED, entry.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return Finding(Hazard.DAMAGED_ARCHIVE)
    except (RuntimeError, ValueError, zlib.error):  # encrypted entries, broken streams
        return Finding(Hazard.DAMAGED_ARCHIVE)
    finally:
        stream.seek(0)
    return None


# --- PDF ------------------------------------------------------------------------------------

# A name object ends at whitespace or a delimiter; ``#xx`` escapes spell any byte of a name.
_NAME = re.compile(rb"/((?:[^\s/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+)")
_STREAM = re.compile(rb"(?<!end)stream\r?\n(.*?)endstream", re.DOTALL)
_SCRIPT_NAMES = {b"JavaScript", b"JS"}
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
MAX_OBJECT_STREAM_BYTES = 16 * 1024 * 1024


def _names(dictionaries: bytes) -> set[bytes]:
    return {
        re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        for match in _NAME.finditer(dictionaries)
    }


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, MAX_OBJECT_STREAM_BYTES)
    except zlib.error:
        return b""


def pdf_finding(stream: IO[bytes]) -> Finding | None:
    """``PDF_JAVASCRIPT`` when an object dictionary names ``/JavaScript`` or ``/JS`` (a script
    action, an ``/OpenAction`` or ``/AA`` running one, a document-level script), else None.

    Only dictionaries are read: the bytes of page content and images are skipped, except
    compressed object streams, which hold dictionaries themselves.
    """
    stream.seek(0)
    content = stream.read()
    stream.seek(0)
    dictionaries = [_STREAM.sub(b" ", content)]
    for match in _STREAM.finditer(content):
        header = content[max(match.start() - 512, 0) : match.start()]
        header = header[header.rfind(b"obj") :]
        if _OBJECT_STREAM.search(header):
            body = match.group(1)
            dictionaries.append(_inflate(body) if _FLATE.search(header) else body)
    if any(_names(part) & _SCRIPT_NAMES for part in dictionaries):
        return Finding(Hazard.PDF_JAVASCRIPT)
    return None
