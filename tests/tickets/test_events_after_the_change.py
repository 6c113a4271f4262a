"""A ticket's event is recorded after the change: whoever listens to ``ticket_changed`` sees
the ticket as the service left it, and the event carries what it needs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicedesk.events import ticket_changed
from servicedesk.extensions import db
from servicedesk.tickets.models import ExtensionRequest
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


@pytest.fixture
def heard(app):
    """What a listener saw of the ticket at the moment each event was sent, in order."""
    seen: list[dict] = []

    def listener(sender, event, **_ignored):
        seen.append(
            {
                "kind": event.kind,
                "event_id": event.id,
                "created_at": event.created_at,
                "changes": dict(event.changes or {}),
                "status": sender.status,
                "task_force_id": sender.task_force.id if sender.task_force is not None else None,
                "assignee_id": sender.assignee.id if sender.assignee is not None else None,
                "sign_due_at": sender.sign_due_at,
                "dispatched_at": sender.dispatched_at,
                "signed_at": sender.signed_at,
                "resolve_due_at": sender.resolve_due_at,
                "next_due_at": sender.next_due_at,
            }
        )

    ticket_changed.connect(listener)
    yield seen
    ticket_changed.disconnect(listener)


def _last(heard: list[dict], kind: str) -> dict:
    return [seen for seen in heard if seen["kind"] == kind][-1]


def test_on_dispatch_the_listener_sees_the_new_task_force_and_its_clocks(park, client_for, heard):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    dispatched = _last(heard, "dispatched")
    assert dispatched["task_force_id"] == park.task_force.id
    assert dispatched["sign_due_at"] is not None
    assert dispatched["next_due_at"] == dispatched["sign_due_at"]
    # One moment for the change and its event.
    assert dispatched["dispatched_at"] == dispatched["created_at"]
    assert ticket(ref).dispatched_at == dispatched["created_at"]


def test_on_sign_the_listener_sees_the_signer_as_assignee(park, client_for, heard):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    assert act(client_for(park.member), ref, "sign").status_code == 302
    signed = _last(heard, "signed")
    assert signed["assignee_id"] == park.member.id
    assert signed["signed_at"] == signed["created_at"]
    assert signed["status"] == "signed"


def test_on_an_approved_extension_the_event_names_the_request_and_the_deadline_has_moved(
    park, client_for, heard
):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    member, lead = client_for(park.member), client_for(park.lead)
    act(member, ref, "sign")
    due_before = ticket(ref).resolve_due_at
    act(member, ref, "request_extension", working_days="2", reason="等待供电公司排期")
    requested = _last(heard, "extension_requested")
    request = db.session.scalar(
        select(ExtensionRequest).where(ExtensionRequest.ticket_id == ticket(ref).id)
    )
    assert requested["changes"]["extension_request_id"] == request.id

    act(lead, ref, "decide_extension", decision="approve", note="")
    approved = _last(heard, "extension_approved")
    assert approved["changes"]["extension_request_id"] == request.id
    assert approved["changes"]["working_days"] == 2
    assert approved["resolve_due_at"] > due_before  # already moved when the signal went out
    assert approved["changes"]["resolve_due_at"][1] == approved["resolve_due_at"].isoformat()
    # The timeline shows the decision, not the bookkeeping id.
    page = lead.get(f"/tickets/{ref}").get_data(as_text=True)
    assert "extension_request_id" not in page
