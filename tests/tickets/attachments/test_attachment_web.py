"""Through the browser: the upload form reports every problem, downloads are safe."""

from __future__ import annotations

import io
import os
import zipfile
from urllib.parse import quote

import pytest
from flask import jsonify
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from servicedesk.extensions import db
from servicedesk.tickets.attachments import (
    attachments_field,
    attachments_hint,
    send_attachment,
    store_attachments,
    stored_path,
)
from servicedesk.tickets.models import Attachment


class UploadForm(FlaskForm):
    attachments = attachments_field()


@pytest.fixture
def site(app):
    """A page that validates an attachments field, and one that sends an attachment."""

    def upload():
        form = UploadForm()
        if form.validate_on_submit():
            return jsonify(ok=True, count=len(form.attachments.data or []))
        return jsonify(ok=False, errors=form.attachments.errors)

    def download(attachment_id: int):
        return send_attachment(db.get_or_404(Attachment, attachment_id))

    app.add_url_rule("/test/upload", view_func=upload, methods=["POST"])
    app.add_url_rule("/test/download/<int:attachment_id>", view_func=download)
    return app.test_client()


def post_files(client, *files):
    return client.post(
        "/test/upload", data={"attachments": list(files)}, content_type="multipart/form-data"
    ).get_json()


def test_a_contact_uploads_a_licence_and_a_photo(site, samples):
    answer = post_files(
        site, (io.BytesIO(samples.pdf), "营业执照.pdf"), (io.BytesIO(samples.jpeg), "现场照片.jpg")
    )
    assert answer == {"ok": True, "count": 2}


def test_submitting_without_choosing_a_file_is_fine(site):
    # Browsers send one empty, nameless part when nothing is chosen.
    assert post_files(site, (io.BytesIO(b""), ""))["ok"] is True
    assert site.post("/test/upload", data={}).get_json()["ok"] is True


def test_every_problem_is_reported_at_once(site, samples):
    answer = post_files(
        site,
        (io.BytesIO(samples.exe), "invoice.pdf"),
        (io.BytesIO(samples.html), "photo.png"),
        (io.BytesIO(b""), "空白.docx"),
        (io.BytesIO(samples.pdf), "营业执照.pdf"),
    )
    assert answer["ok"] is False
    errors = answer["errors"]
    assert len(errors) == 3
    assert '"invoice.pdf"' in errors[0] and "does not match" in errors[0]
    assert '"photo.png"' in errors[1] and "does not match" in errors[1]
    assert errors[2] == '"空白.docx" is empty.'


def test_six_files_when_five_are_allowed(site, samples):
    answer = post_files(site, *[(io.BytesIO(samples.png), f"照片{i}.png") for i in range(6)])
    assert answer == {
        "ok": False,
        "errors": ["You can attach at most 5 files at a time; you chose 6."],
    }


def test_a_file_over_the_configured_limit(site, app, samples):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    answer = post_files(site, (io.BytesIO(samples.pdf + b" " * 1024), "scan.pdf"))
    assert answer["errors"] == ['"scan.pdf" is larger than the 1 KB allowed for one file.']


def test_the_field_tells_the_browser_and_the_user_what_is_allowed(app):
    html = UploadForm().attachments()
    assert "multiple" in html and 'accept=".pdf,.png,.jpg,.jpeg' in html
    assert attachments_hint().startswith("Up to 5 files of at most 20 MB each: .pdf, .png")


def stored(ticket, uploader, name: str, content: bytes) -> Attachment:
    upload = FileStorage(stream=io.BytesIO(content), filename=name)
    [attachment] = store_attachments(ticket, uploader, [upload])
    db.session.commit()
    return attachment


def test_the_licence_downloads_under_its_chinese_name(site, samples, ticket, contact):
    attachment = stored(ticket, contact, "营业执照.pdf", samples.pdf)

    response = site.get(f"/test/download/{attachment.id}")

    assert response.status_code == 200
    assert response.data == samples.pdf
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('营业执照.pdf')}" in disposition
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "public" not in response.headers["Cache-Control"]


def test_text_is_downloaded_never_rendered(site, samples, ticket, contact):
    attachment = stored(ticket, contact, "说明.txt", samples.txt)

    response = site.get(f"/test/download/{attachment.id}")

    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_missing_on_disk_is_not_found(site, samples, ticket, contact):
    attachment = stored(ticket, contact, "营业执照.pdf", samples.pdf)
    stored_path(attachment).unlink()

    assert site.get(f"/test/download/{attachment.id}").status_code == 404


def test_a_large_office_file_spooled_to_disk_by_the_server_is_checked(site, samples):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/scan.png", os.urandom(2 * 1024 * 1024))
    big_docx = buffer.getvalue()

    assert post_files(site, (io.BytesIO(big_docx), "年度报告.docx"))["ok"] is True
    answer = post_files(site, (io.BytesIO(big_docx), "年度报告.xlsx"))
    assert answer["errors"] == [
        'The content of "年度报告.xlsx" does not match its name: it is not a real .xlsx file.'
    ]
