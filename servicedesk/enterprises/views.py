"""Admin pages for enterprises, industry chains (with their five-ones) and key projects."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from servicedesk.auth.access import admin_required
from servicedesk.crud import FormPages, Refused
from servicedesk.enterprises.forms import (
    ChainForm,
    EnterpriseForm,
    EnterpriseSearchForm,
    ProjectFilterForm,
    ProjectForm,
)
from servicedesk.enterprises.labels import PROJECT_LEVEL_LABELS, PROJECT_STATUS_LABELS
from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject
from servicedesk.enterprises.queries import chain_or_none, enterprise_or_none, industry_chains
from servicedesk.enterprises.services import (
    ChainDetails,
    EnterpriseDetails,
    ProjectDetails,
    chain_choices,
    contacts_of,
    create_chain,
    create_enterprise,
    create_project,
    enterprise_choices,
    enterprise_search,
    project_search,
    projects_of,
    update_chain,
    update_enterprise,
    update_project,
)
from servicedesk.extensions import db
from servicedesk.forms import id_or_none
from servicedesk.taskforces.queries import task_force_or_none
from servicedesk.taskforces.services import task_force_choices

bp = Blueprint("enterprises", __name__, url_prefix="/admin")

PER_PAGE = 25

#: Shown when someone saved the same name or code a moment ago.
NAME_TAKEN = Refused(
    _l("This name or code was registered a moment ago by someone else; please check the list.")
)

ENTERPRISE_PAGES = FormPages(
    "admin/enterprises/form.html",
    "enterprise",
    next_url=lambda saved: url_for("enterprises.enterprise", enterprise_id=saved.id),
    conflict=NAME_TAKEN,
)
CHAIN_PAGES = FormPages(
    "admin/enterprises/chain_form.html",
    "chain",
    next_url=lambda _saved: url_for("enterprises.chains"),
    conflict=NAME_TAKEN,
)
PROJECT_PAGES = FormPages(
    "admin/enterprises/project_form.html",
    "project",
    next_url=lambda _saved: url_for("enterprises.projects"),
    conflict=NAME_TAKEN,
)


# --- enterprises ------------------------------------------------------------------------------


@bp.route("/enterprises/")
@admin_required
def index():
    """Enterprises, searchable by name or credit code."""
    search = EnterpriseSearchForm(request.args)
    text = search.q.data if search.validate() else None
    page = db.paginate(enterprise_search(text), per_page=PER_PAGE, error_out=False)
    return render_template("admin/enterprises/index.html", search=search, page=page)


def _enterprise_fields(form: EnterpriseForm) -> EnterpriseDetails:
    return EnterpriseDetails(
        name=form.name.data,
        uscc=form.uscc.data,
        accept_failed_check=form.accept_failed_check.data,
        override_reason=form.uscc_override_reason.data,
        chain=chain_or_none(form.industry_chain_id.data),
        is_chain_leader=form.is_chain_leader.data,
        address=form.address.data,
        active=form.active.data,
    )


@bp.route("/enterprises/new", methods=["GET", "POST"])
@admin_required
def create_enterprise_page():
    """Register an enterprise."""
    form = EnterpriseForm()
    form.set_choices(chain_choices())
    return ENTERPRISE_PAGES.save(
        form,
        lambda: create_enterprise(current_user, **_enterprise_fields(form)),
        saved=lambda created: _("The enterprise %(name)s was registered.", name=created.name),
    )


@bp.route("/enterprises/<int:enterprise_id>")
@admin_required
def enterprise(enterprise_id: int):
    """An enterprise with its contacts and key projects."""
    found = db.get_or_404(Enterprise, enterprise_id)
    return render_template(
        "admin/enterprises/detail.html",
        enterprise=found,
        contacts=contacts_of(found),
        projects=projects_of(found),
        level_labels=PROJECT_LEVEL_LABELS,
        status_labels=PROJECT_STATUS_LABELS,
    )


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_enterprise(enterprise_id: int):
    """Change an enterprise."""
    found = db.get_or_404(Enterprise, enterprise_id)
    form = EnterpriseForm(obj=found)
    if not form.is_submitted():
        form.accept_failed_check.data = bool(found.uscc_override_reason)
    form.set_choices(chain_choices(found.industry_chain))
    return ENTERPRISE_PAGES.save(
        form,
        lambda: update_enterprise(current_user, found, **_enterprise_fields(form)),
        saved=lambda saved: _("The enterprise %(name)s was saved.", name=saved.name),
        row=found,
    )


# --- industry chains --------------------------------------------------------------------------


@bp.route("/chains")
@admin_required
def chains():
    """Industry chains with their five-ones."""
    return render_template("admin/enterprises/chains.html", rows=industry_chains())


def _chain_fields(form: ChainForm) -> ChainDetails:
    return ChainDetails(
        name=form.name.data,
        description=form.description.data,
        leader=enterprise_or_none(form.chain_leader_enterprise_id.data),
        chief_scientist=form.chief_scientist.data,
        task_force=task_force_or_none(form.task_force_id.data),
        policy_package=form.policy_package.data,
    )


@bp.route("/chains/new", methods=["GET", "POST"])
@admin_required
def create_chain_page():
    """Add an industry chain."""
    form = ChainForm()
    form.set_choices(enterprise_choices(), task_force_choices())
    return CHAIN_PAGES.save(
        form,
        lambda: create_chain(current_user, **_chain_fields(form)),
        saved=lambda created: _("The industry chain %(name)s was created.", name=created.name),
    )


@bp.route("/chains/<int:chain_id>", methods=["GET", "POST"])
@admin_required
def edit_chain(chain_id: int):
    """Change an industry chain and its five-ones."""
    chain = db.get_or_404(IndustryChain, chain_id)
    form = ChainForm(obj=chain)
    keep = [chain.task_force] if chain.task_force is not None else []
    form.set_choices(enterprise_choices(chain.chain_leader), task_force_choices(keep))
    return CHAIN_PAGES.save(
        form,
        lambda: update_chain(current_user, chain, **_chain_fields(form)),
        saved=lambda saved: _("The industry chain %(name)s was saved.", name=saved.name),
        row=chain,
    )


# --- key projects -----------------------------------------------------------------------------


@bp.route("/key-projects")
@admin_required
def projects():
    """Key projects, filtered by level, industry chain and status."""
    filters = ProjectFilterForm(request.args)
    filters.set_choices(chain_choices())
    if filters.validate():
        query = project_search(
            filters.level.data, id_or_none(filters.industry_chain_id.data), filters.status.data
        )
    else:
        query = project_search(None, None, None)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/enterprises/projects.html",
        filters=filters,
        page=page,
        level_labels=PROJECT_LEVEL_LABELS,
        status_labels=PROJECT_STATUS_LABELS,
    )


def _project_fields(form: ProjectForm) -> ProjectDetails:
    return ProjectDetails(
        name=form.name.data,
        level=form.level.data,
        status=form.status.data,
        enterprise=enterprise_or_none(form.enterprise_id.data),
        chain=chain_or_none(form.industry_chain_id.data),
        task_force=task_force_or_none(form.task_force_id.data),
    )


@bp.route("/key-projects/new", methods=["GET", "POST"])
@admin_required
def create_project_page():
    """Add a key project."""
    form = ProjectForm()
    form.set_choices(enterprise_choices(), chain_choices(), task_force_choices())
    return PROJECT_PAGES.save(
        form,
        lambda: create_project(current_user, **_project_fields(form)),
        saved=lambda created: _("The key project %(name)s was created.", name=created.name),
    )


@bp.route("/key-projects/<int:project_id>", methods=["GET", "POST"])
@admin_required
def edit_project(project_id: int):
    """Change a key project."""
    project = db.get_or_404(KeyProject, project_id)
    form = ProjectForm(obj=project)
    form.set_choices(
        enterprise_choices(project.enterprise),
        chain_choices(project.industry_chain),
        task_force_choices([project.task_force] if project.task_force is not None else []),
    )
    return PROJECT_PAGES.save(
        form,
        lambda: update_project(current_user, project, **_project_fields(form)),
        saved=lambda saved: _("The key project %(name)s was saved.", name=saved.name),
        row=project,
    )
