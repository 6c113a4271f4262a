"""The ticket page shows the panels higher rooms register, without knowing those rooms."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader

from servicedesk.tickets.access import sees_internal
from servicedesk.tickets.panels import register_panel, registered_panels
from tests.tickets.conftest import file_ticket, reference_from


@pytest.fixture
def with_test_panel(app):
    """A panel only staff see, saying who looks at which ticket."""
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "test/_panel.html": '<section id="test-panel">{{ viewer_name }} looks at '
                    "{{ ticket.reference }}</section>"
                }
            ),
            app.jinja_env.loader,
        ]
    )

    def provider(ticket, viewer):
        return {"viewer_name": viewer.name} if sees_internal(viewer, ticket) else None

    register_panel(app, "test", "test/_panel.html", provider)
    return app


def test_escalation_and_absences_register_their_panels(app):
    slots = {panel.name: panel.slot for panel in registered_panels(app)}
    assert slots == {"reminders": "main", "absences": "side"}


def test_a_registered_panel_is_shown_to_whom_its_provider_answers(
    park, client_for, with_test_panel
):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    staff_page = client_for(park.member).get(f"/tickets/{ref}").get_data(as_text=True)
    assert f'<section id="test-panel">{park.member.name} looks at {ref}</section>' in staff_page
    assert 'id="reminders"' in staff_page
    assert staff_page.index('id="reminders"') < staff_page.index('id="test-panel"')
    enterprise_page = client_for(park.contact).get(f"/tickets/{ref}").get_data(as_text=True)
    assert 'id="test-panel"' not in enterprise_page
    assert 'id="reminders"' not in enterprise_page


def test_without_panels_the_ticket_page_shows_none(app, park, client_for):
    app.extensions.pop("servicedesk.ticket_panels")
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    page = client_for(park.member).get(f"/tickets/{ref}")
    assert page.status_code == 200
    assert 'id="reminders"' not in page.get_data(as_text=True)
