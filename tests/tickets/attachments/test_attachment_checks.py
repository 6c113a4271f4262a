"""Which files an enterprise or a task force may attach: the name and the content must agree."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from servicedesk.tickets.attachments import (
    allowed_extensions,
    attachment_problem,
    clean_filename,
    format_size,
)

GOOD = [
    ("营业执照.pdf", "pdf"),
    ("east-gate.png", "png"),
    ("现场照片.jpg", "jpeg"),
    ("现场照片.JPEG", "jpeg"),
    ("map.gif", "gif"),
    ("photo.webp", "webp"),
    ("申请报告.docx", "docx"),
    ("用电负荷.xlsx", "xlsx"),
    ("汇报.pptx", "pptx"),
    ("photos.zip", "zip"),
    ("old-report.doc", "doc"),
    ("old-budget.xls", "xls"),
    ("old-slides.ppt", "ppt"),
    ("说明.txt", "txt"),
    ("记事本.txt", "txt_gbk"),
    ("unicode-notepad.txt", "txt_utf16"),
    ("a-docx-is-a-zip-too.zip", "docx"),
]


@pytest.mark.parametrize(("name", "sample"), GOOD)
def test_real_files_of_every_allowed_kind_are_accepted(app, samples, name, sample):
    upload = samples.upload(name, getattr(samples, sample))
    assert attachment_problem(upload) is None


MISMATCHED = [
    ("invoice.pdf", "exe"),  # a program renamed .pdf
    ("photo.png", "html"),  # a web page renamed .png
    ("photo.jpg", "png"),  # one image kind for another
    ("contract.docx", "pdf"),  # a PDF renamed .docx
    ("contract.docx", "xlsx"),  # a spreadsheet renamed .docx
    ("contract.docx", "zip"),  # a plain archive renamed .docx
    ("budget.xlsx", "docx"),
    ("slides.pptx", "docx"),
    ("old.doc", "xls"),  # legacy Excel renamed .doc
    ("old.doc", "msi"),  # an installer renamed .doc
    ("old.xls", "exe"),
    ("archive.zip", "exe"),
    ("notes.txt", "html"),  # markup is not plain text
    ("notes.txt", "svg"),
    ("notes.txt", "exe"),  # binary is not text
    ("notes.txt", "png"),
]


@pytest.mark.parametrize(("name", "sample"), MISMATCHED)
def test_content_that_does_not_match_the_name_is_refused(app, samples, name, sample):
    problem = attachment_problem(samples.upload(name, getattr(samples, sample)))
    assert problem is not None
    assert f'"{name}"' in problem
    assert "does not match" in problem


def test_self_extracting_archive_renamed_zip_is_refused(app, samples):
    # A program with a ZIP appended opens as a ZIP, but it is a program.
    problem = attachment_problem(samples.upload("photos.zip", samples.exe + samples.zip))
    assert problem is not None and "does not match" in problem


def test_text_with_control_characters_is_refused(app, samples):
    problem = attachment_problem(samples.upload("log.txt", b"line one\x00\x01\x02line two"))
    assert problem is not None and "does not match" in problem


@pytest.mark.parametrize(
    "name",
    [
        "setup.exe",
        "page.html",
        "drawing.svg",
        "script.js",
        "README",
        ".pdf",
        "photo.png.exe",
        "bad.php",
    ],
)
def test_types_outside_the_allow_list_are_refused_with_the_list(app, samples, name):
    problem = attachment_problem(samples.upload(name, samples.pdf))
    assert problem is not None
    assert "not an allowed type" in problem
    assert ".pdf, .png, .jpg" in problem and ".docx" in problem


def test_empty_file_is_refused(app, samples):
    problem = attachment_problem(samples.upload("空白.pdf", b""))
    assert problem == '"空白.pdf" is empty.'


def test_file_one_byte_over_the_limit_is_refused_with_the_limit(app, samples):
    app.config["ATTACHMENT_MAX_BYTES"] = len(samples.pdf)
    assert attachment_problem(samples.upload("ok.pdf", samples.pdf)) is None

    problem = attachment_problem(samples.upload("big.pdf", samples.pdf + b"\n"))
    assert problem is not None
    assert '"big.pdf"' in problem and "larger than" in problem


def test_the_size_limit_is_given_in_megabytes(app, samples):
    app.config["ATTACHMENT_MAX_BYTES"] = 20 * 1024 * 1024
    problem = attachment_problem(samples.upload("scan.pdf", samples.pdf + b"0" * (20 << 20)))
    assert problem == '"scan.pdf" is larger than the 20 MB allowed for one file.'


class CountingStream(io.BytesIO):
    """A stream that remembers how many bytes were read from it."""

    bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_an_oversized_file_is_refused_without_reading_it(app, samples):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    stream = CountingStream(samples.pdf + b"0" * (2 << 20))
    problem = attachment_problem(FileStorage(stream=stream, filename="scan.pdf"))
    assert "larger than the 1 MB" in problem
    assert stream.bytes_read == 0


def test_checking_leaves_the_stream_rewound(app, samples):
    for name, sample in [
        ("a.pdf", samples.pdf),
        ("b.docx", samples.docx),
        ("c.txt", samples.txt),
        ("d.pdf", samples.exe),
    ]:
        upload = samples.upload(name, sample)
        upload.stream.seek(5)
        attachment_problem(upload)
        assert upload.stream.tell() == 0
        assert upload.stream.read() == sample


def test_the_browser_content_type_is_not_trusted(app, samples):
    upload = samples.upload("photo.png", samples.html, content_type="image/png")
    assert attachment_problem(upload) is not None


def test_the_message_names_the_file_safely(app, samples):
    problem = attachment_problem(samples.upload("../../etc/pass\x07wd.pdf", b""))
    assert problem == '"passwd.pdf" is empty.'


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("营业执照.pdf", "营业执照.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\申请报告.docx", "申请报告.docx"),
        ("bad\x00name\x1f.pdf", "badname.pdf"),
        ("invoice\u202egnp.pdf", "invoicegnp.pdf"),  # right-to-left override disguise
        ("  ..hidden.pdf  ", "hidden.pdf"),
        ('a<b>c:d"e|f?g*.pdf', "a_b_c_d_e_f_g_.pdf"),
        ("line\nbreak.pdf", "linebreak.pdf"),
        ("..", ""),
        (None, ""),
    ],
)
def test_file_names_are_cleaned_for_display(raw, clean):
    assert clean_filename(raw) == clean


def test_long_file_names_are_cut_keeping_the_extension():
    name = clean_filename("关于" * 200 + ".pdf")
    assert len(name) == 255
    assert name.startswith("关于关于") and name.endswith("关.pdf")


def test_sizes_read_naturally():
    assert format_size(20 * 1024 * 1024) == "20 MB"
    assert format_size(1536 * 1024) == "1.5 MB"
    assert format_size(2048) == "2 KB"
    assert format_size(100) == "100 bytes"


def test_the_allowed_list_reads_as_extensions():
    assert allowed_extensions().startswith(".pdf, .png, .jpg, .jpeg, .gif, .webp")
    assert ".txt" in allowed_extensions() and ".exe" not in allowed_extensions()
