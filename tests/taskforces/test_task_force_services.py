"""Task forces (工作专班) through their services: who may lead and belong, names, memberships."""

from __future__ import annotations

import pytest

from servicedesk.auth.models import Role
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.taskforces import services
from servicedesk.taskforces.models import TaskForce


def test_a_task_force_is_created_with_its_lead_and_members(make_user):
    admin = make_user(Role.ADMIN)
    lead = make_user(Role.LEAD, name="刘组长")
    member = make_user(Role.MEMBER, name="王晓燕")

    team = services.create_task_force(
        admin, name="  新型显示专班 ", description="", lead=lead, members=[member]
    )
    db.session.commit()

    stored = db.session.get(TaskForce, team.id)
    assert stored.name == "新型显示专班" and stored.description is None
    assert stored.lead is lead and stored.active
    assert stored.has_member(member)
    assert services.task_forces_of(member) == [stored]


def test_the_lead_must_hold_the_lead_role_and_members_a_member_role(make_user):
    admin = make_user(Role.ADMIN)
    dispatcher = make_user(Role.DISPATCHER, name="Dora Dispatch")

    with pytest.raises(Refused) as no_lead:
        services.create_task_force(admin, name="A", description=None, lead=dispatcher, members=[])
    assert no_lead.value.field == "lead_id"
    with pytest.raises(Refused) as no_member:
        services.create_task_force(
            admin, name="A", description=None, lead=None, members=[dispatcher]
        )
    assert no_member.value.field == "member_ids"


def test_names_are_unique_whatever_their_case(make_user, make_task_force):
    admin = make_user(Role.ADMIN)
    make_task_force(name="Energy Storage")
    other = make_task_force(name="Magnets")

    with pytest.raises(Refused) as taken:
        services.update_task_force(
            admin,
            other,
            name="energy storage",
            description=None,
            lead=None,
            members=[],
            active=True,
        )
    assert taken.value.field == "name"
    # Renaming a task force to its own name in another case is no clash.
    services.update_task_force(
        admin, other, name="MAGNETS", description=None, lead=None, members=[], active=True
    )
    assert other.name == "MAGNETS"


def test_memberships_follow_the_chosen_task_forces(make_user, make_task_force):
    member = make_user(Role.MEMBER)
    first, second, third = make_task_force(), make_task_force(), make_task_force()
    services.set_user_task_forces(member, [first, second])
    db.session.commit()
    assert {t.id for t in services.task_forces_of(member)} == {first.id, second.id}

    services.set_user_task_forces(member, [second, third])
    db.session.commit()
    assert {t.id for t in services.task_forces_of(member)} == {second.id, third.id}


def test_only_members_and_leads_belong_and_a_lead_keeps_the_role_while_leading(
    make_user, make_task_force
):
    contact = make_user(Role.DISPATCHER)
    with pytest.raises(Refused) as refused:
        services.set_user_task_forces(contact, [make_task_force()])
    assert refused.value.field == "task_force_ids"

    lead = make_user(Role.LEAD)
    make_task_force(name="Led by them", lead=lead)
    lead.set_roles({Role.MEMBER})
    with pytest.raises(Refused) as still_leading:
        services.set_user_task_forces(lead, [])
    assert still_leading.value.field == "roles"
    assert "Led by them" in str(still_leading.value)


def test_choices_keep_an_inactive_task_force_already_chosen(make_task_force):
    active = make_task_force(name="Active one")
    retired = make_task_force(name="Retired one")
    retired.active = False
    db.session.commit()

    assert services.task_force_choices() == [active]
    assert services.task_force_choices(keep=[retired]) == [active, retired]
