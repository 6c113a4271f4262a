"""The lifecycle as a pure state machine: no app, no database."""

import pytest

from servicedesk.tickets.rules import (
    ACTORS,
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    IllegalAction,
    Relation,
    Status,
    allowed_actions,
    may_act,
    next_status,
)

HAPPY_PATH = [
    (Status.FILED, Action.DISPATCH, Status.DISPATCHED),
    (Status.DISPATCHED, Action.SIGN, Status.SIGNED),
    (Status.SIGNED, Action.REPLY, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Action.REQUEST_INFO, Status.WAITING_ENTERPRISE),
    (Status.WAITING_ENTERPRISE, Action.ENTERPRISE_REPLY, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Action.RESOLVE, Status.RESOLVED),
    (Status.RESOLVED, Action.REOPEN, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Action.RESOLVE, Status.RESOLVED),
    (Status.RESOLVED, Action.CONFIRM, Status.CLOSED),
]


@pytest.mark.parametrize(("before", "action", "after"), HAPPY_PATH)
def test_the_happy_path_moves_one_step_at_a_time(before, action, after):
    assert next_status(before, action) is after


def test_return_and_redispatch():
    assert next_status(Status.DISPATCHED, Action.RETURN) is Status.RETURNED
    assert next_status(Status.RETURNED, Action.DISPATCH) is Status.DISPATCHED


def test_actions_that_keep_the_status():
    assert next_status(Status.IN_PROGRESS, Action.NOTE) is Status.IN_PROGRESS
    assert next_status(Status.SIGNED, Action.REQUEST_EXTENSION) is Status.SIGNED
    assert next_status(Status.FILED, Action.ENTERPRISE_REPLY) is Status.FILED


@pytest.mark.parametrize("terminal", [Status.CLOSED, Status.WITHDRAWN])
def test_nothing_moves_a_closed_or_withdrawn_ticket(terminal):
    for action in Action:
        with pytest.raises(IllegalAction):
            next_status(terminal, action)


def test_an_illegal_action_says_what_and_why():
    with pytest.raises(IllegalAction) as caught:
        next_status(Status.FILED, Action.RESOLVE)
    assert "resolve" in caught.value.message
    assert "Filed" in caught.value.message


def test_a_resolved_ticket_cannot_be_withdrawn_only_confirmed_or_reopened():
    with pytest.raises(IllegalAction):
        next_status(Status.RESOLVED, Action.WITHDRAW)
    assert allowed_actions(Status.RESOLVED, {Relation.ENTERPRISE}) == {
        Action.CONFIRM,
        Action.REOPEN,
        Action.ENTERPRISE_REPLY,
    }


def test_every_open_status_can_be_withdrawn_before_resolution():
    for status in OPEN_STATUSES - {Status.RESOLVED}:
        assert next_status(status, Action.WITHDRAW) is Status.WITHDRAWN


def test_who_may_act():
    assert may_act({Relation.MEMBER}, Action.SIGN)
    assert not may_act({Relation.ENTERPRISE}, Action.SIGN)
    assert not may_act({Relation.MEMBER}, Action.CONFIRM)
    assert may_act({Relation.LEAD}, Action.DECIDE_EXTENSION)
    assert not may_act({Relation.MEMBER}, Action.DECIDE_EXTENSION)
    assert may_act({Relation.SYSTEM}, Action.AUTO_CLOSE)
    assert not may_act({Relation.SUPERVISOR}, Action.AUTO_CLOSE)
    assert not may_act(set(), Action.NOTE)


def test_the_enterprise_never_gets_staff_actions():
    for status in Status:
        actions = allowed_actions(status, {Relation.ENTERPRISE})
        assert actions <= {Action.ENTERPRISE_REPLY, Action.CONFIRM, Action.REOPEN, Action.WITHDRAW}


def test_every_action_has_actors_and_transitions():
    assert set(TRANSITIONS) == set(Action) == set(ACTORS)
