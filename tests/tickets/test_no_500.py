"""No input makes a 500 (issue 8 §5): NUL bytes, Unicode digits, numbers past 64 bits, dates at
the ends of the calendar. Each gets a clear message (or a 404) and changes nothing, on SQLite as
on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicedesk.auth.models import Role, User
from servicedesk.extensions import db
from servicedesk.notifications.models import Notification
from servicedesk.sla.models import SlaPolicy
from servicedesk.tickets.models import SiteVisit, Ticket
from tests.tickets.conftest import act, file_ticket, reference_from, ticket

HUGE = "99999999999999999999"


def _count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _assert_clear_refusal(response, *, status: int = 400) -> str:
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def ref(park, client_for):
    return reference_from(file_ticket(client_for(park.contact), park.category))


# --- NUL and other control characters --------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "description"])
def test_a_nul_byte_in_a_new_ticket_is_refused(park, client_for, field):
    response = file_ticket(client_for(park.contact), park.category, **{field: "用电\x00申请"})
    html = _assert_clear_refusal(response)
    assert "control character" in html
    assert _count(Ticket) == 0


def test_other_control_characters_are_refused_on_the_form(park, client_for):
    response = file_ticket(client_for(park.contact), park.category, title="用电\x07申请")
    html = _assert_clear_refusal(response, status=200)
    assert "may not contain control characters" in html
    assert _count(Ticket) == 0


def test_tabs_and_newlines_are_still_welcome(park, client_for):
    response = file_ticket(
        client_for(park.contact), park.category, description="第一行\r\n\t第二行"
    )
    assert response.status_code == 302
    assert _count(Ticket) == 1


def test_a_nul_byte_in_the_account_name_is_refused(park, client_for):
    client = client_for(park.member)
    response = client.post("/account", data={"name": "Wang\x00", "mobile": "", "locale": ""})
    _assert_clear_refusal(response)
    db.session.expire_all()
    assert db.session.get(User, park.member.id).name == "Member Wang"


def test_a_nul_byte_in_an_action_is_refused(park, client_for, ref):
    member = client_for(park.member)
    act(member, ref, "sign")
    before = ticket(ref).version
    _assert_clear_refusal(act(member, ref, "note", body="a\x00b"))
    assert ticket(ref).version == before


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("member", "/tickets/queue?q=a%00b"),
        ("admin", "/admin/users/?q=a%00b"),
        ("admin", "/admin/deliveries?recipient=a%00b"),
        ("admin", "/admin/deliveries?ticket=GC%00"),
        ("supervisor", "/supervision/?period=%00"),
    ],
)
def test_a_nul_byte_in_a_query_string_is_refused(park, client_for, who, url):
    html = _assert_clear_refusal(client_for(getattr(park, who)).get(url))
    assert "control character" in html


def test_a_nul_byte_in_a_ticket_reference_is_not_found(park, client_for):
    assert client_for(park.member).get("/tickets/GC-%00").status_code == 404


# --- Unicode digits and numbers past 64 bits -------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "page=²",
        "page=١٢",
        f"page={HUGE}",
        "category=²",
        f"category={HUGE}",
        "chain=²",
        "enterprise=²",
        "task_force=²",
        f"enterprise={'١' * 25}",
    ],
)
def test_odd_numbers_in_the_queue_filters_are_ignored(park, client_for, query):
    assert client_for(park.dispatcher).get(f"/tickets/queue?{query}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/tickets/mine?page=²",
        f"/tickets/mine?page={HUGE}",
    ],
)
def test_odd_page_numbers_on_my_tickets_are_ignored(park, client_for, url):
    assert client_for(park.contact).get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/deliveries?page=²",
        f"/admin/deliveries?page={HUGE}",
        "/admin/calendar?year=²",
        f"/admin/calendar?year={'١' * 25}",
        f"/admin/users/new?enterprise_id={HUGE}",
        "/admin/users/new?enterprise_id=²",
    ],
)
def test_odd_numbers_on_admin_pages_are_ignored(park, client_for, url):
    assert client_for(park.admin).get(url).status_code == 200


@pytest.mark.parametrize("value", ["²", "١٢", HUGE, "-1", " 1"])
def test_a_retry_of_an_odd_id_is_refused(park, client_for, value):
    response = client_for(park.admin).post(
        "/admin/deliveries/retry", data={"notification_id": value}
    )
    assert response.status_code == 302
    assert _count(Notification) >= 0


def test_an_attachment_id_past_64_bits_is_not_found(park, client_for, ref):
    url = f"/tickets/{ref}/attachments/{HUGE}"
    assert client_for(park.contact).get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/users/{HUGE}",
        f"/admin/users/{HUGE}/password",
        f"/admin/sla/category/{HUGE}/normal",
        f"/admin/task-forces/{HUGE}",
        f"/admin/categories/{HUGE}",
        f"/admin/enterprises/{HUGE}",
    ],
)
def test_admin_ids_past_64_bits_are_not_found(park, client_for, path):
    assert client_for(park.admin).get(path).status_code == 404


# --- numbers and dates at the ends of their range --------------------------------------------


@pytest.mark.parametrize("hours", ["1e30", "1e999999", "9" * 40, "-1e30"])
def test_a_huge_time_limit_is_refused(park, client_for, hours):
    response = client_for(park.admin).post(
        "/admin/sla/all/normal",
        data={"sign_hours": hours, "first_contact_hours": "4", "resolve_hours": "40"},
    )
    html = _assert_clear_refusal(response, status=200)
    assert "working hours" in html
    assert _count(SlaPolicy) == 0


@pytest.mark.parametrize(
    ("visited_at", "message"),
    [
        ("0001-01-01T00:00", "Please choose a day between 2000 and 2100."),
        ("1970-01-01T00:00", "Please choose a day between 2000 and 2100."),
        ("2000-01-01T00:00", "before the ticket was filed"),
        ("9999-12-31T23:59", "Please choose a day between 2000 and 2100."),
    ],
)
def test_a_site_visit_outside_the_tickets_life_is_refused(
    park, client_for, ref, visited_at, message
):
    member = client_for(park.member)
    act(member, ref, "sign")
    before = ticket(ref).version
    response = act(
        member, ref, "site_visit", visited_at=visited_at, location="a", participants="b", notes="c"
    )
    assert response.status_code in (200, 302)
    assert message in response.get_data(as_text=True) or message in _flashes(member)
    assert ticket(ref).version == before
    assert ticket(ref).first_contact_at is None
    assert _count(SiteVisit) == 0


def _flashes(client) -> str:
    with client.session_transaction() as session:
        return " ".join(str(message) for _category, message in session.get("_flashes", []))


@pytest.mark.parametrize(
    "holidays",
    ["9999-12-31", "2030-12-31 ok\n9999-12-31 end", "0001-01-01", "2030-12-25..9999-12-31"],
)
def test_a_calendar_line_at_the_end_of_time_is_refused(park, client_for, holidays):
    response = client_for(park.admin).post(
        "/admin/calendar/year", data={"year": "2030", "holidays": holidays}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Line" in html or "not in 2030" in html


@pytest.mark.parametrize(
    "query",
    [
        "date_from=0001-01-01",
        "date_to=9999-12-31",
        "date_from=0001-01-01&date_to=9999-12-31",
    ],
)
def test_the_delivery_log_takes_dates_at_the_ends_of_the_calendar(park, client_for, query):
    assert client_for(park.admin).get(f"/admin/deliveries?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&date_from=0001-01-01&date_to=9999-12-31",
        "period=custom&date_from=9999-12-31&date_to=9999-12-31",
    ],
)
def test_supervision_takes_dates_at_the_ends_of_the_calendar(park, client_for, query):
    supervisor = client_for(park.supervisor)
    assert supervisor.get(f"/supervision/?{query}").status_code == 200
    assert supervisor.get(f"/supervision/tickets.csv?{query}").status_code in (200, 302)


def test_the_refusal_speaks_the_users_language(park, client_for, make_user):
    contact = make_user(Role.ENTERPRISE_CONTACT, enterprise=park.enterprise, locale="zh_CN")
    response = client_for(contact).get("/tickets/mine?status=%00")
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "²⁰²⁶-01", "2026-13"])
def test_the_bulletin_takes_months_at_the_ends_of_the_calendar(park, client_for, month):
    assert (
        client_for(park.supervisor).get(f"/supervision/bulletin?month={month}").status_code == 200
    )
