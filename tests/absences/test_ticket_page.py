"""The ticket page says who is covering when the assignee or the lead is away now; the lead's
absence page and the people admin list show who is away."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.auth.models import Role
from servicedesk.clock import utcnow
from servicedesk.i18n import local_datetime
from tests.absences.conftest import act, away, file_ticket, reference_from


def signed_ticket(park, client_for) -> str:
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(client_for(park.member), ref, "sign")
    return ref


def side_column(page: str) -> str:
    return page[page.index('<div class="col-lg-4">') :]


def test_the_ticket_says_the_assignee_is_away_and_who_covers(app, park, client_for):
    ref = signed_ticket(park, client_for)
    absence = away(park.member, park.second_member)
    with app.test_request_context():
        until = local_datetime(absence.ends_at)
    page = client_for(park.lead).get(f"/tickets/{ref}").get_data(as_text=True)
    assert f"Member Wang is away until {until}, covered by Member Zhao." in side_column(page)
    assert "Handled by:" in page
    enterprise = client_for(park.contact).get(f"/tickets/{ref}").get_data(as_text=True)
    assert "is away until" not in enterprise and 'id="absences"' not in enterprise


def test_the_ticket_says_the_lead_is_away_too(park, client_for):
    ref = signed_ticket(park, client_for)
    away(park.member, park.second_member)
    away(park.lead, park.second_member)
    page = client_for(park.second_member).get(f"/tickets/{ref}").get_data(as_text=True)
    assert "Lead of the task force:" in page
    assert page.count("covered by Member Zhao.") == 2


def test_the_ticket_names_the_end_of_the_chain(park, client_for, make_user):
    sun = make_user(Role.MEMBER, task_force=park.task_force, name="Member Sun")
    ref = signed_ticket(park, client_for)
    away(park.member, park.second_member)
    away(park.second_member, sun)
    page = client_for(park.lead).get(f"/tickets/{ref}").get_data(as_text=True)
    assert "covered by Member Sun (for the deputy Member Zhao, who is away as well)." in page


def test_the_ticket_says_when_nobody_can_cover(park, client_for):
    ref = signed_ticket(park, client_for)
    away(park.member, park.second_member)
    away(park.second_member, park.member)  # each the other's deputy: a loop
    page = client_for(park.lead).get(f"/tickets/{ref}").get_data(as_text=True)
    assert (
        "The deputy Member Zhao cannot stand in (away as well, or no longer active), "
        "so messages still go to Member Wang."
    ) in page


def test_nothing_is_said_before_or_after_the_absence(park, client_for):
    ref = signed_ticket(park, client_for)
    now = utcnow()
    away(
        park.member, park.second_member, start=now + timedelta(days=1), end=now + timedelta(days=2)
    )
    page = client_for(park.lead).get(f"/tickets/{ref}").get_data(as_text=True)
    assert "is away until" not in page


def test_the_lead_and_the_admin_see_who_is_away(park, client_for):
    away(park.member, park.second_member)
    lead_page = client_for(park.lead).get("/absences/").get_data(as_text=True)
    assert "Member Wang" in lead_page and "away now" in lead_page
    people = client_for(park.admin).get("/admin/users/?q=Member").get_data(as_text=True)
    assert "covered by Member Zhao" in people
