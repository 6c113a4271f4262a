"""March 2026 lived through the real services (see conftest): the states the metrics read."""

from servicedesk.escalation.models import EscalationFiring
from servicedesk.extensions import db
from tests.tickets.conftest import ticket


def test_the_story_leaves_the_tickets_as_told(march):
    t1, t2, t3, t4 = (ticket(r) for r in (march.t1, march.t2, march.t3, march.t4))
    assert (t1.status, t1.close_reason, t1.rating) == ("closed", "confirmed", "satisfied")
    assert (t2.status, t2.close_reason, t2.rating) == ("closed", "auto", "unsatisfied")
    assert t2.rework_count == 1 and t2.extension_working_days == 3
    assert (t1.signed_on_time, t1.contacted_on_time, t1.resolved_on_time) == (True, True, False)
    assert (t2.signed_on_time, t2.contacted_on_time, t2.resolved_on_time) == (False, False, True)
    assert t1.handling_minutes == 8 * 420 + 60 and t2.handling_minutes == 8 * 420
    assert t3.status == "dispatched" and t3.task_force_id == march.team_a.id
    assert t4.status == "withdrawn" and t4.signed_on_time is True
    levels = sorted((f.stage, f.level) for f in db.session.scalars(db.select(EscalationFiring)))
    # t3, never signed, is far past every deadline: each of its clocks reached the red card.
    assert {("sign", "red"), ("first_contact", "red"), ("resolve", "red")} <= set(levels)
