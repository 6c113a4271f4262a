"""Real small sample files, upload builders and a ticket to attach them to."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from werkzeug.datastructures import FileStorage

from servicedesk.auth.models import Role
from servicedesk.extensions import db
from servicedesk.tickets.models import EventKind, Ticket, TicketEvent
from servicedesk.tickets.rules import Status

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _ole2(stream_name: str) -> bytes:
    """A compound-file header plus a directory sector naming the root and one stream."""
    header = OLE2 + b"\x00" * 16 + struct.pack("<HHH", 0x3E, 3, 0xFFFE) + struct.pack("<H", 9)
    header = header.ljust(512, b"\x00")

    def entry(name: str) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (encoded.ljust(64, b"\x00") + struct.pack("<H", len(encoded))).ljust(128, b"\x00")

    directory = (entry("Root Entry") + entry(stream_name)).ljust(512, b"\x00")
    return header + directory + b"\x00" * 512


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'  # noqa: E501


class Samples:
    """Bytes of real (minimal) files of every kind the desk accepts, and of hostile ones."""

    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + _png_chunk(b"IEND", b"")
    )
    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 64
        + b"\xff\xd9"
    )
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
        b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    webp = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00" + b"\x00" * 14
    docx = _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document>营业执照副本</w:document>",
        }
    )
    xlsx = _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": "<Relationships/>",
            "xl/workbook.xml": "<workbook/>",
        }
    )
    pptx = _zip({"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": "<presentation/>"})
    zip = _zip({"readme.txt": "site photos", "photos/gate.txt": "gate"})
    doc = _ole2("WordDocument")
    xls = _ole2("Workbook")
    ppt = _ole2("PowerPoint Document")
    msi = _ole2("SummaryInformation")  # an installer is an OLE2 file too
    txt = "厂区东门道路积水，请协助协调排水。\r\nRoad flooding at the east gate.\n".encode()
    txt_gbk = "厂区东门道路积水，请协助协调排水。\r\n".encode("gb18030")
    txt_utf16 = "厂区东门道路积水\r\n".encode("utf-16")
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'

    @staticmethod
    def upload(
        name: str, content: bytes, content_type: str = "application/octet-stream"
    ) -> FileStorage:
        """What Flask hands a view for one uploaded file."""
        return FileStorage(stream=io.BytesIO(content), filename=name, content_type=content_type)


@pytest.fixture
def samples() -> type[Samples]:
    return Samples


@pytest.fixture
def contact(make_user, make_enterprise):
    enterprise = make_enterprise(name="成都磁材科技有限公司")
    return make_user(Role.ENTERPRISE_CONTACT, enterprise=enterprise)


@pytest.fixture
def ticket(contact, make_category):
    ticket = Ticket(
        reference="GC-2026-000001",
        enterprise=contact.enterprise,
        filed_by=contact,
        category=make_category(),
        title="东门道路积水",
        description="Road flooding at the east gate blocks deliveries.",
        status=Status.FILED.value,
    )
    db.session.add(ticket)
    db.session.commit()
    return ticket


@pytest.fixture
def filed_event(ticket, contact):
    event = TicketEvent(
        ticket=ticket, actor=contact, kind=EventKind.FILED.value, body=ticket.description
    )
    db.session.add(event)
    db.session.commit()
    return event
