"""The story of an administrator setting up the park: people, a task force, a chain, enterprises,
a key project and a ticket category; then changing them and locking a person out."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.auth.models import Role, User, user_by_email
from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import Category
from tests.admin.conftest import VALID_USCC, count
from tests.conftest import PASSWORD

INITIAL_PASSWORD = "first-Day-2026"


def _by_name(model, name):
    return db.session.scalar(select(model).where(model.name == name))


def _create_staff(client, email, name, *roles, task_forces=()):
    response = client.post(
        "/admin/users/new",
        data={
            "email": email,
            "name": name,
            "mobile": "",
            "roles": [r.value for r in roles],
            "enterprise_id": "0",
            "task_force_ids": [str(t) for t in task_forces],
            "password": INITIAL_PASSWORD,
            "confirm": INITIAL_PASSWORD,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return user_by_email(email)


def test_admin_sets_up_the_new_display_chain(client, admin, auth):
    # People first: a lead and a member for the future task force.
    lead = _create_staff(client, "wang.lead@park.example.com", "Wang Lead", Role.LEAD, Role.MEMBER)
    member = _create_staff(client, "li.member@park.example.com", "Li Member", Role.MEMBER)
    assert lead.has_role(Role.LEAD) and lead.has_role(Role.MEMBER)

    # A task force with its lead and members.
    response = client.post(
        "/admin/task-forces/new",
        data={
            "name": "New display task force",
            "description": "Owns the new display chain.",
            "lead_id": str(lead.id),
            "member_ids": [str(lead.id), str(member.id)],
            "active": "y",
        },
    )
    assert response.status_code == 302
    task_force = _by_name(TaskForce, "New display task force")
    assert task_force.lead_id == lead.id
    assert {u.id for u in task_force.members} == {lead.id, member.id}
    assert "New display task force" in client.get("/admin/task-forces/").get_data(as_text=True)

    # An industry chain owned by the task force (the leader comes once the enterprise exists).
    response = client.post(
        "/admin/chains/new",
        data={
            "name": "新型显示 New display",
            "description": "",
            "chain_leader_enterprise_id": "0",
            "chief_scientist": "Prof. Zhang",
            "task_force_id": str(task_force.id),
            "policy_package": "Land, energy and talent measures.",
        },
    )
    assert response.status_code == 302
    chain = _by_name(IndustryChain, "新型显示 New display")
    assert chain.task_force_id == task_force.id and chain.chief_scientist == "Prof. Zhang"

    # The enterprise, typed with the spaces people paste in.
    response = client.post(
        "/admin/enterprises/new",
        data={
            "name": "BOE Display",
            "uscc": "9111 0000 6000 3734 1l",
            "uscc_override_reason": "",
            "industry_chain_id": str(chain.id),
            "address": "1 Display Road",
            "active": "y",
        },
    )
    assert response.status_code == 302
    boe = _by_name(Enterprise, "BOE Display")
    assert boe.uscc == VALID_USCC and boe.uscc_override_reason is None
    assert response.headers["Location"].endswith(f"/admin/enterprises/{boe.id}")

    # The enterprise becomes the chain's leader: its tickets will ride the green channel.
    response = client.post(
        f"/admin/chains/{chain.id}",
        data={
            "name": chain.name,
            "description": "",
            "chain_leader_enterprise_id": str(boe.id),
            "chief_scientist": "Prof. Zhang",
            "task_force_id": str(task_force.id),
            "policy_package": "Land, energy and talent measures.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert chain.chain_leader_enterprise_id == boe.id
    assert boe.is_chain_leader and boe.industry_chain_id == chain.id
    chains_page = client.get("/admin/chains").get_data(as_text=True)
    assert "BOE Display" in chains_page and "Prof. Zhang" in chains_page

    # A contact who files tickets for BOE.
    response = client.post(
        "/admin/users/new",
        data={
            "email": "Zhao@BOE.example.com",
            "name": "Zhao Contact",
            "mobile": "+86 138 0013 8000",
            "roles": ["enterprise_contact"],
            "enterprise_id": str(boe.id),
            "password": INITIAL_PASSWORD,
            "confirm": INITIAL_PASSWORD,
        },
    )
    assert response.status_code == 302
    contact = user_by_email("zhao@boe.example.com")
    assert contact.enterprise_id == boe.id and contact.mobile == "13800138000"
    assert contact.roles == {Role.ENTERPRISE_CONTACT}

    # A municipal key project of BOE.
    response = client.post(
        "/admin/key-projects/new",
        data={
            "name": "Gen-8.6 OLED line",
            "level": "municipal",
            "enterprise_id": str(boe.id),
            "industry_chain_id": str(chain.id),
            "task_force_id": str(task_force.id),
            "status": "under_construction",
        },
    )
    assert response.status_code == 302
    project = _by_name(KeyProject, "Gen-8.6 OLED line")
    assert (project.level, project.status) == ("municipal", "under_construction")
    assert project.enterprise_id == boe.id and project.task_force_id == task_force.id

    # The enterprise page shows its contact and its key project.
    page = client.get(f"/admin/enterprises/{boe.id}").get_data(as_text=True)
    assert "Zhao Contact" in page and "Gen-8.6 OLED line" in page and VALID_USCC in page

    # A ticket category routed to the task force by default.
    response = client.post(
        "/admin/categories/new",
        data={
            "name": "用地报建",
            "name_en": "Land and building permits",
            "kind": "coordination",
            "default_task_force_id": str(task_force.id),
            "active": "y",
        },
    )
    assert response.status_code == 302
    category = _by_name(Category, "用地报建")
    assert category.kind == "coordination" and category.default_task_force_id == task_force.id

    # Editing: the project is in operation now; the member leaves the task force.
    response = client.post(
        f"/admin/key-projects/{project.id}",
        data={
            "name": "Gen-8.6 OLED line",
            "level": "provincial",
            "enterprise_id": str(boe.id),
            "industry_chain_id": str(chain.id),
            "task_force_id": "0",
            "status": "in_operation",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/admin/task-forces/{task_force.id}",
        data={
            "name": "New display task force",
            "description": "",
            "lead_id": str(lead.id),
            "member_ids": [str(lead.id)],
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (project.level, project.status, project.task_force_id) == (
        "provincial",
        "in_operation",
        None,
    )
    assert [u.id for u in task_force.members] == [lead.id]
    assert task_force.description is None

    # The contact leaves BOE: the admin deactivates the account and it can no longer sign in.
    response = client.post(f"/admin/users/{contact.id}/deactivate")
    assert response.status_code == 302
    db.session.expire_all()
    assert contact.active is False
    auth.logout()
    refused = auth.login("zhao@boe.example.com", INITIAL_PASSWORD)
    assert refused.status_code == 200
    assert "deactivated" in refused.get_data(as_text=True)
    # ... while the lead still can.
    assert auth.login("wang.lead@park.example.com", INITIAL_PASSWORD).status_code == 302
    assert count(User) == 4


def test_admin_edits_a_user_and_reactivates_them(
    client, admin, auth, make_user, make_task_force, make_enterprise
):
    task_force = make_task_force(name="Energy storage task force")
    user = make_user(Role.MEMBER, name="Old Name", email="old@park.example.com")

    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="old@park.example.com"' in page

    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "email": "new@park.example.com",
            "name": "New Name",
            "mobile": "0086-139-0000-1111",
            "roles": ["member", "lead"],
            "enterprise_id": "0",
            "task_force_ids": [str(task_force.id)],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.email, user.name, user.mobile) == (
        "new@park.example.com",
        "New Name",
        "13900001111",
    )
    assert user.roles == {Role.MEMBER, Role.LEAD}
    assert task_force.has_member(user)

    # Taking the staff roles away and making them a contact drops the task forces too.
    boe = make_enterprise(name="BOE")
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "email": "new@park.example.com",
            "name": "New Name",
            "mobile": "",
            "roles": ["enterprise_contact"],
            "enterprise_id": str(boe.id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.enterprise_id == boe.id and user.mobile is None
    assert not task_force.has_member(user)

    client.post(f"/admin/users/{user.id}/deactivate")
    client.post(f"/admin/users/{user.id}/activate")
    db.session.expire_all()
    assert user.active is True
    auth.logout()
    assert auth.login("new@park.example.com").status_code == 302


def test_admin_resets_a_forgotten_password(client, admin, auth, make_user):
    user = make_user(Role.DISPATCHER, email="forgot@park.example.com")
    weak = client.post(
        f"/admin/users/{user.id}/password", data={"password": "12345678", "confirm": "12345678"}
    )
    assert weak.status_code == 200
    assert "cannot be digits only" in weak.get_data(as_text=True)

    response = client.post(
        f"/admin/users/{user.id}/password",
        data={"password": "brand-new-9", "confirm": "brand-new-9"},
    )
    assert response.status_code == 302
    auth.logout()
    assert auth.login("forgot@park.example.com", "brand-new-9").status_code == 302


def test_admin_cannot_lock_themself_out(client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    response = client.post(
        f"/admin/users/{admin.id}",
        data={
            "email": admin.email,
            "name": admin.name,
            "roles": ["supervisor"],
            "enterprise_id": "0",
        },
    )
    assert response.status_code == 200
    assert "You cannot take the administrator role from yourself." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert admin.active and admin.has_role(Role.ADMIN)


def test_user_list_searches_filters_and_pages(client, admin, make_user):
    make_user(Role.SUPERVISOR, name="Chen Supervisor", email="chen@park.example.com")
    for i in range(30):
        make_user(Role.MEMBER, name=f"Member {i:02d}", email=f"m{i:02d}@park.example.com")

    found = client.get("/admin/users/?q=chen").get_data(as_text=True)
    assert "Chen Supervisor" in found and "Member 00" not in found
    found = client.get("/admin/users/?q=M05@PARK.EXAMPLE").get_data(as_text=True)
    assert "Member 05" in found and "Member 06" not in found

    supervisors = client.get("/admin/users/?role=supervisor").get_data(as_text=True)
    assert "Chen Supervisor" in supervisors and "Member 01" not in supervisors

    first = client.get("/admin/users/?role=member").get_data(as_text=True)
    second = client.get("/admin/users/?role=member&page=2").get_data(as_text=True)
    assert "Member 00" in first and "Member 29" not in first
    assert "Member 29" in second and "Member 00" not in second
    assert "page=2" in first and "role=member" in first  # the pager keeps the filter

    # A made-up role or a wildcard search are shown plainly, never a 500.
    assert client.get("/admin/users/?role=emperor").status_code == 200
    assert "Member 00" not in client.get("/admin/users/?q=%25").get_data(as_text=True)
    for odd_page in ("abc", "-3", "999"):
        assert client.get(f"/admin/users/?page={odd_page}").status_code == 200
    assert client.get("/admin/users/?q=" + "x" * 500).status_code == 200


def test_enterprise_list_searches_by_name_and_code(client, admin, make_enterprise):
    make_enterprise(name="Changhong", uscc=VALID_USCC)
    make_enterprise(name="Juxing Permanent Magnet")
    found = client.get("/admin/enterprises/?q=9111-0000").get_data(as_text=True)
    assert "Changhong" in found and "Juxing" not in found
    found = client.get("/admin/enterprises/?q=juxing").get_data(as_text=True)
    assert "Juxing" in found and "Changhong" not in found


def test_key_projects_filter_by_level_chain_and_status(
    client, admin, make_enterprise, make_chain, make_project
):
    chain = make_chain(name="Magnetic materials")
    enterprise = make_enterprise()
    make_project(enterprise, chain=chain, name="Magnet plant", level="provincial")
    make_project(enterprise, name="District warehouse", level="district")

    provincial = client.get("/admin/key-projects?level=provincial").get_data(as_text=True)
    assert "Magnet plant" in provincial and "District warehouse" not in provincial
    by_chain = client.get(f"/admin/key-projects?industry_chain_id={chain.id}")
    assert "District warehouse" not in by_chain.get_data(as_text=True)
    completed = client.get("/admin/key-projects?status=completed").get_data(as_text=True)
    assert "Magnet plant" not in completed and "District warehouse" not in completed
    assert client.get("/admin/key-projects?industry_chain_id=abc").status_code == 200


def test_deactivation_ends_an_open_session(app, client, admin, make_user):
    supervisor = make_user(Role.SUPERVISOR, email="leaving@park.example.com")
    their_browser = app.test_client()
    their_browser.post("/login", data={"email": supervisor.email, "password": PASSWORD})
    assert their_browser.get("/account").status_code == 200

    assert client.post(f"/admin/users/{supervisor.id}/deactivate").status_code == 302
    response = their_browser.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
