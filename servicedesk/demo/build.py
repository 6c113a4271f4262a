"""Building the demonstration park: the rows of :mod:`servicedesk.demo.park` made real.

:func:`build_park` creates the people, task forces, enterprises, chains and key projects through
the admin services (categories are plain rows), completes each credit code with its check
character, and returns a :class:`DemoPark` holding what was built by key, for the ticket stories
to act with. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from servicedesk.auth.models import Role, User
from servicedesk.auth.services import create_user
from servicedesk.demo.park import (
    CATEGORIES,
    CHAINS,
    CONTACTS,
    ENTERPRISES,
    PILOT_ENTERPRISE,
    PROJECTS,
    STAFF,
    TASK_FORCES,
)
from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject
from servicedesk.enterprises.services import create_chain, create_enterprise, create_project
from servicedesk.enterprises.validators import USCC_ALPHABET, uscc_check_character
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.taskforces.services import create_task_force
from servicedesk.tickets.models import Category


@dataclass
class DemoPark:
    """What was built, by key, for the ticket stories to act with."""

    people: dict[str, User] = field(default_factory=dict)
    contacts: dict[str, User] = field(default_factory=dict)
    task_forces: dict[str, TaskForce] = field(default_factory=dict)
    chains: dict[str, IndustryChain] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    projects: dict[str, KeyProject] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)


def valid_uscc(first17: str) -> str:
    """A credit code completed with its GB 32100 check character."""
    return first17 + uscc_check_character(first17)


def failing_uscc(first17: str) -> str:
    """A credit code whose last character is deliberately not the check character."""
    right = uscc_check_character(first17)
    return first17 + USCC_ALPHABET[(USCC_ALPHABET.index(right) + 1) % len(USCC_ALPHABET)]


def build_park(password: str) -> DemoPark:
    """Create the people, task forces, enterprises, chains, key projects and categories."""
    park = DemoPark()
    for key, (email, name, roles, mobile) in STAFF.items():
        park.people[key] = create_user(email, name, password, set(roles), mobile=mobile)
    admin = park.people["admin"]
    for key, (name, description, lead, members) in TASK_FORCES.items():
        park.task_forces[key] = create_task_force(
            admin,
            name=name,
            description=description,
            lead=park.people[lead],
            members=[park.people[m] for m in members],
        )
    _build_enterprises(park, admin)
    db.session.flush()
    for key, (email, name, mobile) in CONTACTS.items():
        park.contacts[key] = create_user(
            email,
            name,
            password,
            {Role.ENTERPRISE_CONTACT},
            mobile=mobile,
            enterprise_id=park.enterprises[key].id,
        )
    for key, (name, level, status, company, chain, task_force) in PROJECTS.items():
        park.projects[key] = create_project(
            admin,
            name=name,
            level=level,
            status=status,
            enterprise=park.enterprises[company],
            chain=None if chain is None else park.chains[chain],
            task_force=park.task_forces[task_force],
        )
    for key, (name, name_en, kind, force) in CATEGORIES.items():
        category = Category(
            name=name,
            name_en=name_en,
            kind=kind.value,
            default_task_force=None if force is None else park.task_forces[force],
        )
        db.session.add(category)
        park.categories[key] = category
    db.session.flush()
    return park


def _build_enterprises(park: DemoPark, admin: User) -> None:
    # A chain-leader enterprise exists before its chain; creating the chain attaches it.
    for key, (name, code, chain, leader, address) in ENTERPRISES.items():
        if leader and chain is not None and key == CHAINS[chain][2]:
            park.enterprises[key] = create_enterprise(
                admin, name=name, uscc=valid_uscc(code), address=address
            )
    for key, (name, description, leader_key, scientist, policies) in CHAINS.items():
        park.chains[key] = create_chain(
            admin,
            name=name,
            description=description,
            leader=park.enterprises[leader_key],
            chief_scientist=scientist,
            task_force=park.task_forces[key],
            policy_package=policies,
        )
    for key, (name, code, chain, leader, address) in ENTERPRISES.items():
        if key not in park.enterprises:
            park.enterprises[key] = create_enterprise(
                admin,
                name=name,
                uscc=valid_uscc(code),
                chain=None if chain is None else park.chains[chain],
                is_chain_leader=leader,
                address=address,
            )
    name, code, address, reason = PILOT_ENTERPRISE
    park.enterprises["yunfan"] = create_enterprise(
        admin,
        name=name,
        uscc=failing_uscc(code),
        accept_failed_check=True,
        override_reason=reason,
        address=address,
    )
