"""Ticket attachments: which files are accepted, where they are stored, how they are served.

A file is accepted only when its name's extension is on the allow-list AND its content is what
that extension says (checked on the magic bytes, never on the browser's content type). Files are
written under ``UPLOAD_FOLDER`` (outside ``static/``) with a random name and served back only as
downloads, with the content type we decided and ``nosniff``.

Plain ``.txt`` is accepted: it is always served as a ``text/plain`` download with ``nosniff``, so a
browser never renders it, and its content must be text (UTF-8, UTF-16 with a byte-order mark, or
GB18030 as saved by Chinese Windows), with no control characters and no markup at the start.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
from filetype.types import archive, image
from flask import Response, abort, current_app, send_from_directory
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import Field
from wtforms.form import BaseForm

from servicedesk.auth.models import User
from servicedesk.extensions import db
from servicedesk.tickets.models import Attachment, Ticket, TicketEvent
from servicedesk.tickets.rules import IllegalAction

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 8192
MAX_NAME_LENGTH = 255
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with entries, an empty archive
# Characters Windows refuses in file names; replaced so a download saves under the shown name.
_RESERVED = str.maketrans({c: "_" for c in '<>:"|?*'})
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml",
                  b"<iframe", b"<object", b"<embed", b"<meta", b"<a ", b"<img")
# Control characters (category Cc) other than tab, line feed, carriage return and form feed.
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


class AttachmentRefused(IllegalAction):
    """A file that may not be attached; the message says which file and why."""


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
        return bool(names) and "[Content_Types].xml" in names and any(
            name.startswith(part_folder) for name in names
        )

    return check


def _scan(stream: IO[bytes]) -> Iterator[bytes]:
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
        for chunk in _scan(stream):
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
        for chunk in _scan(stream):
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


# --- names and sizes -----------------------------------------------------------------------

def clean_filename(raw: str | None) -> str:
    """The user's file name made safe to show and to offer as a download name.

    Drops any folder part (``../../etc/passwd.pdf`` becomes ``passwd.pdf``), control and
    invisible formatting characters (such as the right-to-left override), leading dots;
    keeps Chinese and other letters; at most 255 characters, keeping the extension.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Zl", "Zp"})
    name = name.translate(_RESERVED).strip().lstrip(".").rstrip(". ").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def file_extension(name: str) -> str:
    """The lower-case extension of a cleaned file name, without the dot ('' when there is none)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def allowed_extensions() -> str:
    """The allowed extensions as users read them: ``.pdf, .png, ...``."""
    return ", ".join(f".{extension}" for extension in ALLOWED_TYPES)


def format_size(size: int) -> str:
    """A byte count as ``20 MB``, ``512 KB`` or ``100 bytes``."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _stream_size(stream: IO[bytes]) -> int:
    """The stream's length, found by seeking to its end, never by reading it."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


# --- validation ----------------------------------------------------------------------------

def _inspect(file_storage: FileStorage) -> tuple[str | None, str | None]:
    """(problem, content type): exactly one of them is None."""
    name = clean_filename(file_storage.filename) or _("(unnamed file)")
    stream = file_storage.stream
    try:
        size = _stream_size(stream)
        limit = current_app.config["ATTACHMENT_MAX_BYTES"]
        if size == 0:
            return _('"%(name)s" is empty.', name=name), None
        if size > limit:
            return _('"%(name)s" is larger than the %(limit)s allowed for one file.',
                     name=name, limit=format_size(limit)), None
        allowed = ALLOWED_TYPES.get(file_extension(name))
        if allowed is None:
            return _('"%(name)s" is not an allowed type of file. Allowed: %(allowed)s.',
                     name=name, allowed=allowed_extensions()), None
        head = stream.read(HEAD_SIZE)
        if not allowed.check(stream, head):
            return _('The content of "%(name)s" does not match its name: it is not a real '
                     '.%(extension)s file.', name=name, extension=file_extension(name)), None
        return None, allowed.content_type
    finally:
        stream.seek(0)


def attachment_problem(file_storage: FileStorage) -> str | None:
    """Why this upload may not be attached (naming the file), or None when it may."""
    return _inspect(file_storage)[0]


def chosen_files(files: Iterable[FileStorage] | None) -> list[FileStorage]:
    """The files actually chosen, without the empty part a browser sends when none is."""
    return [f for f in files or () if isinstance(f, FileStorage) and f.filename]


def _count_problem(count: int) -> str | None:
    limit = current_app.config["ATTACHMENT_MAX_COUNT"]
    if count > limit:
        return _("You can attach at most %(limit)d files at a time; you chose %(count)d.",
                 limit=limit, count=count)
    return None


def validate_attachments(form: BaseForm, field: Field) -> None:
    """WTForms validator for a ``MultipleFileField``: the count, then every file; all messages."""
    files = chosen_files(field.data)
    problems = [_count_problem(len(files))] + [attachment_problem(f) for f in files]
    field.errors.extend(problem for problem in problems if problem)


def attachments_field(label: str = _l("Attachments"), **kwargs) -> MultipleFileField:
    """A multiple-file field with the attachment checks and a browser-side extension filter."""
    render_kw = {"accept": ",".join(f".{extension}" for extension in ALLOWED_TYPES)}
    render_kw.update(kwargs.pop("render_kw", {}))
    validators = [*kwargs.pop("validators", []), validate_attachments]
    return MultipleFileField(label, validators=validators, render_kw=render_kw, **kwargs)


def attachments_hint() -> str:
    """The help text under an attachments field: how many, how large, which types."""
    return _("Up to %(count)d files of at most %(size)s each: %(allowed)s.",
             count=current_app.config["ATTACHMENT_MAX_COUNT"],
             size=format_size(current_app.config["ATTACHMENT_MAX_BYTES"]),
             allowed=allowed_extensions())


# --- storage -------------------------------------------------------------------------------

def upload_folder() -> Path:
    """The folder holding every stored attachment (created when missing)."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(attachment: Attachment) -> Path:
    """Where an attachment's bytes live on disk."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / attachment.stored_name


def _write(stream: IO[bytes], path: Path) -> tuple[int, str]:
    """Copy the stream to a new file (never over an existing one); return (size, sha256).

    A file left half-written by a failure is removed before the error goes on.
    """
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(descriptor, "wb") as target:
            for chunk in _scan(stream):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stream.seek(0)
    return size, digest.hexdigest()


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def store_attachments(ticket: Ticket, uploader: User, files: Iterable[FileStorage],
                      event: TicketEvent | None = None, public: bool = True) -> list[Attachment]:
    """Check and write the files under random names and add their rows; the caller commits.

    Raises :class:`AttachmentRefused` for a file that fails the checks. On any failure, the
    files already written are removed and no row is left in the session. If the caller's
    commit fails afterwards, call :func:`discard_stored` with the returned rows.
    """
    files = chosen_files(files)
    problem = _count_problem(len(files))
    if problem:
        raise AttachmentRefused(problem)
    folder = upload_folder()
    written: list[Path] = []
    attachments: list[Attachment] = []
    try:
        for file_storage in files:
            problem, content_type = _inspect(file_storage)
            if problem:
                raise AttachmentRefused(problem)
            stored_name = secrets.token_hex(16)
            path = folder / stored_name
            size, sha256 = _write(file_storage.stream, path)
            written.append(path)
            attachments.append(Attachment(
                original_name=clean_filename(file_storage.filename), stored_name=stored_name,
                content_type=content_type, size=size, sha256=sha256, public=public,
            ))
    except BaseException:
        _remove(written)
        raise
    # Rows join the ticket only once every file is safely on disk.
    for attachment in attachments:
        attachment.ticket = ticket
        attachment.event = event
        attachment.uploaded_by = uploader
        db.session.add(attachment)
    return attachments


def discard_stored(attachments: Iterable[Attachment]) -> None:
    """Delete the files of attachments whose rows were never committed (after a rollback)."""
    _remove(stored_path(attachment) for attachment in attachments)


# --- serving -------------------------------------------------------------------------------

def send_attachment(attachment: Attachment) -> Response:
    """The file as a download under its original name; 404 when it is missing on disk.

    The caller's view decides who may see the ticket before calling this.
    """
    folder = current_app.config["UPLOAD_FOLDER"]
    if not (Path(folder) / attachment.stored_name).is_file():
        abort(404)
    response = send_from_directory(
        folder, attachment.stored_name, as_attachment=True,
        download_name=attachment.original_name, mimetype=attachment.content_type, max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render it anyway, it runs no script and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    response.cache_control.public = False
    return response
