"""Each metric's numerator and denominator for March 2026, counted by hand from the story
(tests/supervision/conftest.py), for the whole park and for every slice."""

from __future__ import annotations

from datetime import date

import pytest

from servicedesk.auth.models import Role
from servicedesk.extensions import db
from servicedesk.supervision import queries as reports
from servicedesk.supervision.periods import local_period, named_period, previous_period
from servicedesk.supervision.queries import Figure
from tests.supervision.conftest import TZ, local

MARCH = local_period(date(2026, 3, 1), date(2026, 3, 31), TZ)
NOW = "2026-03-20 10:00"

#: (numerator, denominator) per metric for the whole park in March; counts have no denominator.
PARK_MARCH = {
    # filed T1 T2 T3 T4, each dispatched within its two working hours (T1, T2 by the rules at
    # filing; T3 1 h after filing, and again 1 h after its return; T4 after 30 min)
    "dispatch_on_time": (4, 4),
    "sign_on_time": (2, 4),  # dispatched T1 T2 T3(to A) T4: T1 and T4 signed in time
    "response": (1, 4),  # filed T1-T4: only T1 contacted in time (T2 late, T3 never, T4 withdrawn)
    # from filing to first contact: T1 90 min; T2 Mon 10:00 to Wed 11:00 = 360 + 420 + 120
    "response_time": (90 + 900, 2),
    "resolved_on_time": (1, 2),  # T1 late, T2 (second resolution) in time
    "solved": (1, 2),  # T1 confirmed; T2 auto-closed on an unsatisfied rating
    "satisfaction": (1, 2),  # T1 satisfied, T2's last word unsatisfied
    "rework": (1, 2),  # T2
    "returned": (1, 4),  # T3
    "extended": (1, 2),  # T2, 3 working days
    "handling": (8 * 420 + 60 + 8 * 420, 2),  # minutes summed over T1, T2
    "overdue": (1, 1),  # T3 of the open T3
    "yellow_cards": (3, None),  # T3: sign, first contact and resolve each reached yellow
    "red_cards": (3, None),
}


def counted(figures: dict[str, Figure]) -> dict[str, tuple]:
    return {name: (int(f.numerator), f.denominator) for name, f in figures.items()}


def test_the_whole_park_in_march(march, clock):
    now = clock(NOW)
    row = reports.rows_for("park", MARCH, None, now)[0]
    assert counted(row.current) == PARK_MARCH
    assert row.current["sign_on_time"].value == 50.0
    assert row.current["handling"].value == pytest.approx(56.5)  # (57 h + 56 h) / 2


def test_the_previous_period_is_february_with_its_one_ticket(march, clock):
    now = clock(NOW)
    assert previous_period(MARCH, TZ).first == date(2026, 2, 1)
    row = reports.rows_for("park", MARCH, None, now)[0]
    february = counted(row.previous)
    assert february["sign_on_time"] == (1, 1) and february["response"] == (1, 1)
    assert february["resolved_on_time"] == (1, 1) and february["satisfaction"] == (1, 1)
    assert february["handling"] == (420, 1)
    assert reports.change(row.current["sign_on_time"], row.previous["sign_on_time"]) == -50.0
    # Overdue is the state now, the same in both columns.
    assert february["overdue"] == (1, 1)


def test_by_task_force(march, clock):
    now = clock(NOW)
    rows = {r.key: counted(r.current) for r in reports.rows_for("task_force", MARCH, None, now)}
    a, b = rows[march.team_a.id], rows[march.team_b.id]
    assert a["sign_on_time"] == (1, 3) and b["sign_on_time"] == (1, 1)
    assert a["response"] == (1, 3) and b["response"] == (0, 1)
    assert a["returned"] == (1, 3) and b["returned"] == (0, 1)  # T3 counts where it is now
    assert a["resolved_on_time"] == (1, 2) and b["resolved_on_time"] == (0, 0)
    assert a["yellow_cards"] == (3, None) and b["red_cards"] == (0, None)
    assert a["overdue"] == (1, 1) and b["overdue"] == (0, 0)


