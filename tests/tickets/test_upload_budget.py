"""Each person may upload a daily allowance; past it the form is refused and kept, nothing saved."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.tickets.attachments import start_of_park_day
from servicedesk.tickets.models import Attachment, Ticket
from tests.tickets.conftest import file_ticket, reference_from, ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 1000


def tickets_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Ticket))


def test_files_past_todays_allowance_are_refused_and_the_form_kept(app, park, client_for):
    app.config["UPLOAD_BUDGET_BYTES_PER_DAY"] = 2 * len(PDF) + 10
    client = client_for(park.contact)
    first = file_ticket(
        client,
        park.category,
        attachments=[(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")],
    )
    reference_from(first)
    response = file_ticket(
        client, park.category, title="东门道路积水", attachments=[(io.BytesIO(PDF), "c.pdf")]
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "upload allowance" in page and 'value="东门道路积水"' in page
    assert tickets_count() == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 2
    # Without files the same person may still file.
    reference_from(file_ticket(client, park.category, title="无附件"))


def test_yesterdays_uploads_do_not_count(app, park, client_for):
    app.config["UPLOAD_BUDGET_BYTES_PER_DAY"] = len(PDF) + 10
    client = client_for(park.contact)
    reference = reference_from(
        file_ticket(client, park.category, attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    yesterday = start_of_park_day(utcnow()) - timedelta(minutes=1)
    ticket(reference).attachments[0].created_at = yesterday
    db.session.commit()
    reference_from(file_ticket(client, park.category, attachments=[(io.BytesIO(PDF), "b.pdf")]))


def test_the_day_starts_at_midnight_in_the_park():
    from servicedesk import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "TIMEZONE": "Asia/Shanghai"})
    with app.app_context():
        # 2026-12-03 01:00 in Shanghai is 2026-12-02 17:00 UTC; that day began at 16:00 UTC.
        assert start_of_park_day(datetime(2026, 12, 2, 17, 0)) == datetime(2026, 12, 2, 16, 0)
