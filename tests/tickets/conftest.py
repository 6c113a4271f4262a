"""A small park for ticket stories: one chain with its task force, an enterprise, its contact,
and the staff around them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from servicedesk.auth.models import Role, User
from servicedesk.enterprises.models import Enterprise, IndustryChain
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import Category, Ticket
from tests.conftest import PASSWORD


@dataclass
class Park:
    chain: IndustryChain
    task_force: TaskForce
    other_task_force: TaskForce
    enterprise: Enterprise
    other_enterprise: Enterprise
    category: Category
    contact: User
    other_contact: User
    member: User
    second_member: User
    lead: User
    other_member: User
    dispatcher: User
    supervisor: User
    admin: User


@pytest.fixture
def park(make_user, make_task_force, make_chain, make_enterprise, make_category) -> Park:
    task_force = make_task_force(name="新型显示专班")
    other_task_force = make_task_force(name="磁性材料专班")
    chain = make_chain(name="新型显示", task_force=task_force)
    enterprise = make_enterprise(name="绵阳显示科技有限公司", chain=chain)
    other_enterprise = make_enterprise(name="Other Co")
    lead = make_user(Role.LEAD, Role.MEMBER, name="Lead Li", lead_of=task_force)
    return Park(
        chain=chain,
        task_force=task_force,
        other_task_force=other_task_force,
        enterprise=enterprise,
        other_enterprise=other_enterprise,
        category=make_category(name="用地审批", kind="assistance"),
        contact=make_user(Role.ENTERPRISE_CONTACT, enterprise=enterprise, name="Contact Chen"),
        other_contact=make_user(Role.ENTERPRISE_CONTACT, enterprise=other_enterprise),
        member=make_user(Role.MEMBER, task_force=task_force, name="Member Wang"),
        second_member=make_user(Role.MEMBER, task_force=task_force, name="Member Zhao"),
        lead=lead,
        other_member=make_user(Role.MEMBER, task_force=other_task_force),
        dispatcher=make_user(Role.DISPATCHER, name="Dispatcher Du"),
        supervisor=make_user(Role.SUPERVISOR, name="Supervisor Su"),
        admin=make_user(Role.ADMIN),
    )


@pytest.fixture
def client_for(app):
    """A test client already signed in as ``user``."""

    def make(user: User):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, "sign-in failed"
        return client

    return make


def file_ticket(client, category: Category, /, **fields):
    """File a ticket through the web form; returns the response (not followed)."""
    data = {
        "category": str(category.id),
        "urgency": "normal",
        "title": "缺少施工用电",
        "description": "项目工地需要临时施工用电，供电公司尚未答复。",
        "key_project": "0",
        "preferred_channel": "email",
    }
    data.update(fields)
    return client.post("/tickets/new", data=data, content_type="multipart/form-data")


def reference_from(response) -> str:
    match = re.search(r"/tickets/(GC-\d{4}-\d{6})", response.headers.get("Location", ""))
    assert match, f"no ticket reference in redirect: {response.headers.get('Location')}"
    return match.group(1)


def ticket(reference: str) -> Ticket:
    db.session.expire_all()
    return db.session.scalar(db.select(Ticket).where(Ticket.reference == reference))


def act(client, reference: str, name: str, version: int | None = None, **fields):
    """Post one action form of the ticket page, with the ticket's current version."""
    if version is None:
        version = ticket(reference).version
    data = {f"{name}-version": str(version)}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(
        f"/tickets/{reference}/act/{name}", data=data, content_type="multipart/form-data"
    )
