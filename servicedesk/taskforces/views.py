"""Admin pages (to be filled in)."""

from flask import Blueprint

bp = Blueprint("taskforces", __name__, url_prefix="/admin/task-forces")
