"""A small park whose March 2026 is lived through the real ticket services, clock in hand.

Task force A (lead Li, member Wang) owns the 新型显示 chain and its enterprise 显示科技;
task force B (lead Lu, member Ma) gets what the dispatcher sends; 磁材公司 belongs to no chain.
Times are the park's local time (Asia/Shanghai); March 2026 has no statutory holiday.

- T1 (显示科技 → A by the chain) filed Mon 2 Mar 10:00; signed 11:00 and answered 11:30 (both
  on time); resolved Thu 12 Mar 11:00 (late: due Wed 11 Mar 10:00); confirmed satisfied 13 Mar.
- T2 (→ A) filed 2 Mar 10:00; signed Wed 4 Mar 10:00 (late); asked the enterprise 11:00 (the
  first contact, late); the enterprise answered Fri 6 Mar 10:00 (the clock resumes); 3 working
  days of extension approved 9 Mar; resolved 10 Mar; rated unsatisfied 11 Mar (rework);
  resolved again Thu 12 Mar 10:00; nobody answers: auto-closed by the sweep Fri 20 Mar 10:00.
- T3 (磁材公司) filed Tue 3 Mar 10:00; dispatched to B 11:00; B returns it 14:00; dispatched
  to A 15:00; nobody signs: overdue, and the sweep on 20 Mar gives it its cards.
- T4 (磁材公司, urgent) filed Thu 5 Mar 10:00; dispatched to B 10:30; signed 11:00; withdrawn
  by the enterprise Fri 6 Mar 10:00.
- T5 (显示科技 → A) in February: filed Tue 3 Feb 10:00, signed, answered, resolved 4 Feb, rated
  basically satisfied 5 Feb — the previous period.

"Now" is Fri 20 Mar 2026 10:00 after the sweep.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from servicedesk import clock as clock_module
from servicedesk.auth.models import Role, User
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import Ticket
from tests.tickets.conftest import client_for  # noqa: F401  (fixture)

TZ = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """'2026-03-02 10:00' in the park's time, as the naive UTC the database stores."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def clock(monkeypatch):
    """Set the application's clock: ``clock("2026-03-02 10:00")`` (local time)."""
    original = clock_module.utcnow
    state = {"now": original()}

    def now() -> datetime:
        return state["now"]

    monkeypatch.setattr(clock_module, "utcnow", now)
    for name, module in list(sys.modules.items()):
        if name.startswith("servicedesk") and getattr(module, "utcnow", None) is original:
            monkeypatch.setattr(module, "utcnow", now)

    def set_to(text: str) -> datetime:
        state["now"] = local(text)
        return state["now"]

    return set_to


@dataclass
class March:
    team_a: TaskForce
    team_b: TaskForce
    lead_a: User
    lead_b: User
    member_a: User
    member_b: User
    dispatcher: User
    supervisor: User
    admin: User
    chain_id: int
    category_id: int
    t1: str
    t2: str
    t3: str
    t4: str
    t5: str


@pytest.fixture
def march(app, clock, make_user, make_task_force, make_chain, make_enterprise, make_category):
    from servicedesk.jobs.periodic import tick
    from servicedesk.tickets import casework, closing, extension_requests, services

    team_a, team_b = make_task_force(name="新型显示专班"), make_task_force(name="磁性材料专班")
    lead_a = make_user(Role.LEAD, Role.MEMBER, name="李组长", lead_of=team_a)
    lead_b = make_user(Role.LEAD, Role.MEMBER, name="陆组长", lead_of=team_b)
    member_a = make_user(Role.MEMBER, task_force=team_a, name="王专员")
    member_b = make_user(Role.MEMBER, task_force=team_b, name="马专员")
    chain = make_chain(name="新型显示", task_force=team_a)
    display = make_enterprise(name="显示科技", chain=chain)
    magnets = make_enterprise(name="磁材公司")
    contact_d = make_user(Role.ENTERPRISE_CONTACT, enterprise=display)
    contact_m = make_user(Role.ENTERPRISE_CONTACT, enterprise=magnets)
    dispatcher = make_user(Role.DISPATCHER)
    category = make_category(name="用地审批", kind="assistance")

    def step(when: str, action, *args, **kwargs):
        clock(when)
        result = action(*args, **kwargs)
        db.session.commit()
        return result

    def file(when: str, contact: User, urgency: str = "normal") -> Ticket:
        return step(
            when,
            services.file_ticket,
            contact,
            category=category,
            urgency=urgency,
            title="诉求",
            description="说明",
            preferred_channel="email",
        )

    t5 = file("2026-02-03 10:00", contact_d)
    step("2026-02-03 11:00", casework.sign, member_a, t5)
    step("2026-02-03 11:30", casework.reply, member_a, t5, "已联系")
    step("2026-02-04 10:00", casework.resolve, member_a, t5, "已办结")
    step("2026-02-05 10:00", closing.confirm, contact_d, t5, "basically_satisfied")

    t1 = file("2026-03-02 10:00", contact_d)
    t2 = file("2026-03-02 10:00", contact_d)
    step("2026-03-02 11:00", casework.sign, member_a, t1)
    step("2026-03-02 11:30", casework.reply, member_a, t1, "已联系企业")
    t3 = file("2026-03-03 10:00", contact_m)
    step("2026-03-03 11:00", services.dispatch, dispatcher, t3, team_b)
    step("2026-03-03 14:00", services.return_to_dispatch, member_b, t3, "不属于本专班")
    step("2026-03-03 15:00", services.dispatch, dispatcher, t3, team_a)
    step("2026-03-04 10:00", casework.sign, member_a, t2)
    step("2026-03-04 11:00", casework.request_info, member_a, t2, "请补充用地红线图")
    t4 = file("2026-03-05 10:00", contact_m, urgency="urgent")
    step("2026-03-05 10:30", services.dispatch, dispatcher, t4, team_b)
    step("2026-03-05 11:00", casework.sign, member_b, t4)
    step("2026-03-06 10:00", casework.enterprise_reply, contact_d, t2, "红线图见附件")
    step("2026-03-06 10:00", closing.withdraw, contact_m, t4, "已自行解决")
    request = step(
        "2026-03-09 10:00",
        extension_requests.request_extension,
        member_a,
        t2,
        3,
        "等待规划部门会审",
    )
    step("2026-03-09 11:00", extension_requests.decide_extension, lead_a, request, True)
    step("2026-03-10 10:00", casework.resolve, member_a, t2, "已协调")
    step("2026-03-11 10:00", closing.confirm, contact_d, t2, "unsatisfied", "红线仍未确认")
    step("2026-03-12 10:00", casework.resolve, member_a, t2, "已再次协调")
    step("2026-03-12 11:00", casework.resolve, member_a, t1, "已办结")
    step("2026-03-13 10:00", closing.confirm, contact_d, t1, "satisfied")
    clock("2026-03-20 10:00")
    tick()
    return March(
        team_a=team_a,
        team_b=team_b,
        lead_a=lead_a,
        lead_b=lead_b,
        member_a=member_a,
        member_b=member_b,
        dispatcher=dispatcher,
        supervisor=make_user(Role.SUPERVISOR),
        admin=make_user(Role.ADMIN),
        chain_id=chain.id,
        category_id=category.id,
        t1=t1.reference,
        t2=t2.reference,
        t3=t3.reference,
        t4=t4.reference,
        t5=t5.reference,
    )
