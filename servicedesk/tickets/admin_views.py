"""Admin pages (to be filled in)."""

from flask import Blueprint

bp = Blueprint("categories", __name__, url_prefix="/admin/categories")
