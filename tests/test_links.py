"""Links in e-mails and text messages: one setting says where the desk lives, the URL map builds
the rest — with no request, as in an RQ job."""

from __future__ import annotations

from servicedesk.links import external_url, ticket_url


def test_a_base_url_with_a_path_prefix_keeps_the_prefix(app):
    app.config["PUBLIC_BASE_URL"] = "https://gc.example.gov.cn/desk"
    assert ticket_url("GC-2026-000123") == "https://gc.example.gov.cn/desk/tickets/GC-2026-000123"
    assert external_url("tickets.queue") == "https://gc.example.gov.cn/desk/tickets/queue"


def test_a_bare_host_gives_the_pages_own_address(app):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    assert ticket_url("GC-2026-000001") == "http://127.0.0.1:5000/tickets/GC-2026-000001"
    with app.test_request_context("/"):
        from flask import url_for

        assert ticket_url("GC-2026-000001").endswith(
            url_for("tickets.detail", reference="GC-2026-000001")
        )
