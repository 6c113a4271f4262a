"""Every response carries the security headers; pages hold nothing a strict CSP would block."""

from __future__ import annotations

import re

import pytest

from servicedesk import create_app
from servicedesk.auth.models import Role

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def assert_no_inline_code(html: str) -> None:
    """What ``default-src 'self'`` would block: inline scripts, handlers, style attributes."""
    for attributes, body in SCRIPT_TAG.findall(html):
        executable = 'type="application/json"' not in attributes
        assert not (executable and body.strip()), f"inline script: {body[:80]!r}"
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)


def test_the_sign_in_page_carries_every_header(client):
    response = client.get("/login")
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # development and testing speak HTTP
    assert "Server" not in headers
    assert "no-store" not in headers.get("Cache-Control", "")
    assert_no_inline_code(response.get_data(as_text=True))


def test_errors_and_json_carry_the_headers_too(client):
    for response in (client.get("/no-such-page"), client.get("/healthz")):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_of_a_signed_in_person_are_not_cached(client, auth, make_user):
    auth.login(make_user(Role.ADMIN))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert_no_inline_code(response.get_data(as_text=True))
    # Static assets stay cacheable.
    static = client.get("/static/css/servicedesk.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_the_dashboard_ships_its_chart_numbers_as_data_not_code(client, auth, make_user):
    auth.login(make_user(Role.SUPERVISOR))
    html = client.get("/supervision/").get_data(as_text=True)
    assert '<script type="application/json" id="supervision-charts">{' in html
    assert "/static/js/supervision.js" in html
    assert_no_inline_code(html)


@pytest.mark.parametrize("env, expected", [("production", True), ("development", False)])
def test_hsts_only_in_production(tmp_path, monkeypatch, env, expected):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "APP_ENV": env,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db'}",
        }
    )
    response = app.test_client().get("/healthz")
    assert ("Strict-Transport-Security" in response.headers) is expected
    if expected:
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_a_two_megabyte_text_field_is_refused_with_a_readable_page(client, auth, make_user):
    auth.login(make_user(Role.ADMIN))
    response = client.post(
        "/account", data={"name": "x" * (2 * 1024 * 1024), "locale": "en", "mobile": ""}
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Text too long" in page and "1024 KB" in page
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_text_limit_page_speaks_chinese(client, auth, make_user):
    auth.login(make_user(Role.ADMIN, locale="zh_CN"))
    response = client.post("/account", data={"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "文字过长" in response.get_data(as_text=True)


def test_the_text_limit_holds_before_csrf_reads_the_form(csrf_app):
    # CSRF protection reads the form in its own hook; the limit is in place before it.
    response = csrf_app.test_client().post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_long_text_part_of_a_multipart_form_is_refused(client, auth, make_user):
    auth.login(make_user(Role.ADMIN))
    response = client.post(
        "/account",
        data={"name": "x" * (2 * 1024 * 1024)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Text too long" in response.get_data(as_text=True)
