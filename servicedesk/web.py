"""The front door: home page per role, the admin index, error pages, blueprint registration."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from servicedesk.absences.views import bp as absences_bp
from servicedesk.auth.access import admin_required
from servicedesk.auth.models import Role
from servicedesk.demo.cli import demo_cli
from servicedesk.enterprises.views import bp as enterprises_bp
from servicedesk.escalation.views import bp as escalation_bp
from servicedesk.extensions import db
from servicedesk.jobs.cli import jobs_cli
from servicedesk.jobs.views import bp as jobs_bp
from servicedesk.notifications.admin_views import bp as deliveries_bp
from servicedesk.notifications.views import bp as notifications_bp
from servicedesk.people.views import bp as users_bp
from servicedesk.sla.calendar_store import missing_calendar_years
from servicedesk.supervision.export_views import bp as supervision_bp
from servicedesk.taskforces.views import bp as taskforces_bp
from servicedesk.tickets.admin_views import bp as categories_bp
from servicedesk.tickets.cli import tickets_cli
from servicedesk.tickets.sla_admin_views import bp as sla_bp
from servicedesk.tickets.views import bp as tickets_bp

bp = Blueprint("web", __name__)


@bp.route("/")
@login_required
def home():
    """Send each person to where their work is."""
    if current_user.has_role(Role.MEMBER, Role.LEAD, Role.DISPATCHER, Role.SUPERVISOR):
        return redirect(url_for("tickets.queue"))
    if current_user.has_role(Role.ENTERPRISE_CONTACT):
        return redirect(url_for("tickets.my_tickets"))
    if current_user.has_role(Role.ADMIN):
        return redirect(url_for("web.admin_index"))
    return render_template("home.html")


@bp.route("/admin/")
@admin_required
def admin_index():

    return render_template("admin/index.html", missing_years=missing_calendar_years())


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Remember a language choice: on the account when signed in, else in the session."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    target = request.referrer or ""
    return redirect(target if target.startswith(request.host_url) else url_for("web.home"))


@bp.route("/healthz")
def healthz():
    """Liveness for load balancers: answers without touching the database."""
    return {"status": "ok"}


def _error_page(code: int, title: str, message: str):
    return render_template("error.html", code=code, title=title, message=message), code


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_exc):
        return _error_page(404, _("Not found"), _("There is nothing here, or you may not see it."))

    @app.errorhandler(405)
    def method_not_allowed(_exc):
        return _error_page(405, _("Not allowed"), _("This page cannot be used that way."))

    @app.errorhandler(413)
    def too_large(_exc):

        # Within the whole-request limit, what overflowed was the form's text, not its files.
        length = request.content_length
        if length is None or length <= app.config["MAX_CONTENT_LENGTH"]:
            return _error_page(
                413,
                _("Text too long"),
                _(
                    "The text you sent is longer than allowed (%(kb)d KB for a whole form). "
                    "Please go back, shorten it and send the form again.",
                    kb=app.config["MAX_FORM_MEMORY_SIZE"] // 1024,
                ),
            )
        limit = app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)
        return _error_page(
            413,
            _("Upload too large"),
            _(
                "The files you sent are larger than allowed (%(mb)d MB each, %(n)d files at most). "
                "Please go back, remove the large files and send the form again.",
                mb=limit,
                n=app.config["ATTACHMENT_MAX_COUNT"],
            ),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return _error_page(
            400,
            _("The form has expired"),
            _(
                "For your security the form could not be accepted. "
                "Please go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(500)
    def server_error(_exc):

        db.session.rollback()
        return _error_page(
            500,
            _("Something went wrong"),
            _(
                "The error has been logged. Nothing you entered was saved; "
                "please try again in a moment."
            ),
        )


def register_web(app: Flask) -> None:
    """Register every blueprint and the error pages."""
    for blueprint in (
        bp,
        tickets_bp,
        users_bp,
        enterprises_bp,
        taskforces_bp,
        categories_bp,
        sla_bp,
        escalation_bp,
        deliveries_bp,
        notifications_bp,
        jobs_bp,
        supervision_bp,
        absences_bp,
    ):
        app.register_blueprint(blueprint)
    app.cli.add_command(demo_cli)
    app.cli.add_command(tickets_cli)
    app.cli.add_command(jobs_cli)
    register_error_pages(app)

    @app.context_processor
    def inject_roles():
        return {"Role": Role}
