"""Tickets end: confirmed by the enterprise, or closed automatically when it stays silent."""

from datetime import timedelta

from servicedesk import clock
from servicedesk.extensions import db
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def _resolved(park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    member = client_for(park.member)
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="done")
    return ref


def test_resolved_tickets_close_after_five_silent_working_days(app, park, client_for, monkeypatch):
    ref = _resolved(park, client_for)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tickets", "auto-close"])
    assert "Auto-closed 0 ticket(s)." in result.output
    assert ticket(ref).status == "resolved"

    resolved_at = ticket(ref).resolved_at
    # Fifteen calendar days later at least five working days have passed, whatever holidays.
    monkeypatch.setattr(clock, "utcnow", lambda: resolved_at + timedelta(days=15))
    monkeypatch.setattr("servicedesk.tickets.cli.utcnow", clock.utcnow)
    monkeypatch.setattr("servicedesk.tickets.services.utcnow", clock.utcnow)
    result = runner.invoke(args=["tickets", "auto-close"])
    assert f"Auto-closed 1 ticket(s): {ref}" in result.output
    closed = ticket(ref)
    assert closed.status == "closed" and closed.close_reason == "auto"
    assert closed.rating is None
    assert closed.events[-1].actor_id is None
    assert closed.events[-1].changes == {"close_reason": "auto"}
    page = client_for(park.contact).get(f"/tickets/{ref}").get_data(as_text=True)
    assert "no answer from the enterprise within the confirmation period" in page


def test_a_basically_satisfied_rating_closes_the_ticket(park, client_for):
    ref = _resolved(park, client_for)
    act(client_for(park.contact), ref, "confirm", rating="basically_satisfied", comment="")
    assert ticket(ref).status == "closed"
    assert ticket(ref).rating == "basically_satisfied"


def test_reference_numbers_count_per_year(park, client_for, monkeypatch):
    enterprise = client_for(park.contact)
    first = reference_from(file_ticket(enterprise, park.category))
    second = reference_from(file_ticket(enterprise, park.category))
    year = ticket(first).filed_at.year
    assert (first, second) == (f"GC-{year}-000001", f"GC-{year}-000002")
    next_year = ticket(first).filed_at.replace(year=year + 1, month=1, day=2)
    monkeypatch.setattr("servicedesk.tickets.services.utcnow", lambda: next_year)
    assert reference_from(file_ticket(enterprise, park.category)) == f"GC-{year + 1}-000001"
    db.session.rollback()


def test_an_extension_can_be_decided_in_the_same_transaction(park, client_for):
    """A request is pending from the moment it exists, before any flush."""
    from servicedesk.tickets.extension_requests import decide_extension, request_extension

    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(client_for(park.member), ref, "sign")
    subject = ticket(ref)
    request = request_extension(park.member, subject, 2, "排期")
    decide_extension(park.lead, request, approve=True)
    db.session.commit()
    assert ticket(ref).extension_working_days == 2
