"""The admin sets time limits and keeps the working calendar, through the real pages."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from servicedesk.auth.models import Role
from servicedesk.extensions import db
from servicedesk.sla.models import CalendarDay, CalendarYear, SlaPolicy
from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture
def admin(make_user, auth):
    user = make_user(Role.ADMIN)
    auth.login(user)
    return user


def _policies() -> list[SlaPolicy]:
    return db.session.query(SlaPolicy).all()


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- who may look ----------------------------------------------------------------------------

ADMIN_PAGES = [
    ("get", "/admin/sla"),
    ("get", "/admin/sla/all/normal"),
    ("post", "/admin/sla/all/normal"),
    ("post", "/admin/sla/all/normal/reset"),
    ("get", "/admin/calendar"),
    ("post", "/admin/calendar/days"),
    ("post", "/admin/calendar/days/2026-03-09/remove"),
    ("post", "/admin/calendar/year"),
]


@pytest.mark.parametrize("method, url", ADMIN_PAGES)
@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.LEAD, Role.DISPATCHER, Role.SUPERVISOR, Role.ENTERPRISE_CONTACT]
)
def test_only_the_admin_may_see_the_sla_pages(client, make_user, auth, role, method, url):
    auth.login(make_user(role))
    response = getattr(client, method)(
        url,
        data={
            "sign_hours": "1",
            "first_contact_hours": "1",
            "resolve_hours": "1",
            "day": "2026-03-09",
            "kind": "holiday",
        },
    )
    assert response.status_code == 404
    assert _policies() == [] and db.session.query(CalendarDay).count() == 0


def test_a_stranger_is_sent_to_sign_in(client):
    response = client.get("/admin/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_admin_index_links_to_both_pages(client, admin):
    html = _text(client.get("/admin/"))
    assert "/admin/sla" in html and "/admin/calendar" in html


# --- time limits -----------------------------------------------------------------------------


def test_the_admin_sees_the_built_in_limits_of_every_category(client, admin, make_category):
    make_category(name="政策咨询", kind="consultation")
    html = _text(client.get("/admin/sla"))
    assert "All categories" in html and "政策咨询" in html
    assert "Built-in default" in html
    assert "Resolve: 21 h" in html  # consultation, normal: 3 working days of 7 h
    assert "Resolve: 10.5 h" in html  # consultation, urgent or green: half of it
    assert "Resolve (Coordination): 105 h" in html
    # From filing to dispatch: two working hours, one in the green channel.
    assert "Dispatch: 2 h" in html and "Dispatch: 1 h" in html


def test_the_admin_tightens_one_category_in_working_hours(client, admin, make_category):
    category = make_category(name="用地审批", kind="assistance")
    form = client.get(f"/admin/sla/category/{category.id}/urgent")
    assert form.status_code == 200 and 'value="24.5"' in _text(form)  # built-in, prefilled
    assert 'name="dispatch_hours"' in _text(form) and 'value="2"' in _text(form)
    response = client.post(
        f"/admin/sla/category/{category.id}/urgent",
        data={
            "dispatch_hours": "0.75",
            "sign_hours": "1.5",
            "first_contact_hours": "3",
            "resolve_hours": "10.25",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200 and "The time limits are saved" in _text(response)
    [row] = _policies()
    assert (row.category_id, row.tier) == (category.id, "urgent")
    assert (row.sign_minutes, row.first_contact_minutes, row.resolve_minutes) == (90, 180, 615)
    assert row.dispatch_minutes == 45
    assert "Set here" in _text(response) and "Resolve: 10.25 h" in _text(response)
    assert "Dispatch: 0.75 h" in _text(response)


def test_the_all_categories_row_applies_to_categories_without_their_own(
    client, admin, make_category
):
    make_category(name="用工招聘")
    response = client.post(
        "/admin/sla/all/green",
        data={
            "dispatch_hours": "1",
            "sign_hours": "0.5",
            "first_contact_hours": "1",
            "resolve_hours": "14",
        },
        follow_redirects=True,
    )
    [row] = _policies()
    assert row.category_id is None and row.resolve_minutes == 14 * 60
    assert "From the all-categories row" in _text(response)


def test_the_admin_goes_back_to_the_default(client, admin, make_category):
    category = make_category()
    client.post(
        f"/admin/sla/category/{category.id}/normal",
        data={
            "dispatch_hours": "1",
            "sign_hours": "2",
            "first_contact_hours": "2",
            "resolve_hours": "20",
        },
    )
    assert len(_policies()) == 1
    page = _text(client.get(f"/admin/sla/category/{category.id}/normal"))
    assert "Go back to the default" in page
    response = client.post(f"/admin/sla/category/{category.id}/normal/reset", follow_redirects=True)
    assert "back to the default" in _text(response)
    assert _policies() == []


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"sign_hours": "", "first_contact_hours": "2", "resolve_hours": "20"},
            "This field is required",
        ),
        (
            {"sign_hours": "two", "first_contact_hours": "2", "resolve_hours": "20"},
            "Not a valid decimal value",
        ),
        (
            {"sign_hours": "-1", "first_contact_hours": "2", "resolve_hours": "20"},
            "more than zero working hours",
        ),
        (
            {"sign_hours": "0", "first_contact_hours": "2", "resolve_hours": "20"},
            "more than zero working hours",
        ),
        (
            {"sign_hours": "0.001", "first_contact_hours": "2", "resolve_hours": "20"},
            "at least one working minute",
        ),
        (
            {"sign_hours": "nan", "first_contact_hours": "2", "resolve_hours": "20"},
            "Please enter a number of working hours",
        ),
        (
            {"sign_hours": "Infinity", "first_contact_hours": "2", "resolve_hours": "20"},
            "Please enter a number of working hours",
        ),
        (
            {"sign_hours": "1", "first_contact_hours": "2", "resolve_hours": "401"},
            "at most 400 working hours",
        ),
        (
            {"sign_hours": "1", "first_contact_hours": "2", "resolve_hours": "1e9"},
            "at most 400 working hours",
        ),
        (
            {"sign_hours": "30", "first_contact_hours": "2", "resolve_hours": "20"},
            "Signing for a ticket cannot take longer than resolving it",
        ),
        (
            {"sign_hours": "1", "first_contact_hours": "21", "resolve_hours": "20"},
            "The first contact cannot take longer than resolving the ticket",
        ),
        (
            {"sign_hours": "1,5", "first_contact_hours": "2", "resolve_hours": "20"},
            "Not a valid decimal value",
        ),
        (
            {"dispatch_hours": "", "sign_hours": "1", "resolve_hours": "20"},
            "This field is required",
        ),
        ({"dispatch_hours": "0", "sign_hours": "1"}, "more than zero working hours"),
        ({"dispatch_hours": "zwei", "sign_hours": "1"}, "Not a valid decimal value"),
        ({"dispatch_hours": "401", "sign_hours": "1"}, "at most 400 working hours"),
    ],
)
def test_bad_limits_are_refused_and_nothing_is_saved(client, admin, make_category, values, message):
    category = make_category()
    values = {"dispatch_hours": "2", "first_contact_hours": "2", "resolve_hours": "20", **values}
    response = client.post(f"/admin/sla/category/{category.id}/normal", data=values)
    assert response.status_code == 200
    assert message in _text(response)
    assert "nothing has been saved" in _text(response)
    assert _policies() == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sla/all/superfast",
        "/admin/sla/category/999/normal",
        "/admin/sla/category/999/normal/reset",
    ],
)
def test_unknown_tiers_and_categories_are_not_found(client, admin, url):
    assert client.get(url).status_code in (404, 405)
    assert (
        client.post(
            url, data={"sign_hours": "1", "first_contact_hours": "1", "resolve_hours": "1"}
        ).status_code
        == 404
    )


# --- the working calendar --------------------------------------------------------------------


def test_the_calendar_shows_the_statutory_holidays_and_warns_about_next_year(
    client, admin, set_today
):
    set_today(datetime(2026, 6, 1, 4))
    html = _text(client.get("/admin/calendar"))
    assert "Working calendar 2026" in html
    assert "2026-02-17" in html and "Spring Festival" in html  # statutory holiday
    assert "2026-02-14" in html  # make-up Saturday
    assert "2026-03-09" not in html  # an ordinary Monday
    assert "does not know the holidays of 2027" in html


def test_another_year_can_be_shown_and_a_silly_year_falls_back(client, admin, set_today):
    set_today(datetime(2026, 6, 1, 4))
    assert "Working calendar 2025" in _text(client.get("/admin/calendar?year=2025"))
    assert "Working calendar 2026" in _text(client.get("/admin/calendar?year=99999"))
    assert "Working calendar 2026" in _text(client.get("/admin/calendar?year=soon"))


def test_the_admin_declares_a_typhoon_day_and_takes_it_back(client, admin):
    response = client.post(
        "/admin/calendar/days",
        data={"day": "2026-03-09", "kind": "holiday", "note": "台风停工"},
        follow_redirects=True,
    )
    assert "2026-03-09 is saved" in _text(response)
    assert "台风停工" in _text(response) and "Entered by an admin" in _text(response)
    assert db.session.get(CalendarDay, date(2026, 3, 9)).is_working is False
    response = client.post("/admin/calendar/days/2026-03-09/remove", follow_redirects=True)
    assert "follows the normal calendar again" in _text(response)
    assert db.session.get(CalendarDay, date(2026, 3, 9)) is None


def test_removing_a_day_nobody_entered_says_so(client, admin):
    response = client.post("/admin/calendar/days/2026-03-10/remove", follow_redirects=True)
    assert "Nothing was entered for 2026-03-10" in _text(response)
    assert client.post("/admin/calendar/days/not-a-day/remove").status_code == 404


@pytest.mark.parametrize(
    "values, message",
    [
        ({"day": "", "kind": "holiday"}, "This field is required"),
        ({"day": "2026-13-45", "kind": "holiday"}, "Not a valid date value"),
        ({"day": "next monday", "kind": "holiday"}, "Not a valid date value"),
        ({"day": "1999-01-01", "kind": "holiday"}, "between 2000 and 2100"),
        ({"day": "2026-03-09", "kind": "party"}, "Not a valid choice"),
        (
            {"day": "2026-03-09", "kind": "holiday", "note": "x" * 101},
            "Field cannot be longer than 100 characters",
        ),
    ],
)
def test_a_bad_single_day_is_refused(client, admin, values, message):
    response = client.post("/admin/calendar/days", data=values)
    assert response.status_code == 200
    assert message in _text(response)
    assert db.session.query(CalendarDay).count() == 0


YEAR_2027 = {
    "year": "2027",
    "holidays": "2027-01-01 元旦\r\n\r\n2027-02-06..2027-02-12 春节\r\n2027-10-01..2027-10-07",
    "makeup_days": "2027-01-30 春节补班\n2027-09-26",
    "source": "国办发明电〔2026〕号",
}


def test_the_admin_enters_2027_when_the_state_council_publishes_it(client, admin, set_today):
    set_today(datetime(2026, 11, 20, 4))
    assert "does not know the holidays of 2027" in _text(client.get("/admin/calendar"))
    response = client.post("/admin/calendar/year", data=YEAR_2027, follow_redirects=True)
    html = _text(response)
    assert "The holidays of 2027 are saved: 15 holidays and 2 make-up working days" in html
    assert "Working calendar 2027" in html and "春节" in html
    assert "does not know the holidays" not in html
    rows = {row.day: (row.is_working, row.note) for row in db.session.query(CalendarDay)}
    assert rows[date(2027, 2, 6)] == (False, "春节")
    assert rows[date(2027, 10, 4)] == (False, None)
    assert rows[date(2027, 1, 30)] == (True, "春节补班")
    assert len(rows) == 17
    assert db.session.get(CalendarYear, 2027).note == "国办发明电〔2026〕号"


def _year_with(**changes) -> dict:
    return {**YEAR_2027, **changes}


@pytest.mark.parametrize(
    "values, message",
    [
        (_year_with(year=""), "This field is required"),
        (_year_with(year="next"), "Not a valid integer value"),
        (_year_with(year="1999"), "Number must be between 2000 and 2100"),
        (_year_with(holidays=""), "This field is required"),
        (_year_with(holidays="\n  \n"), "Please list at least one holiday"),
        (_year_with(holidays="2027-01-01\nhello world"), "Line 2 (“hello world”) is not a date"),
        (_year_with(holidays="2027-02-30 春节"), "Line 1 (“2027-02-30 春节”) is not a date"),
        (_year_with(holidays="2027/10/01"), "Line 1 (“2027/10/01”) is not a date"),
        (_year_with(holidays="2027-10-01.."), "Line 1 (“2027-10-01..”) is not a date"),
        (
            _year_with(holidays="2027-10-07..2027-10-01"),
            "Line 1 (“2027-10-07..2027-10-01”): the range ends before it starts",
        ),
        (_year_with(holidays="2027-01-01..2027-03-01"), "a range may cover at most 31 days"),
        (_year_with(holidays="2026-10-01 国庆"), "2026-10-01 is not in 2027"),
        (_year_with(holidays="2027-10-01 " + "x" * 101), "Line 1: the name may be at most 100"),
        (_year_with(makeup_days="2027-01-30\nsoon"), "Line 2 (“soon”) is not a date"),
        (
            _year_with(makeup_days="2027-01-01 元旦补班"),
            "2027-01-01 is listed both as a holiday and as a make-up working day",
        ),
        (_year_with(source="x" * 201), "Field cannot be longer than 200 characters"),
    ],
)
def test_a_bad_year_is_refused_naming_the_line_and_nothing_is_saved(client, admin, values, message):
    db.session.add(CalendarDay(day=date(2027, 5, 5), is_working=False, note="kept"))
    db.session.commit()
    response = client.post("/admin/calendar/year", data=values)
    assert response.status_code == 200
    assert message in _text(response)
    assert "nothing has been saved" in _text(response)
    assert [row.note for row in db.session.query(CalendarDay)] == ["kept"]
    assert db.session.get(CalendarYear, 2027) is None


def test_calendar_forms_need_their_csrf_token(csrf_app, client, make_user):
    admin = make_user(Role.ADMIN)
    client.post(
        "/login",
        data={
            "email": admin.email,
            "password": PASSWORD,
            "csrf_token": csrf_token_from(_text(client.get("/login"))),
        },
    )
    assert (
        client.post(
            "/admin/calendar/days", data={"day": "2026-03-09", "kind": "holiday"}
        ).status_code
        == 400
    )
    token = csrf_token_from(_text(client.get("/admin/calendar")))
    response = client.post(
        "/admin/calendar/days", data={"day": "2026-03-09", "kind": "holiday", "csrf_token": token}
    )
    assert response.status_code == 302
    assert db.session.get(CalendarDay, date(2026, 3, 9)) is not None
