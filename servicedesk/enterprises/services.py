"""State changes and look-ups for enterprises, industry chains and key projects."""

from __future__ import annotations

import re
from typing import Required, TypedDict, Unpack

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from servicedesk.auth.models import User
from servicedesk.crud import Refused
from servicedesk.enterprises.models import (
    Enterprise,
    IndustryChain,
    KeyProject,
    ProjectLevel,
    ProjectStatus,
)
from servicedesk.enterprises.validators import normalise_uscc, uscc_problem
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce

# --- look-ups ---------------------------------------------------------------------------------


def _with_kept(rows, keep) -> list:
    chosen = {row.id: row for row in rows}
    chosen.update({row.id: row for row in keep if row is not None})
    return sorted(chosen.values(), key=lambda row: (row.name, row.id))


def enterprise_choices(*keep: Enterprise | None) -> list[Enterprise]:
    """Active enterprises by name, plus ``keep`` (already chosen ones, even if inactive)."""
    return _with_kept(db.session.scalars(select(Enterprise).where(Enterprise.active)), keep)


def chain_choices(*keep: IndustryChain | None) -> list[IndustryChain]:
    """Every industry chain by name."""
    return _with_kept(db.session.scalars(select(IndustryChain)), keep)


def enterprise_search(text: str | None) -> Select:
    """Enterprises whose name or credit code contains ``text``, by name."""
    query = select(Enterprise).order_by(Enterprise.name, Enterprise.id)
    text = (text or "").strip()
    if text:
        query = query.where(
            or_(
                Enterprise.name.icontains(text, autoescape=True),
                Enterprise.uscc.icontains(normalise_uscc(text) or text, autoescape=True),
            )
        )
    return query


def project_search(level: str | None, chain_id: int | None, status: str | None) -> Select:
    """Key projects filtered by level, chain and status (None: any), by name."""
    query = select(KeyProject).order_by(KeyProject.name, KeyProject.id)
    if level:
        query = query.where(KeyProject.level == level)
    if chain_id:
        query = query.where(KeyProject.industry_chain_id == chain_id)
    if status:
        query = query.where(KeyProject.status == status)
    return query


def contacts_of(enterprise: Enterprise) -> list[User]:
    """The people who speak for ``enterprise``, by name."""
    query = select(User).where(User.enterprise_id == enterprise.id).order_by(User.name)
    return list(db.session.scalars(query))


def projects_of(enterprise: Enterprise) -> list[KeyProject]:
    """The key projects of ``enterprise``, by name."""
    query = select(KeyProject).where(KeyProject.enterprise_id == enterprise.id)
    return list(db.session.scalars(query.order_by(KeyProject.name)))


# --- enterprises ------------------------------------------------------------------------------


def checked_uscc(
    code: str, accept_failed_check: bool, reason: str | None, enterprise: Enterprise | None = None
) -> tuple[str, str | None]:
    """The normalised credit code and the override reason to store (None when the code is valid).

    A duplicate is always refused. A code that fails the GB 32100 check is accepted only with
    ``accept_failed_check`` and a reason; it must still be 18 letters and digits.
    """
    code = normalise_uscc(code)
    if not code:
        raise Refused(_("Please enter the unified social credit code."), "uscc")
    problem = uscc_problem(code)
    if problem and not re.fullmatch(r"[0-9A-Z]{18}", code):
        raise Refused(problem, "uscc")
    holder = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if holder is not None and holder is not enterprise:
        raise Refused(
            _(
                "The unified social credit code %(code)s is already registered for %(name)s.",
                code=code,
                name=holder.name,
            ),
            "uscc",
        )
    if problem is None:
        return code, None
    if not accept_failed_check:
        raise Refused(
            problem
            + " "
            + _(
                "If the code is right (some early pilot codes fail the check), "
                "tick “accept despite a failed check” and give the reason."
            ),
            "uscc",
        )
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _("Please give the reason for accepting a code that fails the check."),
            "uscc_override_reason",
        )
    return code, reason


def _check_leader_flag(is_chain_leader: bool, chain: IndustryChain | None) -> None:
    if is_chain_leader and chain is None:
        raise Refused(
            _("A chain-leader enterprise must belong to an industry chain."), "industry_chain_id"
        )


class EnterpriseDetails(TypedDict, total=False):
    """What an admin sets on an enterprise, the keywords of :func:`create_enterprise` and
    :func:`update_enterprise`. Left out: no override, no chain, not a chain leader, no address,
    active."""

    name: Required[str]
    uscc: Required[str]
    accept_failed_check: bool
    override_reason: str | None
    chain: IndustryChain | None
    is_chain_leader: bool
    address: str | None
    active: bool


