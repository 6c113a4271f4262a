"""A park with two of everything, for the access matrix: two task forces, two enterprises,
and one ticket of each kind a stranger might try to reach.

- task force A (lead A, member A) owns industry chain A; enterprise X belongs to that chain;
- task force B (lead B, member B); enterprise Y belongs to no chain;
- T_A: filed by X's contact with a public file, routed to A by the chain, signed by member A,
  answered, with an internal note carrying an internal file and a pending extension request;
- T_B: filed by Y's contact with a public file, dispatched to B by the dispatcher, and overdue
  (so the "overdue" queue, which does not filter by team, would show it to anyone who slips);
- T_filed: filed by Y's contact, never dispatched;
- member A is away now (since an hour ago, for a day), lead A standing in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from servicedesk.absences.models import Absence
from servicedesk.absences.services import record_absence
from servicedesk.auth.models import Role, User
from servicedesk.clock import utcnow
from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.deadlines import refresh_deadlines
from servicedesk.tickets.models import Attachment, Category, Ticket
from tests.conftest import PASSWORD
from tests.tickets.conftest import act, file_ticket, reference_from, ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INTERNAL_NOTE = "供电公司负责人私人电话，仅限内部"
INTERNAL_FILE = "内部协调记录.pdf"

#: Everyone who walks the routes, in the order they walk them (the admin last: the admin's
#: empty POSTs on admin pages are the only requests allowed to change anything).
ROLES = (
    "anonymous",
    "contact_x",
    "contact_y",
    "member_a",
    "lead_a",
    "member_b",
    "lead_b",
    "dispatcher",
    "supervisor",
    "admin",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}


@dataclass
class Park:
    users: dict[str, User]
    spare: User  # the admin's user pages point at this person, nobody else signs in as them
    task_force_a: TaskForce
    task_force_b: TaskForce
    chain: IndustryChain
    enterprise_x: Enterprise
    enterprise_y: Enterprise
    project_x: KeyProject
    project_y: KeyProject
    category: Category
    t_a: str
    t_b: str
    t_filed: str
    public_file: int  # T_A's, filed with the ticket
    internal_file: int  # T_A's, on an internal note
    t_b_file: int
    absence: int  # member A's, going on: member A, lead A and the admin may end it


def sign_in(app: Flask, user: User) -> FlaskClient:
    """A client signed in as ``user`` through the real login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, f"sign-in of {user.email} failed"
    return client


def _must_redirect(response, what: str) -> None:
    assert response.status_code == 302, f"{what}: {response.status_code}"


