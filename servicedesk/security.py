"""Security headers on every response, set in one ``after_request`` hook.

No templates hold inline script, event handlers or ``style=`` attributes, so the policy allows
only this origin; the dashboard's chart numbers travel in a ``<script type="application/json">``
block, which the browser does not execute and CSP does not block.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

#: Scripts, styles, images, fonts and XHR from this origin only; no plugins; never framed;
#: forms post only here; no <base> rewriting.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def _add_security_headers(app: Flask, response: Response) -> Response:
    headers = response.headers
    # A stricter policy set by a view (attachment downloads: sandbox) is kept.
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if app.config.get("APP_ENV") == "production":
        headers["Strict-Transport-Security"] = HSTS
    # What a signed-in person saw must not stay in a shared browser's or proxy's cache.
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    # The application never names its server software; the WSGI server may add its own name
    # (see the README's Security section).
    headers.pop("Server", None)
    return response


def _limit_body_without_files(app: Flask) -> None:
    """Bodies that carry no files (url-encoded forms, JSON) may hold ``MAX_FORM_MEMORY_SIZE``.

    Werkzeug applies that setting only to the text parts of a multipart body, so a url-encoded
    form could otherwise fill ``MAX_CONTENT_LENGTH`` (every attachment's allowance) with text.
    """
    if request.mimetype != "multipart/form-data":
        request.max_content_length = app.config["MAX_FORM_MEMORY_SIZE"]


def init_app(app: Flask) -> None:
    """Limit bodies without files and add the security headers to every response of ``app``."""
    # First of the before-request hooks: CSRF protection reads the form in its own hook.
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: _limit_body_without_files(app))
    app.after_request(lambda response: _add_security_headers(app, response))
