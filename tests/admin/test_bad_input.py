"""Every admin form answers bad input with the form again (200), a clear message, and no row."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from servicedesk.auth.models import Role, User
from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce, TaskForceMember
from servicedesk.tickets.models import Category
from tests.admin.conftest import VALID_USCC, count, fresh_uscc, new_user

REQUIRED = "This field is required."
NOT_OFFERED = "Please choose one of the listed options"
FAILED_CHECK = "The check character of this unified social credit code does not match"


def refused(client, url, data, message, model):
    """Post ``data``; the form comes back with ``message`` and no ``model`` row was added."""
    before = count(model)
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert message in html, html[html.find("<main") :]
    assert "Please correct the marked fields; nothing has been saved yet." in html
    db.session.rollback()
    assert count(model) == before
    return html


# --- users ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "", "name": "", "password": "", "confirm": ""}, REQUIRED),
        ({"name": "x" * 101}, "Field cannot be longer than 100 characters."),
        ({"email": "a" * 250 + "@example.com"}, "Field cannot be longer than 254 characters."),
        ({"email": "not-an-address"}, "is not a valid e-mail address"),
        ({"mobile": "12345"}, "Please enter a mainland mobile number"),
        ({"mobile": "+1 415 555 0100"}, "Please enter a mainland mobile number"),
        ({"roles": []}, "Please choose at least one role."),
        ({"roles": ["emperor"]}, NOT_OFFERED),
        ({"password": "12345678", "confirm": "12345678"}, "A password cannot be digits only."),
        ({"password": "short1", "confirm": "short1"}, "A password needs at least 8 characters."),
        ({"confirm": "something-else"}, "The two passwords differ."),
        ({"enterprise_id": "abc"}, NOT_OFFERED),
        ({"enterprise_id": "999", "roles": ["enterprise_contact"]}, NOT_OFFERED),
        ({"task_force_ids": ["x"]}, NOT_OFFERED),
        ({"task_force_ids": ["999"]}, NOT_OFFERED),
        ({"roles": ["enterprise_contact"]}, "An enterprise contact must belong to an enterprise."),
        (
            {"roles": ["dispatcher"], "task_force_ids": ["TF"]},
            "Only task-force members and leads can belong to task forces.",
        ),
        ({"roles": ["member"], "enterprise_id": "ENT"}, "Only enterprise contacts belong to"),
        (
            {"roles": ["enterprise_contact", "member"], "enterprise_id": "ENT"},
            "An enterprise contact cannot hold staff roles as well",
        ),
    ],
)
def test_user_form_refuses_bad_input(
    client, admin, make_enterprise, make_task_force, changes, message
):
    enterprise, task_force = make_enterprise(), make_task_force()
    ids = {"ENT": str(enterprise.id), "TF": str(task_force.id)}
    data = new_user(**changes)
    data = {
        k: ([ids.get(v, v) for v in val] if isinstance(val, list) else ids.get(val, val))
        for k, val in data.items()
    }
    refused(client, "/admin/users/new", data, message, User)
    assert count(TaskForceMember) == 0


def test_user_form_refuses_a_taken_address_whatever_its_case(client, admin, make_user):
    make_user(Role.MEMBER, email="taken@park.example.com")
    refused(
        client,
        "/admin/users/new",
        new_user(email="Taken@Park.Example.com"),
        "There is already an account for taken@park.example.com.",
        User,
    )


def test_inactive_enterprise_or_task_force_cannot_be_chosen(
    client, admin, make_enterprise, make_task_force
):
    closed = make_enterprise(active=False)
    retired = make_task_force()
    retired.active = False
    db.session.commit()
    refused(
        client,
        "/admin/users/new",
        new_user(roles=["enterprise_contact"], enterprise_id=str(closed.id)),
        NOT_OFFERED,
        User,
    )
    refused(
        client, "/admin/users/new", new_user(task_force_ids=[str(retired.id)]), NOT_OFFERED, User
    )


def test_user_edit_refuses_bad_input_and_changes_nothing(client, admin, make_user):
    make_user(Role.MEMBER, email="other@park.example.com")
    user = make_user(Role.MEMBER, name="Kept", email="kept@park.example.com")
    url = f"/admin/users/{user.id}"
    base = {
        "email": "kept@park.example.com",
        "name": "Kept",
        "roles": ["member"],
        "enterprise_id": "0",
    }
    for changes, message in [
        ({"name": ""}, REQUIRED),
        ({"name": "y" * 101}, "Field cannot be longer than 100 characters."),
        ({"email": "other@park.example.com"}, "There is already an account for"),
        ({"enterprise_id": "1x"}, NOT_OFFERED),
        ({"roles": []}, "Please choose at least one role."),
    ]:
        refused(client, url, {**base, **changes}, message, User)
    db.session.expire_all()
    assert (user.name, user.email, user.roles) == ("Kept", "kept@park.example.com", {Role.MEMBER})


def test_password_reset_refuses_bad_input(client, admin, make_user):
    user = make_user(Role.MEMBER)
    hash_before = user.password_hash
    url = f"/admin/users/{user.id}/password"
    refused(client, url, {"password": "", "confirm": ""}, REQUIRED, User)
    refused(
        client,
        url,
        {"password": "p" * 201, "confirm": "p" * 201},
        "Field cannot be longer than 200 characters.",
        User,
    )
    refused(
        client,
        url,
        {"password": user.email, "confirm": user.email},
        "A password cannot be the e-mail address.",
        User,
    )
    db.session.expire_all()
    assert user.password_hash == hash_before


def test_unknown_rows_answer_404(client, admin):
    for url in [
        "/admin/users/999",
        "/admin/users/999/password",
        "/admin/enterprises/999",
        "/admin/enterprises/999/edit",
        "/admin/chains/999",
        "/admin/key-projects/999",
        "/admin/task-forces/999",
        "/admin/categories/999",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/users/999/deactivate").status_code == 404


# --- enterprises ------------------------------------------------------------------------------


def new_enterprise(**changes):
    data = {
        "name": "Exxon New Energy",
        "uscc": fresh_uscc(),
        "uscc_override_reason": "",
        "industry_chain_id": "0",
        "address": "",
        "active": "y",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "", "uscc": ""}, REQUIRED),
        ({"name": "n" * 201}, "Field cannot be longer than 200 characters."),
        ({"address": "a" * 301}, "Field cannot be longer than 300 characters."),
        (
            {"uscc": "9111000060003734"},
            "A unified social credit code has 18 characters; this one has 16.",
        ),
        ({"uscc": "91110000600037341I"}, "uses digits and the letters"),
        ({"uscc": "91110000600037341A"}, FAILED_CHECK),
        ({"uscc": "91110000600037341A"}, "tick “accept despite a failed check”"),
        (
            {"uscc": "91110000600037341A", "accept_failed_check": "y"},
            "Please give the reason for accepting a code that fails the check.",
        ),
        (
            {
                "uscc": "91110000600037341A",
                "accept_failed_check": "y",
                "uscc_override_reason": "   ",
            },
            "Please give the reason for accepting a code that fails the check.",
        ),
        (
            {
                "uscc": "9111000060003734",
                "accept_failed_check": "y",
                "uscc_override_reason": "pilot",
            },
            "has 18 characters",
        ),
        ({"uscc_override_reason": "r" * 1001}, "Field cannot be longer than 1000 characters."),
        ({"industry_chain_id": "abc"}, NOT_OFFERED),
        ({"industry_chain_id": "999"}, NOT_OFFERED),
        ({"is_chain_leader": "y"}, "A chain-leader enterprise must belong to an industry chain."),
    ],
)
def test_enterprise_form_refuses_bad_input(client, admin, changes, message):
    refused(client, "/admin/enterprises/new", new_enterprise(**changes), message, Enterprise)


def test_failed_check_is_accepted_only_with_the_box_and_a_reason(client, admin):
    response = client.post(
        "/admin/enterprises/new",
        data=new_enterprise(
            name="Early pilot",
            uscc="91110000600037341a",
            accept_failed_check="y",
            uscc_override_reason="Early pilot code, checked against the business licence.",
        ),
    )
    assert response.status_code == 302
    pilot = db.session.scalar(select(Enterprise).where(Enterprise.name == "Early pilot"))
    assert pilot.uscc == "91110000600037341A"
    assert pilot.uscc_override_reason == ("Early pilot code, checked against the business licence.")
    page = client.get(f"/admin/enterprises/{pilot.id}").get_data(as_text=True)
    assert "fails the GB 32100 check and was accepted by an administrator" in page
    assert "checked against the business licence" in page

    # Editing keeps the override while the code stays; a corrected code clears it.
    form_page = client.get(f"/admin/enterprises/{pilot.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*id="accept_failed_check"', form_page)
    response = client.post(
        f"/admin/enterprises/{pilot.id}/edit",
        data=new_enterprise(
            name="Early pilot",
            uscc=VALID_USCC,
            accept_failed_check="y",
            uscc_override_reason="no longer needed",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert pilot.uscc == VALID_USCC and pilot.uscc_override_reason is None


def test_a_duplicate_credit_code_is_refused(client, admin, make_enterprise):
    make_enterprise(name="Changhong", uscc=VALID_USCC)
    refused(
        client,
        "/admin/enterprises/new",
        new_enterprise(uscc="91110000-600037341l"),
        "The unified social credit code 91110000600037341L is already registered for Changhong.",
        Enterprise,
    )
    other = make_enterprise(name="Other")
    refused(
        client,
        f"/admin/enterprises/{other.id}/edit",
        new_enterprise(name="Other", uscc=VALID_USCC),
        "is already registered for Changhong",
        Enterprise,
    )
    db.session.expire_all()
    assert other.uscc != VALID_USCC


# --- industry chains --------------------------------------------------------------------------


def new_chain(**changes):
    data = {
        "name": "Energy storage",
        "description": "",
        "chain_leader_enterprise_id": "0",
        "chief_scientist": "",
        "task_force_id": "0",
        "policy_package": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, REQUIRED),
        ({"name": "c" * 101}, "Field cannot be longer than 100 characters."),
        ({"chief_scientist": "s" * 201}, "Field cannot be longer than 200 characters."),
        ({"policy_package": "p" * 5001}, "Field cannot be longer than 5000 characters."),
        ({"chain_leader_enterprise_id": "boe"}, NOT_OFFERED),
        ({"chain_leader_enterprise_id": "999"}, NOT_OFFERED),
        ({"task_force_id": "-1"}, NOT_OFFERED),
        ({"task_force_id": "1.5"}, NOT_OFFERED),
        ({"name": "magnetic MATERIALS"}, "There is already an industry chain called"),
    ],
)
def test_chain_form_refuses_bad_input(client, admin, make_chain, changes, message):
    make_chain(name="Magnetic materials")
    refused(client, "/admin/chains/new", new_chain(**changes), message, IndustryChain)


def test_a_leader_of_another_chain_cannot_lead_this_one(client, admin, make_chain, make_enterprise):
    display = make_chain(name="New display")
    boe = make_enterprise(name="BOE", chain=display)
    refused(
        client,
        "/admin/chains/new",
        new_chain(chain_leader_enterprise_id=str(boe.id)),
        "BOE belongs to the chain New display; move it to this chain first.",
        IndustryChain,
    )


# --- key projects -----------------------------------------------------------------------------


def new_project(enterprise, **changes):
    data = {
        "name": "Storage plant",
        "level": "district",
        "enterprise_id": str(enterprise.id),
        "industry_chain_id": "0",
        "task_force_id": "0",
        "status": "planned",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, REQUIRED),
        ({"name": "p" * 201}, "Field cannot be longer than 200 characters."),
        ({"enterprise_id": "0"}, "Please choose the enterprise that runs the project."),
        ({"enterprise_id": "999"}, NOT_OFFERED),
        ({"enterprise_id": "BOE"}, NOT_OFFERED),
        ({"level": "galactic"}, "Not a valid choice"),
        ({"status": "abandoned"}, "Not a valid choice"),
        ({"industry_chain_id": "x"}, NOT_OFFERED),
        ({"task_force_id": "12345678901234567890"}, NOT_OFFERED),
    ],
)
def test_project_form_refuses_bad_input(client, admin, make_enterprise, changes, message):
    enterprise = make_enterprise()
    refused(
        client, "/admin/key-projects/new", new_project(enterprise, **changes), message, KeyProject
    )


# --- task forces ------------------------------------------------------------------------------


def new_task_force(**changes):
    data = {
        "name": "Magnet task force",
        "description": "",
        "lead_id": "0",
        "member_ids": [],
        "active": "y",
    }
    data.update(changes)
    return data


def test_task_force_form_refuses_bad_input(client, admin, make_task_force, make_user):
    make_task_force(name="Display task force")
    dispatcher = make_user(Role.DISPATCHER)
    contact = make_user(Role.ENTERPRISE_CONTACT)
    member = make_user(Role.MEMBER)
    for changes, message in [
        ({"name": ""}, REQUIRED),
        ({"name": "t" * 101}, "Field cannot be longer than 100 characters."),
        ({"description": "d" * 2001}, "Field cannot be longer than 2000 characters."),
        ({"name": " display TASK force "}, "There is already a task force called"),
        ({"lead_id": "abc"}, NOT_OFFERED),
        ({"lead_id": "999"}, NOT_OFFERED),
        ({"lead_id": str(member.id)}, NOT_OFFERED),  # a member without the lead role
        ({"member_ids": [str(dispatcher.id)]}, NOT_OFFERED),
        ({"member_ids": [str(contact.id)]}, NOT_OFFERED),
        ({"member_ids": ["999"]}, NOT_OFFERED),
        ({"member_ids": ["one"]}, NOT_OFFERED),
    ]:
        refused(client, "/admin/task-forces/new", new_task_force(**changes), message, TaskForce)
    assert count(TaskForceMember) == 0


def test_renaming_a_task_force_to_a_taken_name_is_refused(client, admin, make_task_force):
    make_task_force(name="Display task force")
    other = make_task_force(name="Storage task force")
    refused(
        client,
        f"/admin/task-forces/{other.id}",
        new_task_force(name="Display task force"),
        "There is already a task force called “Display task force”.",
        TaskForce,
    )
    db.session.expire_all()
    assert other.name == "Storage task force"


# --- categories -------------------------------------------------------------------------------


def new_category(**changes):
    data = {
        "name": "融资对接",
        "name_en": "Financing",
        "kind": "assistance",
        "default_task_force_id": "0",
        "active": "y",
    }
    data.update(changes)
    return data


def test_category_form_refuses_bad_input(client, admin, make_category, make_task_force):
    make_category(name="政策咨询")
    retired = make_task_force()
    retired.active = False
    db.session.commit()
    for changes, message in [
        ({"name": ""}, REQUIRED),
        ({"name": "c" * 101}, "Field cannot be longer than 100 characters."),
        ({"name_en": "e" * 101}, "Field cannot be longer than 100 characters."),
        ({"name": "政策咨询"}, "There is already a category called “政策咨询”."),
        ({"kind": "complaint"}, "Not a valid choice"),
        ({"default_task_force_id": "abc"}, NOT_OFFERED),
        ({"default_task_force_id": "999"}, NOT_OFFERED),
        ({"default_task_force_id": str(retired.id)}, NOT_OFFERED),
    ]:
        refused(client, "/admin/categories/new", new_category(**changes), message, Category)


def test_category_kinds_are_labelled_by_their_resolve_limit(client, admin):
    page = client.get("/admin/categories/new").get_data(as_text=True)
    assert "Consultation — a question to answer (shortest resolve limit)" in page
    assert "Coordination — needs several departments (longest resolve limit)" in page
    assert "The kind sets the normal resolve limit" in page


def test_a_lead_keeps_the_lead_role_while_leading(client, admin, make_task_force, make_user):
    task_force = make_task_force(name="Display task force")
    lead = make_user(Role.LEAD, lead_of=task_force, name="Wang Lead", email="wang@park.example.com")
    refused(
        client,
        f"/admin/users/{lead.id}",
        {"email": lead.email, "name": "Wang Lead", "roles": ["member"], "enterprise_id": "0"},
        "Wang Lead leads the task force Display task force; choose another lead there",
        User,
    )
    db.session.expire_all()
    assert lead.roles == {Role.LEAD}
