"""Files staff will open: no macros, no programs in archives, no ZIP bombs, no PDF scripts."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from servicedesk.extensions import db
from servicedesk.tickets.attachments import attachment_problem
from servicedesk.tickets.models import Ticket
from tests.tickets.attachments.conftest import CONTENT_TYPES, Samples
from tests.tickets.conftest import file_ticket

MB = 1024 * 1024


def zip_of(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_with(extra: dict[str, bytes]) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES.encode(),
            "word/document.xml": b"<w:document/>",
            **extra,
        }
    )


def problem(name: str, content: bytes) -> str | None:
    return attachment_problem(Samples.upload(name, content))


# --- Office files with macros ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["申请报告.docx", "申请报告.zip"])
def test_a_word_file_carrying_macros_is_refused_whatever_its_name(app, name):
    message = problem(name, docx_with({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}))
    assert message and f'"{name}"' in message and "macros" in message


def test_a_workbook_with_printer_settings_is_still_accepted(app):
    content = zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES.encode(),
            "xl/workbook.xml": b"<workbook/>",
            "xl/printerSettings/printerSettings1.bin": b"\x00" * 64,
        }
    )
    assert problem("用电负荷.xlsx", content) is None


# --- archives --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry", ["setup.exe", "tools/run.BAT", "invoice.pdf.js", "a/b/c.ps1", "x.jar", "go.sh"]
)
def test_an_archive_holding_a_program_is_refused_naming_it(app, entry):
    message = problem("photos.zip", zip_of({"readme.txt": b"photos", entry: b"MZ"}))
    assert message and '"photos.zip"' in message and entry in message


@pytest.mark.parametrize("entry", ["../../etc/cron.d/x.txt", "/etc/passwd", "a/../../b.txt"])
def test_an_archive_with_a_path_leaving_its_folder_is_refused(app, entry):
    message = problem("photos.zip", zip_of({entry: b"x"}))
    assert message and '"photos.zip"' in message and "outside its folder" in message


def test_a_one_megabyte_zip_unpacking_to_a_gibibyte_is_refused(app):
    buffer = io.BytesIO()
    zeros = bytes(16 * MB)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.txt", "w", force_zip64=True) as member:
            for _ in range(64):  # 1 GiB written through the compressor, never held whole
                member.write(zeros)
    bomb = buffer.getvalue()
    assert len(bomb) < 2 * MB
    message = problem("photos.zip", bomb)
    assert message and '"photos.zip"' in message and "unpack to more than" in message


def test_a_tightly_packed_archive_under_the_total_is_refused_by_its_ratio(app):
    content = zip_of({"zeros.txt": bytes(20 * MB)})  # about 20 KB: a ratio near 1,000
    assert problem("photos.zip", content) is not None
    app.config["ARCHIVE_MAX_RATIO"] = 2000
    assert problem("photos.zip", content) is None


def test_a_central_directory_understating_the_sizes_is_caught(app):
    honest = zip_of({"zeros.txt": bytes(300 * MB // 100)})
    # Rewrite the declared uncompressed size (local header and central directory) to 1 KB.
    forged = bytearray(honest)
    local = forged.index(b"PK\x03\x04")
    struct.pack_into("<I", forged, local + 22, 1024)
    central = forged.index(b"PK\x01\x02")
    struct.pack_into("<I", forged, central + 24, 1024)
    app.config["ARCHIVE_MAX_UNCOMPRESSED_BYTES"] = 1 * MB
    app.config["ARCHIVE_MAX_RATIO"] = 10**6
    assert problem("photos.zip", bytes(forged)) is not None


def test_an_ordinary_archive_of_photos_is_accepted(app, samples):
    content = zip_of({"gate.png": samples.png, "notes/说明.txt": "东门".encode()})
    assert problem("现场照片.zip", content) is None


# --- PDFs with JavaScript ------------------------------------------------------------------


def pdf(*objects: bytes) -> bytes:
    body = b"%PDF-1.7\n"
    for number, obj in enumerate(objects, start=1):
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def test_a_plain_pdf_is_accepted(app, samples):
    assert problem("营业执照.pdf", samples.pdf) is None


def test_a_pdf_whose_page_text_mentions_javascript_is_accepted(app):
    text = b"BT /F1 12 Tf (See /JavaScript and /JS in the manual) Tj ET"
    content = pdf(
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/Contents 4 0 R>>",
        b"<</Length %d>>\nstream\n" % len(text) + text + b"\nendstream",
    )
    assert problem("manual.pdf", content) is None


@pytest.mark.parametrize(
    "catalog",
    [
        b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>",
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>",
        b"<</Type/Catalog/Pages 2 0 R/Names<</J#61vaScript 3 0 R>>>>",
        b"<</Type/Catalog/Pages 2 0 R/AA<</O<</S/JavaScript /JS 4 0 R>>>>>>",
    ],
)
def test_a_pdf_with_javascript_is_refused(app, catalog):
    content = pdf(
        catalog,
        b"<</Type/Pages/Kids[]/Count 0>>",
        b"<</S/JavaScript/JS(this.exportDataObject({cName:'x'}))>>",
    )
    message = problem("通知.pdf", content)
    assert message and '"通知.pdf"' in message and "JavaScript" in message


def test_javascript_hidden_in_a_compressed_object_stream_is_found(app):
    hidden = zlib.compress(b"3 0 <</S/JavaScript/JS(app.alert(1))>>")
    content = pdf(
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[]/Count 0>>",
        b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>\nstream\n" % len(hidden)
        + hidden
        + b"\nendstream",
    )
    assert problem("通知.pdf", content) is not None


# --- through the web form ------------------------------------------------------------------


def test_a_refused_macro_file_keeps_the_rest_of_the_form(park, client_for):
    client = client_for(park.contact)
    response = file_ticket(
        client,
        park.category,
        title="东门道路积水",
        attachments=[(io.BytesIO(docx_with({"word/vbaProject.bin": b"x"})), "报告.docx")],
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "&#34;报告.docx&#34; contains macros" in page or '"报告.docx" contains macros' in page
    assert 'value="东门道路积水"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0
