"""Files travel with tickets and replies, and only reach people who may see them."""

import io
import os

from tests.tickets.conftest import act, file_ticket, reference_from, ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_files_filed_with_a_ticket_are_downloadable_by_those_who_see_it(app, park, client_for):
    enterprise = client_for(park.contact)
    response = file_ticket(
        enterprise,
        park.category,
        attachments=[(io.BytesIO(PDF), "营业执照.pdf"), (io.BytesIO(PNG), "现场照片.png")],
    )
    ref = reference_from(response)
    stored = ticket(ref).attachments
    assert [a.original_name for a in stored] == ["营业执照.pdf", "现场照片.png"]
    assert all(
        os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], a.stored_name)) for a in stored
    )
    assert not app.config["UPLOAD_FOLDER"].startswith(app.static_folder)

    url = f"/tickets/{ref}/attachments/{stored[0].id}"
    download = enterprise.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client_for(park.member).get(url).status_code == 200
    assert client_for(park.other_contact).get(url).status_code == 404
    assert client_for(park.other_member).get(url).status_code == 404


def test_attachments_on_internal_notes_stay_internal(park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    member = client_for(park.member)
    act(member, ref, "sign")
    act(member, ref, "note", body="内部材料", attachments=[(io.BytesIO(PDF), "内部.pdf")])
    internal = ticket(ref).attachments[0]
    assert not internal.public
    url = f"/tickets/{ref}/attachments/{internal.id}"
    assert member.get(url).status_code == 200
    enterprise = client_for(park.contact)
    assert enterprise.get(url).status_code == 404
    assert "内部.pdf" not in enterprise.get(f"/tickets/{ref}").get_data(as_text=True)


def test_an_attachment_id_of_another_ticket_is_404(park, client_for):
    enterprise = client_for(park.contact)
    with_file = reference_from(
        file_ticket(enterprise, park.category, attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    other = reference_from(file_ticket(enterprise, park.category))
    attachment_id = ticket(with_file).attachments[0].id
    assert enterprise.get(f"/tickets/{other}/attachments/{attachment_id}").status_code == 404


def test_six_files_are_refused_with_a_message(park, client_for):
    files = [(io.BytesIO(PDF), f"{i}.pdf") for i in range(6)]
    response = file_ticket(client_for(park.contact), park.category, attachments=files)
    assert response.status_code == 200
    assert "5" in response.get_data(as_text=True)
