"""Sign in, sign out, own account and password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from servicedesk.auth.forms import AccountForm, LoginForm, PasswordChangeForm
from servicedesk.auth.services import authenticate, change_password, update_own_settings
from servicedesk.crud import Refused, save_or_refuse
from servicedesk.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow relative ``next`` links, never to another site."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
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
    """One's own name, mobile number and language."""
    form = AccountForm(obj=current_user)
    return save_or_refuse(
        form,
        lambda: update_own_settings(
            current_user,
            name=form.name.data,
            mobile=form.mobile.data,
            locale=form.locale.data,
            languages=current_app.config["LANGUAGES"],
        ),
        saved=lambda _none: _("Your account settings are saved."),
        next_url=lambda _none: url_for("auth.account"),
        template="auth/account.html",
    )


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
