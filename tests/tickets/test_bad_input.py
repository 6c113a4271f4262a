"""Bad input on the ticket forms: a clear message, the form kept, nothing saved, never a 500."""

import io

import pytest
from sqlalchemy import func, select

from servicedesk.extensions import db
from servicedesk.tickets.models import Ticket, TicketEvent
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def _count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"description": "   "}, "This field is required."),
        ({"title": "长" * 201}, "Field cannot be longer than 200 characters."),
        ({"category": "abc"}, "Invalid Choice: could not coerce"),
        ({"category": "99999"}, "Not a valid choice"),
        ({"urgency": "extreme"}, "Not a valid choice"),
        ({"preferred_channel": "pigeon"}, "Not a valid choice"),
        ({"key_project": "not-a-number"}, "Invalid Choice: could not coerce"),
    ],
)
def test_filing_refuses_bad_fields(park, client_for, fields, message):
    response = file_ticket(client_for(park.contact), park.category, **fields)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "nothing has been saved" in html
    assert _count(Ticket) == 0


def test_filing_refuses_another_enterprises_key_project(park, client_for, make_project):
    foreign = make_project(park.other_enterprise, task_force=park.task_force)
    response = file_ticket(client_for(park.contact), park.category, key_project=str(foreign.id))
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _count(Ticket) == 0


def test_a_refused_file_keeps_the_rest_of_the_form(app, park, client_for):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    big = (io.BytesIO(b"%PDF-1.4\n" + b"0" * 2048), "营业执照.pdf")
    response = file_ticket(
        client_for(park.contact), park.category, title="保留我的标题", attachments=[big]
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "营业执照.pdf" in html and "保留我的标题" in html
    assert _count(Ticket) == 0
    assert not any(
        (app.config["UPLOAD_FOLDER"] and __import__("os").path.exists(app.config["UPLOAD_FOLDER"]))
        and __import__("os").listdir(app.config["UPLOAD_FOLDER"])
        for _ in [0]
    )


def test_a_file_of_the_wrong_type_is_refused(park, client_for):
    fake = (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "合同.pdf")
    response = file_ticket(client_for(park.contact), park.category, attachments=[fake])
    assert response.status_code == 200
    assert "合同.pdf" in response.get_data(as_text=True)
    assert _count(Ticket) == 0


def test_staff_cannot_file_tickets(park, client_for):
    assert client_for(park.member).get("/tickets/new").status_code == 404


@pytest.fixture
def ref(park, client_for):
    return reference_from(file_ticket(client_for(park.contact), park.category))


@pytest.mark.parametrize(
    ("name", "fields", "message"),
    [
        ("reply", {"body": ""}, "This field is required."),
        ("reply", {"body": "x" * 10_001}, "Field cannot be longer than 10000 characters."),
        ("note", {"body": "  "}, "This field is required."),
        ("request_extension", {"working_days": "abc", "reason": "r"}, "Not a valid integer value."),
        (
            "request_extension",
            {"working_days": "0", "reason": "r"},
            "Number must be between 1 and 15.",
        ),
        (
            "request_extension",
            {"working_days": "16", "reason": "r"},
            "Number must be between 1 and 15.",
        ),
        (
            "site_visit",
            {"visited_at": "yesterday", "location": "a", "participants": "b", "notes": "c"},
            "Not a valid datetime value.",
        ),
        ("return", {"reason": ""}, "This field is required."),
    ],
)
def test_actions_refuse_bad_fields(park, client_for, ref, name, fields, message):
    member = client_for(park.member)
    act(member, ref, "sign")
    events_before = _count(TicketEvent)
    response = act(member, ref, name, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(TicketEvent) == events_before


def test_transfer_to_an_unknown_task_force_is_refused(park, client_for, ref):
    response = act(client_for(park.lead), ref, "transfer", task_force="99999", reason="x")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert ticket(ref).task_force_id == park.task_force.id


def test_assigning_someone_outside_the_task_force_is_refused(park, client_for, ref):
    response = act(client_for(park.lead), ref, "assign", assignee=str(park.other_member.id))
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert ticket(ref).assignee_id is None


def test_extension_beyond_the_total_limit_is_refused(park, client_for, ref):
    member, lead = client_for(park.member), client_for(park.lead)
    act(member, ref, "sign")
    act(member, ref, "request_extension", working_days="10", reason="排期")
    act(lead, ref, "decide_extension", decision="approve")
    response = act(member, ref, "request_extension", working_days="6", reason="再延")
    assert response.status_code == 200
    assert "5 remain" in response.get_data(as_text=True)
    assert ticket(ref).extension_working_days == 10


def test_rejecting_an_extension_needs_a_reason(park, client_for, ref):
    member, lead = client_for(park.member), client_for(park.lead)
    act(member, ref, "sign")
    act(member, ref, "request_extension", working_days="2", reason="排期")
    response = act(lead, ref, "decide_extension", decision="reject", note="")
    assert "Please say why the extension is rejected." in response.get_data(as_text=True)
    response = act(lead, ref, "decide_extension", decision="reject", note="理由不充分")
    assert response.status_code == 302
    assert ticket(ref).extension_working_days == 0


def test_unsatisfied_needs_a_comment_and_a_bad_rating_is_refused(park, client_for, ref):
    member, enterprise = client_for(park.member), client_for(park.contact)
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="done")
    response = act(enterprise, ref, "confirm", rating="unsatisfied", comment="")
    assert "Please tell us what is still wrong" in response.get_data(as_text=True)
    response = act(enterprise, ref, "confirm", rating="meh")
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert ticket(ref).status == "resolved"


def test_a_site_visit_in_the_future_is_refused(park, client_for, ref):
    member = client_for(park.member)
    act(member, ref, "sign")
    response = act(
        member,
        ref,
        "site_visit",
        visited_at="2099-01-01T10:00",
        location="a",
        participants="b",
        notes="c",
    )
    assert "before it happened" in response.get_data(as_text=True)


def test_unknown_actions_and_tickets_are_404(park, client_for, ref):
    member = client_for(park.member)
    assert member.post(f"/tickets/{ref}/act/explode").status_code == 404
    assert member.get("/tickets/GC-2026-999999").status_code == 404
    assert member.get(f"/tickets/{ref}/attachments/12345").status_code == 404


def test_a_member_cannot_take_the_enterprises_actions(park, client_for, ref):
    member = client_for(park.member)
    response = act(member, ref, "withdraw")
    assert response.status_code == 200
    assert "You may not do this" in response.get_data(as_text=True)
    assert ticket(ref).status == "dispatched"
