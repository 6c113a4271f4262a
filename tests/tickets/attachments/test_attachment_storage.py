"""Attached files land under the upload folder with random names, all or nothing."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from servicedesk.extensions import db
from servicedesk.tickets import attachments as attachments_module
from servicedesk.tickets.attachments import (
    AttachmentRefused,
    discard_stored,
    store_attachments,
    stored_path,
)
from servicedesk.tickets.file_types import CHUNK_SIZE
from servicedesk.tickets.models import Attachment
from servicedesk.tickets.rules import IllegalAction


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


def attachment_rows() -> int:
    return db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()


def test_a_business_licence_is_stored_under_a_random_name(
    app, samples, ticket, contact, filed_event
):
    upload = samples.upload("营业执照.pdf", samples.pdf, content_type="application/octet-stream")

    [attachment] = store_attachments(ticket, contact, [upload], event=filed_event)
    db.session.commit()

    assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
    assert stored_files(app) == [Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name]
    assert stored_path(attachment).read_bytes() == samples.pdf
    assert attachment.sha256 == hashlib.sha256(samples.pdf).hexdigest()
    assert attachment.size == len(samples.pdf)
    assert attachment.original_name == "营业执照.pdf"
    # Our own verdict on the content, not the browser's label.
    assert attachment.content_type == "application/pdf"
    assert attachment.public is True
    db.session.expire_all()
    stored = db.session.get(Attachment, attachment.id)
    assert stored.ticket == ticket and stored.event == filed_event
    assert stored.uploaded_by == contact
    assert ticket.attachments == [stored] and filed_event.attachments == [stored]


def test_every_file_gets_its_own_name_and_the_stream_stays_usable(app, samples, ticket, contact):
    uploads = [
        samples.upload("现场照片.jpg", samples.jpeg),
        samples.upload("现场照片.jpg", samples.jpeg),
        samples.upload("申请报告.docx", samples.docx),
    ]

    stored = store_attachments(ticket, contact, uploads)
    db.session.commit()

    assert len({a.stored_name for a in stored}) == 3
    assert len(stored_files(app)) == 3
    assert [a.content_type for a in stored] == [
        "image/jpeg",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    assert all(upload.stream.read() for upload in uploads)


def test_internal_note_attachments_are_not_public(app, samples, ticket, contact):
    [attachment] = store_attachments(
        ticket, contact, [samples.upload("memo.txt", samples.txt)], public=False
    )
    db.session.commit()
    assert db.session.get(Attachment, attachment.id).public is False


def test_path_traversal_names_stay_inside_the_upload_folder(
    app, samples, ticket, contact, tmp_path
):
    upload = samples.upload("../../etc/passwd.pdf", samples.pdf)

    [attachment] = store_attachments(ticket, contact, [upload])
    db.session.commit()

    assert attachment.original_name == "passwd.pdf"
    assert stored_path(attachment).parent == Path(app.config["UPLOAD_FOLDER"])
    assert not any(tmp_path.rglob("passwd*"))


def test_the_store_does_not_commit(app, samples, ticket, contact):
    store_attachments(ticket, contact, [samples.upload("a.pdf", samples.pdf)])
    db.session.rollback()
    assert attachment_rows() == 0


def test_the_empty_part_of_an_empty_file_input_is_ignored(app, ticket, contact):
    nothing_chosen = FileStorage(
        stream=io.BytesIO(b""), filename="", content_type="application/octet-stream"
    )
    assert store_attachments(ticket, contact, [nothing_chosen]) == []
    assert store_attachments(ticket, contact, None) == []
    assert stored_files(app) == []


def test_a_refused_file_in_the_middle_leaves_nothing_behind(app, samples, ticket, contact):
    uploads = [
        samples.upload("营业执照.pdf", samples.pdf),
        samples.upload("照片.png", samples.png),
        samples.upload("invoice.pdf", samples.exe),
    ]

    with pytest.raises(AttachmentRefused) as refused:
        store_attachments(ticket, contact, uploads)

    assert '"invoice.pdf"' in refused.value.message
    assert isinstance(refused.value, IllegalAction)  # views already show these on the form
    assert stored_files(app) == []
    assert ticket.attachments == []
    db.session.commit()
    assert attachment_rows() == 0


def test_a_disk_error_mid_way_removes_the_files_already_written(
    app, samples, ticket, contact, monkeypatch
):
    names = iter(["a" * 32, "b" * 32, "c" * 32])
    monkeypatch.setattr(attachments_module.secrets, "token_hex", lambda n: next(names))
    # Someone else's file already holds the second name: it must be neither overwritten
    # nor removed by our clean-up.
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True)
    (folder / ("b" * 32)).write_bytes(b"an earlier upload")
    uploads = [
        samples.upload("one.pdf", samples.pdf),
        samples.upload("two.pdf", samples.pdf),
        samples.upload("three.pdf", samples.pdf),
    ]

    with pytest.raises(FileExistsError):
        store_attachments(ticket, contact, uploads)

    assert stored_files(app) == [folder / ("b" * 32)]
    assert (folder / ("b" * 32)).read_bytes() == b"an earlier upload"
    assert ticket.attachments == []
    db.session.commit()
    assert attachment_rows() == 0


class BrokenStream(io.BytesIO):
    """A client connection that drops after the first chunk has been copied."""

    def __init__(self, content: bytes):
        super().__init__(content)
        self.copying = False

    def read(self, size=-1):
        if self.copying and self.tell() > 0:
            raise OSError("connection reset")
        return super().read(size)


def test_a_half_written_file_is_removed(app, samples, ticket, contact, monkeypatch):
    content = samples.pdf + b"%" * (3 * CHUNK_SIZE)
    stream = BrokenStream(content)
    original_write = attachments_module._write

    def write_then_break(source, path):
        stream.copying = True
        return original_write(source, path)

    monkeypatch.setattr(attachments_module, "_write", write_then_break)
    uploads = [
        samples.upload("first.pdf", samples.pdf),
        FileStorage(stream=stream, filename="second.pdf"),
    ]

    with pytest.raises(OSError, match="connection reset"):
        store_attachments(ticket, contact, uploads)

    assert stored_files(app) == []


def test_more_files_than_allowed_are_refused_before_anything_is_written(
    app, samples, ticket, contact
):
    uploads = [samples.upload(f"照片{i}.png", samples.png) for i in range(6)]

    with pytest.raises(AttachmentRefused, match="at most 5 files"):
        store_attachments(ticket, contact, uploads)

    assert stored_files(app) == []


def test_when_the_commit_fails_the_stored_files_can_be_discarded(app, samples, ticket, contact):
    stored = store_attachments(
        ticket,
        contact,
        [samples.upload("a.pdf", samples.pdf), samples.upload("b.png", samples.png)],
    )
    assert len(stored_files(app)) == 2

    db.session.rollback()  # as after a failed commit
    discard_stored(stored)

    assert stored_files(app) == []
    discard_stored(stored)  # a second call finds nothing to do and does not fail
