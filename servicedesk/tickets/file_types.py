"""Which files may be attached: the allow-list, each type checked on its content (magic bytes),
never on the browser's content type.

Plain ``.txt`` is accepted: it is always served as a ``text/plain`` download with ``nosniff``, so a
browser never renders it, and its content must be text (UTF-8, UTF-16 with a byte-order mark, or
GB18030 as saved by Chinese Windows), with no control characters and no markup at the start.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import filetype
from filetype.types import archive, image

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 8192
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with entries, an empty archive
_MARKUP_STARTS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<meta",
    b"<a ",
    b"<img",
)
# Control characters (category Cc) other than tab, line feed, carriage return and form feed.
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


# --- content checks ------------------------------------------------------------------------


def _matches(matcher: filetype.Type) -> Callable[[IO[bytes], bytes], bool]:
    return lambda stream, head: bool(matcher.match(head))


def _is_gif(stream: IO[bytes], head: bytes) -> bool:
    return head[:6] in (b"GIF87a", b"GIF89a")


def _is_png(stream: IO[bytes], head: bytes) -> bool:
    return head[:8] == b"\x89PNG\r\n\x1a\n"


def _zip_names(stream: IO[bytes], head: bytes) -> list[str] | None:
    """The entry names of a ZIP that starts as one (a self-extracting .exe does not), else None."""
    if head[:4] not in ZIP_SIGNATURES:
        return None
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as zip_file:
            return zip_file.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None


def _is_zip(stream: IO[bytes], head: bytes) -> bool:
    return _zip_names(stream, head) is not None


def _office_open_xml(part_folder: str) -> Callable[[IO[bytes], bytes], bool]:
    """docx/xlsx/pptx: a ZIP holding ``[Content_Types].xml`` and the part folder of its kind."""

    def check(stream: IO[bytes], head: bytes) -> bool:
        names = _zip_names(stream, head)
        if not names:
            return False
        return "[Content_Types].xml" in names and any(
            name.startswith(part_folder) for name in names
        )

    return check


def read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's content from where it stands, in CHUNK_SIZE pieces."""
    stream.seek(0)
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk


def _ole2(*stream_names: str) -> Callable[[IO[bytes], bytes], bool]:
    """doc/xls/ppt: an OLE2 compound file whose directory names the main stream of its kind.

    Directory entries hold the stream name in UTF-16LE followed by a NUL, so a plain search
    over the file tells a Word file from an Excel file or an installer (.msi is OLE2 too).
    """
    needles = [name.encode("utf-16-le") + b"\x00\x00" for name in stream_names]
    overlap = max(len(needle) for needle in needles)

    def check(stream: IO[bytes], head: bytes) -> bool:
        if head[:8] != OLE2_SIGNATURE:
            return False
        tail = b""
        for chunk in read_chunks(stream):
            window = tail + chunk
            if any(needle in window for needle in needles):
                return True
            tail = window[-overlap:]
        return False

    return check


def _is_text(stream: IO[bytes], head: bytes) -> bool:
    """Text that no program would take for something else: no binary magic, no markup."""
    if filetype.guess(head) is not None:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        decoded = _decode_all(stream, encoding)
        if decoded is not None:
            start, clean = decoded
            return clean and not start.lstrip().lower().encode().startswith(_MARKUP_STARTS)
    return False


def _decode_all(stream: IO[bytes], encoding: str) -> tuple[str, bool] | None:
    """(the first decoded characters, no control characters) or None when it does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    start = ""
    clean = True
    try:
        for chunk in read_chunks(stream):
            text = decoder.decode(chunk)
            if len(start) < 200:
                start += text[:200]
            clean = clean and not _TEXT_CONTROLS.search(text)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return start, clean


@dataclass(frozen=True)
class AllowedType:
    content_type: str
    check: Callable[[IO[bytes], bytes], bool]


_PDF = AllowedType("application/pdf", _matches(archive.Pdf()))
_JPEG = AllowedType("image/jpeg", _matches(image.Jpeg()))

#: The allow-list, by lower-case extension.
ALLOWED_TYPES: dict[str, AllowedType] = {
    "pdf": _PDF,
    "png": AllowedType("image/png", _is_png),
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "gif": AllowedType("image/gif", _is_gif),
    "webp": AllowedType("image/webp", _matches(image.Webp())),
    "doc": AllowedType("application/msword", _ole2("WordDocument")),
    "xls": AllowedType("application/vnd.ms-excel", _ole2("Workbook", "Book")),
    "ppt": AllowedType("application/vnd.ms-powerpoint", _ole2("PowerPoint Document")),
    "docx": AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _office_open_xml("word/"),
    ),
    "xlsx": AllowedType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _office_open_xml("xl/"),
    ),
    "pptx": AllowedType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _office_open_xml("ppt/"),
    ),
    "zip": AllowedType("application/zip", _is_zip),
    "txt": AllowedType("text/plain", _is_text),
}
