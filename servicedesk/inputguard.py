"""Refuse, before any view runs, what no view can use: NUL bytes and ids past 64 bits.

PostgreSQL cannot store a NUL character and refuses integers past 64 bits with an error; both
would otherwise surface as a 500. The ``int`` URL converter is replaced by one that does not
match such numbers (a 404), and a NUL in the path, the query string or the posted fields
answers 400 with a page that says why. Registered by ``create_app`` before any blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, render_template, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from servicedesk.forms import MAX_INT


class IdConverter(IntegerConverter):
    """``<int:...>`` that matches only numbers a database integer column can hold."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def _has_nul(values: Any) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values.getlist(key)) for key in values
    )


def refuse_nul_bytes():
    """A before-request hook: 404 for NUL in the path, 400 for NUL in the query or the form."""
    if "\x00" in request.path:
        abort(404)
    if _has_nul(request.args) or (request.method == "POST" and _has_nul(request.form)):
        return (
            render_template(
                "error.html",
                code=400,
                title=_("Not understood"),
                message=_(
                    "What was sent contains a control character (NUL) that no text may "
                    "contain. Please remove it and try again; nothing has been saved."
                ),
            ),
            400,
        )
    return None


def init_input_guard(app: Flask) -> None:
    """Install the bounded ``int`` converter and the NUL check (before blueprints register)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_bytes)
