"""A ticket's status and card hold only words of their vocabulary: the application refuses an
unknown one before it is sent, and the database's CHECK refuses one written behind its back."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from servicedesk.extensions import db
from servicedesk.tickets.models import Card, Ticket
from servicedesk.tickets.rules import Status


@pytest.fixture
def filed_ticket(park) -> Ticket:
    ticket = Ticket(
        reference="GC-2026-900001",
        enterprise=park.enterprise,
        filed_by=park.contact,
        category=park.category,
        title="用电增容",
        description="需要增容",
    )
    db.session.add(ticket)
    db.session.commit()
    return ticket


def test_a_ticket_reads_back_its_status_and_card_as_members_equal_to_their_words(filed_ticket):
    db.session.expire_all()
    ticket = db.session.get(Ticket, filed_ticket.id)
    assert ticket.status is Status.FILED and ticket.status == "filed"
    assert ticket.card is Card.NONE and ticket.card == Card.NONE.value


def test_the_words_are_accepted_as_well_as_the_members(filed_ticket):
    filed_ticket.status = "dispatched"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Ticket, filed_ticket.id).status is Status.DISPATCHED


@pytest.mark.parametrize("column, value", [("status", "lost"), ("card", "green")])
def test_an_unknown_word_is_refused_before_it_reaches_the_database(filed_ticket, column, value):
    setattr(filed_ticket, column, value)
    with pytest.raises(StatementError) as refused:
        db.session.flush()
    assert isinstance(refused.value.orig, LookupError)
    db.session.rollback()


@pytest.mark.parametrize("column, value", [("status", "lost"), ("card", "green")])
def test_the_database_refuses_an_unknown_word_written_in_sql(filed_ticket, column, value):
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(f"UPDATE ticket SET {column} = :value WHERE id = :id"),
            {"value": value, "id": filed_ticket.id},
        )
        db.session.flush()
    db.session.rollback()
