"""Admin pages for ticket categories: list, create, edit.

The category's kind (consultation / assistance / coordination) sets the normal resolve limit
of its tickets; the default task force is the routing rule of last resort.
"""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from servicedesk.auth.access import admin_required
from servicedesk.crud import FormPages, Refused
from servicedesk.extensions import db
from servicedesk.forms import BaseForm, IdSelectField, id_or_none, none_choice
from servicedesk.sla.labels import CATEGORY_KIND_CHOICES
from servicedesk.sla.vocabulary import CategoryKind
from servicedesk.taskforces.queries import task_force_or_none
from servicedesk.taskforces.services import task_force_choices
from servicedesk.tickets.categories import save_category
from servicedesk.tickets.models import Category
from servicedesk.tickets.queries import categories as all_categories

bp = Blueprint("categories", __name__, url_prefix="/admin/categories")

#: Shown when someone saved the same name a moment ago.
NAME_TAKEN = Refused(_l("This name was registered a moment ago."), "name")

CATEGORY_PAGES = FormPages(
    "admin/categories/form.html",
    "category",
    next_url=lambda _saved: url_for("categories.index"),
    conflict=NAME_TAKEN,
)


class CategoryForm(BaseForm):
    """A ticket category; the view offers the task forces."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("The name enterprises see when they file a ticket."),
    )
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=100)])
    kind = SelectField(
        _l("Kind"),
        choices=[(k.value, label) for k, label in CATEGORY_KIND_CHOICES.items()],
        default=CategoryKind.ASSISTANCE.value,
        description=_l("The kind sets the normal resolve limit of its tickets (see Time limits)."),
    )
    default_task_force_id = IdSelectField(
        _l("Default task force"),
        description=_l(
            "Receives the category's tickets when no key project or industry chain decides."
        ),
    )
    active = BooleanField(_l("Active (offered to enterprises)"), default=True)
    submit = SubmitField(_l("Save"))


# --- views ------------------------------------------------------------------------------------


@bp.route("/")
@admin_required
def index():
    """Every ticket category with its kind and default task force."""
    return render_template(
        "admin/categories/index.html", rows=all_categories(), kind_labels=CATEGORY_KIND_CHOICES
    )


def _form_page(category: Category | None):
    form = CategoryForm(obj=category)
    keep = [category.default_task_force] if category else []
    form.default_task_force_id.choices = [
        none_choice(),
        *[(t.id, t.name) for t in task_force_choices(keep)],
    ]

    def save() -> Category:
        task_force_id = id_or_none(form.default_task_force_id.data)
        return save_category(
            current_user,
            category,
            name=form.name.data,
            name_en=form.name_en.data,
            kind=form.kind.data,
            active=form.active.data,
            default_task_force=task_force_or_none(task_force_id),
        )

    return CATEGORY_PAGES.save(
        form,
        save,
        saved=lambda saved: _("The category %(name)s was saved.", name=saved.name),
        row=category,
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    """Add a ticket category."""
    return _form_page(None)


@bp.route("/<int:category_id>", methods=["GET", "POST"])
@admin_required
def edit(category_id: int):
    """Change a ticket category."""
    return _form_page(db.get_or_404(Category, category_id))
