"""Two people acting on the same ticket at once: one wins, the other is told, nothing is lost."""

from sqlalchemy import text

from servicedesk.extensions import db
from servicedesk.tickets import casework
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def test_the_second_signer_is_told_someone_else_was_faster(park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    first, second = client_for(park.member), client_for(park.second_member)
    seen_version = ticket(ref).version  # both opened the page at this version

    assert act(first, ref, "sign", version=seen_version).status_code == 302
    response = act(second, ref, "sign", version=seen_version)

    assert response.status_code == 200
    assert "was changed by someone else" in response.get_data(as_text=True)
    assert ticket(ref).assignee_id == park.member.id
    assert [e.kind for e in ticket(ref).events].count("signed") == 1


def test_notes_do_not_conflict_they_both_land(park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    member, lead = client_for(park.member), client_for(park.lead)
    act(member, ref, "sign")
    seen = ticket(ref).version
    assert act(lead, ref, "note", version=seen, body="lead's note").status_code == 302
    assert act(member, ref, "note", version=seen, body="member's note").status_code == 302
    bodies = [e.body for e in ticket(ref).events]
    assert "lead's note" in bodies and "member's note" in bodies


def test_a_reply_on_a_stale_page_is_kept_in_the_form(park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    member, lead = client_for(park.member), client_for(park.lead)
    act(member, ref, "sign")
    stale = ticket(ref).version
    act(lead, ref, "assign", assignee=str(park.second_member.id))
    response = act(member, ref, "reply", version=stale, body="我的长回复，不能丢")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "我的长回复，不能丢" in html  # the text is still in the form
    assert all(e.body != "我的长回复，不能丢" for e in ticket(ref).events)


def test_a_write_racing_between_check_and_commit_is_caught(park, client_for, monkeypatch):
    """Even when both requests pass the version check, the database's version column decides."""
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    member = client_for(park.member)
    real_sign = casework.sign

    def sign_while_someone_else_writes(actor, ticket_, **kwargs):
        # The ticket was loaded and checked; now another worker commits a change first.
        with db.engine.begin() as other_connection:
            other_connection.execute(
                text("UPDATE ticket SET version = version + 1 WHERE reference = :ref"), {"ref": ref}
            )
        return real_sign(actor, ticket_, **kwargs)

    monkeypatch.setattr(casework, "sign", sign_while_someone_else_writes)
    response = act(member, ref, "sign")
    assert response.status_code == 200
    assert "was changed by someone else" in response.get_data(as_text=True)
    assert ticket(ref).status == "dispatched" and ticket(ref).assignee_id is None
