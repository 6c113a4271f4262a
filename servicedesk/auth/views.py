"""Sign in, sign out, own account and password."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from servicedesk.auth.forms import AccountForm, LoginForm, PasswordChangeForm
from servicedesk.auth.services import authenticate, change_password
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.validators import normalise_mobile

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow relative ``next`` links, never to another site."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Wrong e-mail address or password, or the account is deactivated."), "danger")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.mobile = normalise_mobile(form.mobile.data) if form.mobile.data else None
        current_user.locale = form.locale.data or None
        db.session.commit()
        flash(_("Your account settings are saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except Refused as exc:
            form.new_password.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)