def test_by_chain_category_and_urgency(march, clock):
    now = clock(NOW)
    chains = {r.key: counted(r.current) for r in reports.rows_for("chain", MARCH, None, now)}
    assert chains[march.chain_id]["sign_on_time"] == (1, 2)  # T1, T2
    assert chains[None]["sign_on_time"] == (1, 2)  # T3, T4
    assert chains[march.chain_id]["solved"] == (1, 2) and chains[None]["solved"] == (0, 0)
    categories = reports.rows_for("category", MARCH, None, now)
    assert [(r.key, counted(r.current)) for r in categories] == [(march.category_id, PARK_MARCH)]
    urgency = {r.key: counted(r.current) for r in reports.rows_for("urgency", MARCH, None, now)}
    assert urgency["urgent"]["sign_on_time"] == (1, 1) and urgency["urgent"]["response"] == (0, 1)
    assert urgency["normal"]["sign_on_time"] == (1, 3)


def test_by_month_over_the_quarter(march, clock):
    now = clock(NOW)
    quarter = named_period("this_quarter", date(2026, 3, 20), TZ)
    months = reports.rows_for("month", quarter, None, now)
    assert [m.title for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert counted(months[0].current)["sign_on_time"] == (0, 0)
    assert counted(months[1].current)["satisfaction"] == (1, 1)
    assert counted(months[2].current) == PARK_MARCH
    assert counted(months[2].previous)["sign_on_time"] == (1, 1)  # against February


def test_a_lead_counts_only_the_task_forces_they_lead(march, clock):
    now = clock(NOW)
    scope = reports.scope_for(march.lead_b)
    row = reports.rows_for("park", MARCH, scope, now)[0]
    assert counted(row.current)["sign_on_time"] == (1, 1)
    assert counted(row.current)["yellow_cards"] == (0, None)
    assert [r.key for r in reports.rows_for("task_force", MARCH, scope, now)] == [march.team_b.id]


def test_cards_and_workload_now(march, clock):
    clock(NOW)
    assert reports.open_by_card(None) == {"none": 0, "blue": 0, "yellow": 0, "red": 1}
    assert reports.open_by_task_force(None) == [(march.team_a.id, "新型显示专班", 1)]


def test_periods_are_local_days():
    assert MARCH.start == local("2026-03-01 00:00") and MARCH.end == local("2026-04-01 00:00")
    assert MARCH.key == "2026-03"
    custom = local_period(date(2026, 3, 10), date(2026, 3, 19), TZ)
    assert previous_period(custom, TZ).first == date(2026, 2, 28)
    assert named_period("last_month", date(2026, 1, 15), TZ).first == date(2025, 12, 1)
    assert named_period("this_year", date(2026, 1, 15), TZ).last == date(2026, 12, 31)


def test_a_slow_dispatch_cannot_hide_in_the_response_figures(
    march, clock, make_user, make_enterprise
):
    """T6 waits two days for dispatch, then its task force answers within the hour: its own
    first-contact deadline is met, yet the response was late. T7 was never dispatched."""
    from servicedesk.tickets import casework, services
    from servicedesk.tickets.models import Category

    contact = make_user(Role.ENTERPRISE_CONTACT, enterprise=make_enterprise(name="无链企业"))
    category = db.session.get(Category, march.category_id)  # no default task force: unrouted

    def file(when: str):
        clock(when)
        ticket = services.file_ticket(
            contact,
            category=category,
            urgency="normal",
            title="诉求",
            description="说明",
            preferred_channel="email",
        )
        db.session.commit()
        return ticket

    t6 = file("2026-03-16 10:00")  # Monday; dispatch due 12:00
    clock("2026-03-18 10:00")
    services.dispatch(march.dispatcher, t6, march.team_b)
    clock("2026-03-18 10:15")
    casework.sign(march.member_b, t6)
    clock("2026-03-18 10:30")
    casework.reply(march.member_b, t6, "已联系")
    db.session.commit()
    assert (t6.dispatched_on_time, t6.contacted_on_time) == (False, True)
    file("2026-03-17 10:00")  # T7: still waiting on the 20th, its dispatch deadline long past

    now = clock(NOW)
    figures = counted(reports.rows_for("park", MARCH, None, now)[0].current)
    assert figures["dispatch_on_time"] == (4, 6)  # T6 late, T7 overdue and still waiting
    assert figures["response"] == (1, 6)  # T6 answered in its own time, but late from filing
    # T6: Mon 10:00-17:30 (360) + Tue (420) + Wed 09:00-10:30 (90)
    assert figures["response_time"] == (90 + 900 + 870, 3)
    assert figures["overdue"] == (2, 3)  # T3 and the undispatched T7, of T3 T6 T7