def build_park(
    app: Flask, make_user, make_task_force, make_chain, make_enterprise, make_category, make_project
) -> tuple[Park, dict[str, FlaskClient]]:
    """Create the park through factories and the real web forms; return it with one client
    per role (the anonymous one signed in as nobody)."""
    task_force_a = make_task_force(name="新型显示专班 A")
    task_force_b = make_task_force(name="磁性材料专班 B")
    chain = make_chain(name="新型显示", task_force=task_force_a)
    enterprise_x = make_enterprise(name="X 显示科技有限公司", chain=chain)
    enterprise_y = make_enterprise(name="Y 磁材有限公司")
    users = {
        "contact_x": make_user(Role.ENTERPRISE_CONTACT, enterprise=enterprise_x, name="Contact X"),
        "contact_y": make_user(Role.ENTERPRISE_CONTACT, enterprise=enterprise_y, name="Contact Y"),
        "member_a": make_user(Role.MEMBER, task_force=task_force_a, name="Member A"),
        "lead_a": make_user(Role.LEAD, lead_of=task_force_a, name="Lead A"),
        "member_b": make_user(Role.MEMBER, task_force=task_force_b, name="Member B"),
        "lead_b": make_user(Role.LEAD, lead_of=task_force_b, name="Lead B"),
        "dispatcher": make_user(Role.DISPATCHER, name="Dispatcher"),
        "supervisor": make_user(Role.SUPERVISOR, name="Supervisor"),
        "admin": make_user(Role.ADMIN, name="Admin"),
    }
    spare = make_user(Role.ENTERPRISE_CONTACT, enterprise=enterprise_y, name="Spare Y")
    category = make_category(name="用地审批", kind="assistance")  # no default task force
    project_x = make_project(enterprise_x, task_force=task_force_a, chain=chain)
    project_y = make_project(enterprise_y, task_force=task_force_b)
    clients = {role: sign_in(app, user) for role, user in users.items()}
    clients["anonymous"] = app.test_client()

    t_a = reference_from(
        file_ticket(clients["contact_x"], category, attachments=[(io.BytesIO(PDF), "营业执照.pdf")])
    )
    member_a = clients["member_a"]
    _must_redirect(act(member_a, t_a, "sign"), "member A signs T_A")
    _must_redirect(
        act(
            member_a,
            t_a,
            "note",
            body=INTERNAL_NOTE,
            attachments=[(io.BytesIO(PDF), INTERNAL_FILE)],
        ),
        "internal note",
    )
    _must_redirect(act(member_a, t_a, "reply", body="已联系供电公司。"), "reply on T_A")
    _must_redirect(
        act(member_a, t_a, "request_extension", working_days="3", reason="等待供电公司排期"),
        "extension request on T_A",
    )

    t_b = reference_from(
        file_ticket(clients["contact_y"], category, attachments=[(io.BytesIO(PDF), "现场照片.pdf")])
    )
    _must_redirect(
        act(clients["dispatcher"], t_b, "dispatch", task_force=str(task_force_b.id), reason=""),
        "dispatch T_B",
    )
    overdue = ticket(t_b)
    overdue.sign_due_at = utcnow() - timedelta(hours=1)
    refresh_deadlines(overdue)  # as a service would after changing the clock
    db.session.commit()
    t_filed = reference_from(file_ticket(clients["contact_y"], category))

    a, b, filed = ticket(t_a), ticket(t_b), ticket(t_filed)
    assert (a.status, a.task_force_id, a.assignee_id) == (
        "in_progress",
        task_force_a.id,
        users["member_a"].id,
    )
    assert (b.status, b.task_force_id) == ("dispatched", task_force_b.id)
    assert (filed.status, filed.task_force_id) == ("filed", None)
    public = next(f for f in a.attachments if f.public)
    internal = next(f for f in a.attachments if not f.public)
    assert internal.original_name == INTERNAL_FILE
    now = utcnow()
    absence = record_absence(
        users["member_a"],
        users["member_a"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        deputy=users["lead_a"],
    )
    db.session.commit()
    park = Park(
        users=users,
        spare=spare,
        task_force_a=task_force_a,
        task_force_b=task_force_b,
        chain=chain,
        enterprise_x=enterprise_x,
        enterprise_y=enterprise_y,
        project_x=project_x,
        project_y=project_y,
        category=category,
        t_a=t_a,
        t_b=t_b,
        t_filed=t_filed,
        public_file=public.id,
        internal_file=internal.id,
        t_b_file=b.attachments[0].id,
        absence=absence.id,
    )
    return park, clients


def snapshot(reference: str) -> tuple:
    """What must not move when someone who may not act on a ticket tries to."""
    db.session.expire_all()
    row = db.session.scalar(db.select(Ticket).where(Ticket.reference == reference))
    files = db.session.scalar(
        db.select(db.func.count()).select_from(Attachment).where(Attachment.ticket_id == row.id)
    )
    return (
        row.version,
        row.status,
        row.task_force_id,
        row.assignee_id,
        len(row.events),
        files,
        row.resolve_due_at,
        row.extension_working_days,
    )


def admin_snapshot(park: Park) -> tuple:
    """What the admin pages could change, to compare after everyone else has tried them."""
    db.session.expire_all()
    counts = tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (
            User,
            Enterprise,
            IndustryChain,
            KeyProject,
            TaskForce,
            Category,
            Ticket,
            Absence,
        )
    )
    spare = db.session.get_one(User, park.spare.id)
    return counts + (
        spare.active,
        spare.name,
        spare.password_hash,
        spare.roles,
        db.session.get_one(Enterprise, park.enterprise_x.id).name,
        db.session.get_one(TaskForce, park.task_force_a.id).name,
        db.session.get_one(Category, park.category.id).name,
    )
