"""Admin pages (to be filled in)."""

from flask import Blueprint

bp = Blueprint("sla", __name__, url_prefix="/admin")
