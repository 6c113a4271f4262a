"""Panels on the ticket page that higher rooms provide (escalation's reminders, for one).

The tickets room knows nothing of them: a room registers a panel from its ``init_app``-style
function, and the ticket page renders every registered panel that has something to show, in
its slot: ``main`` below the timeline, ``side`` at the top of the column beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, render_template
from markupsafe import Markup

from servicedesk.auth.models import User
from servicedesk.tickets.models import Ticket

#: ``provider(ticket, viewer)`` returns the panel template's context, or None to show nothing.
PanelProvider = Callable[[Ticket, User], dict | None]

_PANELS = "servicedesk.ticket_panels"
SLOTS = ("main", "side")


@dataclass(frozen=True)
class Panel:
    """One registered panel: its name, its template, what fills it and where it goes."""

    name: str
    template: str
    provider: PanelProvider
    slot: str = "main"


def register_panel(
    app: Flask, name: str, template: str, provider: PanelProvider, slot: str = "main"
) -> None:
    """Show ``template`` on the ticket page in ``slot``, filled by ``provider(ticket, viewer)``.

    Panels appear in the order they were registered; registering a name again replaces it.
    """
    assert slot in SLOTS, f"a ticket panel goes in one of {SLOTS}"
    app.extensions.setdefault(_PANELS, {})[name] = Panel(name, template, provider, slot)


def registered_panels(app: Flask) -> list[Panel]:
    """The panels registered on ``app``, in order."""
    return list(app.extensions.get(_PANELS, {}).values())


def render_panels(ticket: Ticket, viewer: User, slot: str = "main") -> list[Markup]:
    """The HTML of every panel of ``slot`` with something to show ``viewer`` about ``ticket``."""
    rendered = []
    for panel in registered_panels(current_app):
        if panel.slot != slot:
            continue
        context = panel.provider(ticket, viewer)
        if context is not None:
            rendered.append(Markup(render_template(panel.template, ticket=ticket, **context)))
    return rendered
