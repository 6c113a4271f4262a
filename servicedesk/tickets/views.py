"""Ticket pages (in progress)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


@bp.route("/queue")
@login_required
def queue():
    return "queue"


@bp.route("/mine")
@login_required
def my_tickets():
    return "mine"


@bp.route("/new")
@login_required
def new():
    return "new"
