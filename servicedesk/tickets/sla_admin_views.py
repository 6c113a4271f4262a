"""Admin pages: the time-limit table (category × tier).

They list and edit per-category policies, so they live with the categories; the routes join the
``sla`` blueprint of :mod:`servicedesk.sla.views` (same endpoints and URLs as the calendar).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from servicedesk.auth.access import admin_required
from servicedesk.extensions import db
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.sla.forms import ConfirmForm, PolicyForm, minutes_to_hours
from servicedesk.sla.labels import CATEGORY_KIND_LABELS, TIER_LABELS
from servicedesk.sla.models import Tier
from servicedesk.sla.policy import Limits, default_limits
from servicedesk.sla.views import bp
from servicedesk.sla.vocabulary import CategoryKind
from servicedesk.tickets import sla
from servicedesk.tickets.models import Category
from servicedesk.tickets.queries import categories as all_categories

__all__ = ["bp"]


@dataclass(frozen=True)
class PolicyCell:
    """What one category × tier cell shows: the limits and where they come from."""

    limits: Limits
    #: "own" (this row's policy), "park" (the all-categories policy) or "builtin".
    source: str
    #: Built-in limits of the all-categories row, whose resolve limit depends on the kind.
    by_kind: dict[CategoryKind, Limits] | None = None


def _cell(category: Category | None, tier: Tier, minutes_per_day: int) -> PolicyCell:
    own = sla.policy_row(category.id if category else None, tier)
    if own is not None:
        return PolicyCell(sla.row_limits(own), "own")
    if category is None:
        by_kind = {kind: default_limits(kind, tier, minutes_per_day) for kind in CategoryKind}
        return PolicyCell(by_kind[CategoryKind.ASSISTANCE], "builtin", by_kind)
    park = sla.policy_row(None, tier)
    if park is not None:
        return PolicyCell(sla.row_limits(park), "park")
    return PolicyCell(default_limits(category.kind, tier, minutes_per_day), "builtin")


def _tier_or_404(tier: str) -> Tier:
    try:
        return Tier(tier)
    except ValueError:
        abort(404)


def _category_or_404(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    return db.get_or_404(Category, category_id)


def _policy_url(endpoint: str, category: Category | None, tier: Tier) -> str:
    if category is None:
        return url_for(f"sla.{endpoint}_all", tier=tier.value)
    return url_for(f"sla.{endpoint}", category_id=category.id, tier=tier.value)


@bp.route("/sla")
@admin_required
def policies():
    """Every category × tier with the limits that apply and where they come from."""
    minutes_per_day = load_calendar().minutes_per_day
    categories = all_categories()
    rows = [
        (category, {tier: _cell(category, tier, minutes_per_day) for tier in Tier})
        for category in [None, *categories]
    ]
    return render_template(
        "sla/policies.html",
        rows=rows,
        tiers=list(Tier),
        tier_labels=TIER_LABELS,
        kind_labels=CATEGORY_KIND_LABELS,
        hours=minutes_to_hours,
        policy_url=_policy_url,
        minutes_per_day=minutes_per_day,
    )


@bp.route("/sla/all/<tier>", methods=["GET", "POST"], endpoint="edit_policy_all")
@bp.route("/sla/category/<int:category_id>/<tier>", methods=["GET", "POST"])
@admin_required
def edit_policy(tier: str, category_id: int | None = None):
    """Set one category's (or every category's) limits for one tier, in working hours."""
    tier = _tier_or_404(tier)
    category = _category_or_404(category_id)
    minutes_per_day = load_calendar().minutes_per_day
    cell = _cell(category, tier, minutes_per_day)
    form = PolicyForm()
    if request.method == "GET":
        form.dispatch_hours.data = minutes_to_hours(cell.limits.dispatch_minutes)
        form.sign_hours.data = minutes_to_hours(cell.limits.sign_minutes)
        form.first_contact_hours.data = minutes_to_hours(cell.limits.first_contact_minutes)
        if cell.by_kind is None:  # one resolve limit for every kind is the admin's choice
            form.resolve_hours.data = minutes_to_hours(cell.limits.resolve_minutes)
    if form.validate_on_submit():
        try:
            sla.save_policy(category, tier, form.limits())
        except ValueError as exc:
            form.resolve_hours.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "The time limits are saved. They apply to tickets filed, returned or "
                    "dispatched from now on."
                ),
                "success",
            )
            return redirect(url_for("sla.policies"))
    return render_template(
        "sla/policy_form.html",
        form=form,
        category=category,
        tier=tier,
        tier_labels=TIER_LABELS,
        kind_labels=CATEGORY_KIND_LABELS,
        cell=cell,
        hours=minutes_to_hours,
        reset_form=ConfirmForm(),
        reset_url=_policy_url("reset_policy", category, tier),
        minutes_per_day=minutes_per_day,
    )


@bp.route("/sla/all/<tier>/reset", methods=["POST"], endpoint="reset_policy_all")
@bp.route("/sla/category/<int:category_id>/<tier>/reset", methods=["POST"])
@admin_required
def reset_policy(tier: str, category_id: int | None = None):
    """Drop an admin-set row so the park-wide or built-in limits apply again."""
    tier = _tier_or_404(tier)
    category = _category_or_404(category_id)
    if ConfirmForm().validate_on_submit() and sla.reset_policy(category, tier):
        db.session.commit()
        flash(_("The limits are back to the default."), "success")
    return redirect(url_for("sla.policies"))
