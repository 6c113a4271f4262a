"""`flask demo load`: a developer runs `make run` and finds a park full of realistic work."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicedesk.auth.models import Role, User, user_by_email
from servicedesk.clock import utcnow
from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject
from servicedesk.enterprises.validators import uscc_problem
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import (
    Category,
    EventKind,
    ExtensionRequest,
    SiteVisit,
    Ticket,
    TicketEvent,
)
from servicedesk.tickets.rules import OPEN_STATUSES, Status
from tests.demo.conftest import count, run_demo_load

DEMO_EMAILS = [
    "enterprise@demo.local",
    "dispatcher@demo.local",
    "member@demo.local",
    "lead@demo.local",
    "supervisor@demo.local",
    "admin@demo.local",
]


def tickets() -> list[Ticket]:
    return list(db.session.scalars(select(Ticket).order_by(Ticket.id)))


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_each_demo_account_signs_in_with_the_demo_password(app, demo, auth, client, email):
    assert email in demo
    response = auth.login(email, app.config["DEMO_PASSWORD"])
    assert response.status_code == 302, response.get_data(as_text=True)
    # Home sends each person to where their work is, and that page renders.
    assert client.get("/", follow_redirects=True).status_code == 200


def test_a_wrong_password_does_not_open_a_demo_account(app, demo, auth):
    response = auth.login("member@demo.local", "not-the-demo-password")
    assert response.status_code == 200
    assert "/login" in response.request.path


def test_the_password_comes_from_the_setting(app, auth):
    app.config["DEMO_PASSWORD"] = "another-secret-7"
    assert run_demo_load(app).exit_code == 0
    assert auth.login("lead@demo.local", "another-secret-7").status_code == 302


def test_the_demo_people_stand_where_the_story_needs_them(app, demo):
    display = db.session.scalar(select(TaskForce).where(TaskForce.name == "新型显示产业链工作专班"))
    lead, member = user_by_email("lead@demo.local"), user_by_email("member@demo.local")
    assert display.lead == lead and lead.roles == {Role.LEAD, Role.MEMBER}
    assert member in display.members and member.has_role(Role.MEMBER)
    contact = user_by_email("enterprise@demo.local")
    assert contact.roles == {Role.ENTERPRISE_CONTACT}
    assert contact.enterprise.is_chain_leader and "京东方" in contact.enterprise.name
    assert user_by_email("dispatcher@demo.local").roles == {Role.DISPATCHER}
    assert user_by_email("supervisor@demo.local").roles == {Role.SUPERVISOR}
    assert user_by_email("admin@demo.local").roles == {Role.ADMIN}
    staff = [u for u in db.session.scalars(select(User)) if not u.has_role(Role.ENTERPRISE_CONTACT)]
    assert all(u.mobile and len(u.mobile) == 11 and u.mobile.startswith("1") for u in staff)
    for task_force in db.session.scalars(select(TaskForce)):
        assert task_force.lead is not None and task_force.members, task_force.name


def test_the_park_follows_the_article(app, demo):
    chains = {c.name: c for c in db.session.scalars(select(IndustryChain))}
    assert set(chains) == {"新型显示", "新型储能", "磁性材料"}
    for chain in chains.values():  # the five ones
        assert chain.chain_leader.is_chain_leader
        assert chain.chain_leader.industry_chain == chain
        assert chain.chief_scientist and chain.task_force and chain.policy_package
    assert "埃克森" in chains["新型储能"].chain_leader.name
    assert "巨星永磁" in chains["磁性材料"].chain_leader.name
    assert db.session.scalar(select(TaskForce).where(TaskForce.name == "重点项目推进专班"))
    projects = list(db.session.scalars(select(KeyProject)))
    assert len(projects) >= 12
    assert {p.level for p in projects} == {"provincial", "municipal", "district"}
    assert len({p.status for p in projects}) >= 3
    categories = list(db.session.scalars(select(Category)))
    assert {c.kind for c in categories} == {"consultation", "assistance", "coordination"}
    assert all(c.name_en for c in categories)
    assert any(c.default_task_force for c in categories)


def test_every_credit_code_is_valid_or_was_accepted_with_a_reason(app, demo):
    enterprises = list(db.session.scalars(select(Enterprise)))
    assert len(enterprises) >= 10
    for enterprise in enterprises:
        assert uscc_problem(enterprise.uscc) is None or enterprise.uscc_override_reason
    overridden = [e for e in enterprises if e.uscc_override_reason]
    assert len(overridden) == 1 and uscc_problem(overridden[0].uscc) is not None


def test_tickets_are_in_every_state_with_a_genuine_timeline(app, demo):
    loaded = tickets()
    assert {t.status for t in loaded} == {s.value for s in Status}
    for ticket in loaded:
        assert ticket.events[0].kind == EventKind.FILED
        assert ticket.events[-1].to_status == ticket.status
        if ticket.status in {Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS}:
            assert ticket.task_force and ticket.sign_due_at and ticket.resolve_due_at
    closed = [t for t in loaded if t.status == Status.CLOSED]
    assert {t.rating for t in closed} >= {"satisfied", "basically_satisfied"}
    assert any(t.rework_count and t.rating == "satisfied" for t in closed)
    kinds = set(db.session.scalars(select(TicketEvent.kind)))
    assert {
        EventKind.TRANSFERRED,
        EventKind.RETURNED,
        EventKind.NOTE,
        EventKind.SITE_VISIT,
        EventKind.INFO_REQUESTED,
        EventKind.ENTERPRISE_REPLIED,
        EventKind.RATED,
        EventKind.REOPENED,
        EventKind.WITHDRAWN,
        EventKind.ASSIGNED,
    } <= kinds
    assert count(SiteVisit) >= 1
    decisions = set(db.session.scalars(select(ExtensionRequest.status)))
    assert {"pending", "approved"} <= decisions
    approved = db.session.scalar(select(Ticket).where(Ticket.extension_working_days > 0))
    assert approved is not None


def test_some_open_tickets_are_overdue(app, demo):
    now = utcnow()
    overdue = [
        t
        for t in tickets()
        if Status(t.status) in OPEN_STATUSES and t.next_due_at and t.next_due_at < now
    ]
    assert len(overdue) >= 2
    assert all(t.filed_at < now for t in overdue)


def test_the_supervisor_can_open_every_ticket_and_the_overdue_queue(app, demo, auth, client):
    auth.login("supervisor@demo.local", app.config["DEMO_PASSWORD"])
    overdue_page = client.get("/tickets/queue?view=overdue").get_data(as_text=True)
    late = [t for t in tickets() if t.next_due_at and t.next_due_at < utcnow()]
    assert late and all(t.reference in overdue_page for t in late)
    for ticket in tickets():
        assert client.get(f"/tickets/{ticket.reference}").status_code == 200, ticket.reference


def test_the_summary_lists_the_counts_and_accounts(app, demo):
    assert "Demo data loaded:" in demo and "20 tickets" in demo
    assert "greenchannel" in demo


def test_a_second_run_refuses_and_if_empty_adds_nothing(app, demo):
    before = (count(User), count(Ticket), count(TicketEvent), count(Enterprise))
    again = run_demo_load(app)
    assert again.exit_code != 0
    assert "already has users" in again.output
    quiet = run_demo_load(app, "--if-empty")
    assert quiet.exit_code == 0
    assert "database not empty, demo data not loaded" in quiet.output
    assert (count(User), count(Ticket), count(TicketEvent), count(Enterprise)) == before


def test_production_refuses(app):
    app.config["APP_ENV"] = "production"
    result = run_demo_load(app)
    assert result.exit_code != 0
    assert "production" in result.output
    assert count(User) == 0 and count(Ticket) == 0


def test_a_failure_half_way_loads_nothing(app, make_enterprise):
    # An enterprise already holds BOE's credit code, so the load fails after the people exist.
    from servicedesk.demo.build import valid_uscc
    from servicedesk.demo.park import ENTERPRISES

    make_enterprise(name="先到的企业", uscc=valid_uscc(ENTERPRISES["boe"][1]))
    result = run_demo_load(app)
    assert result.exit_code != 0
    assert "nothing was saved" in result.output
    db.session.expire_all()
    assert count(User) == 0 and count(TaskForce) == 0 and count(Enterprise) == 1