def _apply_enterprise(
    enterprise: Enterprise, details: EnterpriseDetails, editing: Enterprise | None
) -> None:
    code, reason = checked_uscc(
        details["uscc"],
        details.get("accept_failed_check", False),
        details.get("override_reason"),
        editing,
    )
    chain = details.get("chain")
    is_chain_leader = details.get("is_chain_leader", False)
    _check_leader_flag(is_chain_leader, chain)
    enterprise.name = details["name"].strip()
    enterprise.uscc = code
    enterprise.uscc_override_reason = reason
    enterprise.industry_chain = chain
    enterprise.is_chain_leader = is_chain_leader
    enterprise.address = (details.get("address") or "").strip() or None
    enterprise.active = details.get("active", True)


def create_enterprise(actor: User, **details: Unpack[EnterpriseDetails]) -> Enterprise:
    """Register an enterprise (not committed)."""
    enterprise = Enterprise()
    _apply_enterprise(enterprise, details, editing=None)
    db.session.add(enterprise)
    return enterprise


def update_enterprise(
    actor: User, enterprise: Enterprise, **details: Unpack[EnterpriseDetails]
) -> None:
    """Change an enterprise's details."""
    _apply_enterprise(enterprise, details, editing=enterprise)


# --- industry chains --------------------------------------------------------------------------


def _check_chain_name(name: str, chain: IndustryChain | None) -> str:
    name = name.strip()
    holder = db.session.scalar(
        select(IndustryChain).where(func.lower(IndustryChain.name) == name.lower())
    )
    if holder is not None and holder is not chain:
        raise Refused(_("There is already an industry chain called “%(name)s”.", name=name), "name")
    return name


class ChainDetails(TypedDict, total=False):
    """What an admin sets on an industry chain and its five-ones, the keywords of
    :func:`create_chain` and :func:`update_chain`; what is left out is empty."""

    name: Required[str]
    description: str | None
    leader: Enterprise | None
    chief_scientist: str | None
    task_force: TaskForce | None
    policy_package: str | None


def _apply_chain(chain: IndustryChain, details: ChainDetails) -> None:
    leader = details.get("leader")
    if (
        leader is not None
        and leader.industry_chain is not None
        and leader.industry_chain is not chain
    ):
        raise Refused(
            _(
                "%(name)s belongs to the chain %(chain)s; move it to this chain first.",
                name=leader.name,
                chain=leader.industry_chain.name,
            ),
            "chain_leader_enterprise_id",
        )
    chain.name = _check_chain_name(details["name"], chain)
    chain.description = (details.get("description") or "").strip() or None
    chain.chain_leader = leader
    chain.chief_scientist = (details.get("chief_scientist") or "").strip() or None
    chain.task_force = details.get("task_force")
    chain.policy_package = (details.get("policy_package") or "").strip() or None
    if leader is not None:
        # The chain leader's tickets ride the green channel, which reads the enterprise's flag.
        leader.industry_chain = chain
        leader.is_chain_leader = True


def create_chain(actor: User, **details: Unpack[ChainDetails]) -> IndustryChain:
    """Add an industry chain with its five-ones (not committed)."""
    chain = IndustryChain(name="")
    _apply_chain(chain, details)
    db.session.add(chain)
    return chain


def update_chain(actor: User, chain: IndustryChain, **details: Unpack[ChainDetails]) -> None:
    """Change an industry chain and its five-ones."""
    _apply_chain(chain, details)


# --- key projects -----------------------------------------------------------------------------


class ProjectDetails(TypedDict, total=False):
    """What an admin sets on a key project, the keywords of :func:`create_project` and
    :func:`update_project`; chain and task force may be left out."""

    name: Required[str]
    level: Required[str]
    status: Required[str]
    enterprise: Required[Enterprise | None]
    chain: IndustryChain | None
    task_force: TaskForce | None


def _apply_project(project: KeyProject, details: ProjectDetails) -> None:
    level, status, enterprise = details["level"], details["status"], details["enterprise"]
    if level not in {v.value for v in ProjectLevel}:
        raise Refused(_("Please choose the level of the project."), "level")
    if status not in {v.value for v in ProjectStatus}:
        raise Refused(_("Please choose the status of the project."), "status")
    if enterprise is None:
        raise Refused(_("Please choose the enterprise that runs the project."), "enterprise_id")
    project.name = details["name"].strip()
    project.level = level
    project.status = ProjectStatus(status)
    project.enterprise = enterprise
    project.industry_chain = details.get("chain")
    project.task_force = details.get("task_force")


def create_project(actor: User, **details: Unpack[ProjectDetails]) -> KeyProject:
    """Add a key project (not committed)."""
    project = KeyProject()
    _apply_project(project, details)
    db.session.add(project)
    return project


def update_project(actor: User, project: KeyProject, **details: Unpack[ProjectDetails]) -> None:
    """Change a key project."""
    _apply_project(project, details)
