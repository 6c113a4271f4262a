"""Links that leave the application: in e-mails and text messages, built from one setting.

``PUBLIC_BASE_URL`` says where the park's users reach the desk (scheme, host and any path
prefix, e.g. ``https://gc.example.gov.cn/desk``); the URL map builds the rest, so a link in a
message is the same as the page's own address. No request is needed: RQ jobs build links too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` under ``PUBLIC_BASE_URL``."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def ticket_url(reference: str) -> str:
    """The ticket's page, for a message about it."""
    return external_url("tickets.detail", reference=reference)
