"""Ticket attachments: which files are accepted, where they are stored, how they are served.

A file is accepted only when its name's extension is on the allow-list AND its content is what
that extension says (:mod:`servicedesk.tickets.file_types`). Files are written under
``UPLOAD_FOLDER`` (outside ``static/``) with a random name and served back only as downloads, with
the content type we decided and ``nosniff``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from flask import Response, abort, current_app, send_from_directory
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import Field
from wtforms.form import BaseForm

from servicedesk.auth.models import User
from servicedesk.clock import park_zone, utcnow
from servicedesk.extensions import db
from servicedesk.tickets.file_hazards import (
    ArchiveLimits,
    Finding,
    Hazard,
    archive_finding,
    pdf_finding,
)
from servicedesk.tickets.file_types import ALLOWED_TYPES, HEAD_SIZE, read_chunks
from servicedesk.tickets.models import Attachment, Ticket, TicketEvent
from servicedesk.tickets.rules import IllegalAction

MAX_NAME_LENGTH = 255
# Characters Windows refuses in file names; replaced so a download saves under the shown name.
_RESERVED = str.maketrans({c: "_" for c in '<>:"|?*'})


class AttachmentRefused(IllegalAction):
    """A file that may not be attached; the message says which file and why."""


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
            return _(
                '"%(name)s" is larger than the %(limit)s allowed for one file.',
                name=name,
                limit=format_size(limit),
            ), None
        allowed = ALLOWED_TYPES.get(file_extension(name))
        if allowed is None:
            return _(
                '"%(name)s" is not an allowed type of file. Allowed: %(allowed)s.',
                name=name,
                allowed=allowed_extensions(),
            ), None
        head = stream.read(HEAD_SIZE)
        if not allowed.check(stream, head):
            return _(
                'The content of "%(name)s" does not match its name: it is not a real '
                ".%(extension)s file.",
                name=name,
                extension=file_extension(name),
            ), None
        finding = _finding(stream, size, file_extension(name))
        if finding:
            return _hazard_message(name, finding), None
        return None, allowed.content_type
    finally:
        stream.seek(0)


ARCHIVE_EXTENSIONS = frozenset({"zip", "docx", "xlsx", "pptx"})


def _finding(stream: IO[bytes], size: int, extension: str) -> Finding | None:
    if extension in ARCHIVE_EXTENSIONS:
        limits = ArchiveLimits(
            max_unpacked_bytes=current_app.config["ARCHIVE_MAX_UNCOMPRESSED_BYTES"],
            max_ratio=current_app.config["ARCHIVE_MAX_RATIO"],
        )
        return archive_finding(stream, size, limits)
    if extension == "pdf":
        return pdf_finding(stream)
    return None


def _hazard_message(name: str, finding: Finding) -> str:
    """The refusal for a dangerous file, naming it (and the entry inside it, if any)."""
    entry = finding.entry or ""
    if finding.hazard is Hazard.MACROS:
        return _(
            '"%(name)s" contains macros. Please save it without macros '
            "(as .docx, .xlsx or .pptx) and attach it again.",
            name=name,
        )
    if finding.hazard is Hazard.EXECUTABLE:
        return _(
            '"%(name)s" holds a program or script (%(entry)s), which may not be attached, '
            "not even inside an archive.",
            name=name,
            entry=entry,
        )
    if finding.hazard is Hazard.UNSAFE_PATH:
        return _(
            '"%(name)s" holds an entry that would unpack outside its folder (%(entry)s).',
            name=name,
            entry=entry,
        )
    if finding.hazard is Hazard.TOO_LARGE_UNPACKED:
        return _(
            '"%(name)s" would unpack to more than allowed (%(limit)s, or %(ratio)d times its '
            "own size). Please send its files separately.",
            name=name,
            limit=format_size(current_app.config["ARCHIVE_MAX_UNCOMPRESSED_BYTES"]),
            ratio=current_app.config["ARCHIVE_MAX_RATIO"],
        )
    if finding.hazard is Hazard.PDF_JAVASCRIPT:
        return _(
            '"%(name)s" contains JavaScript. Please print it to a new PDF and attach that.',
            name=name,
        )
    return _('"%(name)s" is a damaged or encrypted archive and cannot be checked.', name=name)


def attachment_problem(file_storage: FileStorage) -> str | None:
    """Why this upload may not be attached (naming the file), or None when it may."""
    return _inspect(file_storage)[0]


def chosen_files(files: Iterable[FileStorage] | None) -> list[FileStorage]:
    """The files actually chosen, without the empty part a browser sends when none is."""
    return [f for f in files or () if isinstance(f, FileStorage) and f.filename]


def start_of_park_day(now: datetime) -> datetime:
    """Midnight of ``now``'s day in the park's time zone, as naive UTC (``now`` is naive UTC)."""
    local = now.replace(tzinfo=UTC).astimezone(park_zone())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def uploaded_today(uploader: User) -> int:
    """Bytes this person has attached since midnight, park time."""
    return db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(Attachment.size), 0)).where(
            Attachment.uploaded_by_id == uploader.id,
            Attachment.created_at >= start_of_park_day(utcnow()),
        )
    )


def _budget_problem(uploader: User, files: list[FileStorage]) -> str | None:
    budget = current_app.config["UPLOAD_BUDGET_BYTES_PER_DAY"]
    incoming = sum(_stream_size(f.stream) for f in files)
    used = uploaded_today(uploader)
    if used + incoming <= budget:
        return None
    return _(
        "These files (%(size)s) would take you past today's upload allowance of %(limit)s "
        "(%(used)s already uploaded today). Please attach fewer or smaller files, or send them "
        "tomorrow.",
        size=format_size(incoming),
        limit=format_size(budget),
        used=format_size(used),
    )


def _count_problem(count: int) -> str | None:
    limit = current_app.config["ATTACHMENT_MAX_COUNT"]
    if count > limit:
        return _(
            "You can attach at most %(limit)d files at a time; you chose %(count)d.",
            limit=limit,
            count=count,
        )
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
    return _(
        "Up to %(count)d files of at most %(size)s each: %(allowed)s.",
        count=current_app.config["ATTACHMENT_MAX_COUNT"],
        size=format_size(current_app.config["ATTACHMENT_MAX_BYTES"]),
        allowed=allowed_extensions(),
    )


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
            for chunk in read_chunks(stream):
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


def store_attachments(
    ticket: Ticket,
    uploader: User,
    files: Iterable[FileStorage],
    event: TicketEvent | None = None,
    public: bool = True,
) -> list[Attachment]:
    """Check and write the files under random names and add their rows; the caller commits.

    Raises :class:`AttachmentRefused` for a file that fails the checks. On any failure, the
    files already written are removed and no row is left in the session. If the caller's
    commit fails afterwards, call :func:`discard_stored` with the returned rows.
    """
    files = chosen_files(files)
    problem = _count_problem(len(files))
    if problem is None and files:
        problem = _budget_problem(uploader, files)
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
            attachments.append(
                Attachment(
                    original_name=clean_filename(file_storage.filename),
                    stored_name=stored_name,
                    content_type=content_type,
                    size=size,
                    sha256=sha256,
                    public=public,
                )
            )
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
        folder,
        attachment.stored_name,
        as_attachment=True,
        download_name=attachment.original_name,
        mimetype=attachment.content_type,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render it anyway, it runs no script and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    response.cache_control.public = False
    return response
