"""State changes and look-ups for enterprises, industry chains and key projects."""

from __future__ import annotations

import re

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


def create_enterprise(
    actor: User,
    *,
    name: str,
    uscc: str,
    accept_failed_check: bool = False,
    override_reason: str | None = None,
    chain: IndustryChain | None = None,
    is_chain_leader: bool = False,
    address: str | None = None,
    active: bool = True,
) -> Enterprise:
    """Register an enterprise (not committed)."""
    code, reason = checked_uscc(uscc, accept_failed_check, override_reason)
    _check_leader_flag(is_chain_leader, chain)
    enterprise = Enterprise(
        name=name.strip(),
        uscc=code,
        uscc_override_reason=reason,
        industry_chain=chain,
        is_chain_leader=is_chain_leader,
        address=(address or "").strip() or None,
        active=active,
    )
    db.session.add(enterprise)
    return enterprise


def update_enterprise(
    actor: User,
    enterprise: Enterprise,
    *,
    name: str,
    uscc: str,
    accept_failed_check: bool = False,
    override_reason: str | None = None,
    chain: IndustryChain | None = None,
    is_chain_leader: bool = False,
    address: str | None = None,
    active: bool = True,
) -> None:
    """Change an enterprise's details."""
    code, reason = checked_uscc(uscc, accept_failed_check, override_reason, enterprise)
    _check_leader_flag(is_chain_leader, chain)
    enterprise.name = name.strip()
    enterprise.uscc = code
    enterprise.uscc_override_reason = reason
    enterprise.industry_chain = chain
    enterprise.is_chain_leader = is_chain_leader
    enterprise.address = (address or "").strip() or None
    enterprise.active = active


# --- industry chains --------------------------------------------------------------------------


def _check_chain_name(name: str, chain: IndustryChain | None) -> str:
    name = name.strip()
    holder = db.session.scalar(
        select(IndustryChain).where(func.lower(IndustryChain.name) == name.lower())
    )
    if holder is not None and holder is not chain:
        raise Refused(_("There is already an industry chain called “%(name)s”.", name=name), "name")
    return name


def _apply_chain(
    chain: IndustryChain,
    name: str,
    description: str | None,
    leader: Enterprise | None,
    chief_scientist: str | None,
    task_force,
    policy_package: str | None,
) -> None:
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
    chain.name = _check_chain_name(name, chain)
    chain.description = (description or "").strip() or None
    chain.chain_leader = leader
    chain.chief_scientist = (chief_scientist or "").strip() or None
    chain.task_force = task_force
    chain.policy_package = (policy_package or "").strip() or None
    if leader is not None:
        # The chain leader's tickets ride the green channel, which reads the enterprise's flag.
        leader.industry_chain = chain
        leader.is_chain_leader = True


def create_chain(
    actor: User,
    *,
    name: str,
    description: str | None = None,
    leader: Enterprise | None = None,
    chief_scientist: str | None = None,
    task_force=None,
    policy_package: str | None = None,
) -> IndustryChain:
    """Add an industry chain with its five-ones (not committed)."""
    chain = IndustryChain(name="")
    _apply_chain(chain, name, description, leader, chief_scientist, task_force, policy_package)
    db.session.add(chain)
    return chain


def update_chain(
    actor: User,
    chain: IndustryChain,
    *,
    name: str,
    description: str | None = None,
    leader: Enterprise | None = None,
    chief_scientist: str | None = None,
    task_force=None,
    policy_package: str | None = None,
) -> None:
    """Change an industry chain and its five-ones."""
    _apply_chain(chain, name, description, leader, chief_scientist, task_force, policy_package)


# --- key projects -----------------------------------------------------------------------------


def _apply_project(
    project: KeyProject,
    name: str,
    level: str,
    status: str,
    enterprise: Enterprise | None,
    chain: IndustryChain | None,
    task_force,
) -> None:
    if level not in {v.value for v in ProjectLevel}:
        raise Refused(_("Please choose the level of the project."), "level")
    if status not in {v.value for v in ProjectStatus}:
        raise Refused(_("Please choose the status of the project."), "status")
    if enterprise is None:
        raise Refused(_("Please choose the enterprise that runs the project."), "enterprise_id")
    project.name = name.strip()
    project.level = level
    project.status = ProjectStatus(status)
    project.enterprise = enterprise
    project.industry_chain = chain
    project.task_force = task_force


def create_project(
    actor: User,
    *,
    name: str,
    level: str,
    status: str,
    enterprise: Enterprise | None,
    chain: IndustryChain | None = None,
    task_force=None,
) -> KeyProject:
    """Add a key project (not committed)."""
    project = KeyProject()
    _apply_project(project, name, level, status, enterprise, chain, task_force)
    db.session.add(project)
    return project


def update_project(
    actor: User,
    project: KeyProject,
    *,
    name: str,
    level: str,
    status: str,
    enterprise: Enterprise | None,
    chain: IndustryChain | None = None,
    task_force=None,
) -> None:
    """Change a key project."""
    _apply_project(project, name, level, status, enterprise, chain, task_force)
