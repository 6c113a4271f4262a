"""The admin edits the escalation ladder: rungs per stage, validation, reset to the defaults."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicedesk.auth.models import Role
from servicedesk.escalation import services
from servicedesk.escalation.ladder import Rung
from servicedesk.escalation.models import EscalationStep, Level, Stage, Trigger
from servicedesk.escalation.policy import default_rungs, load_ladder
from servicedesk.extensions import db
from tests.conftest import csrf_token_from

MINUTES_PER_DAY = 420  # 09:00-12:00 and 13:30-17:30


def rows(stage: str | None = None) -> list[EscalationStep]:
    db.session.expire_all()
    query = select(EscalationStep).order_by(EscalationStep.stage, EscalationStep.level)
    if stage:
        query = query.where(EscalationStep.stage == stage)
    return list(db.session.scalars(query))


def row_count() -> int:
    return db.session.execute(select(func.count()).select_from(EscalationStep)).scalar_one()


@pytest.fixture
def admin(make_user, auth):
    user = make_user(Role.ADMIN, name="Ada Admin")
    assert auth.login(user).status_code == 302
    return user


def yellow_form(**overrides) -> dict:
    form = {
        "trigger": "overdue",
        "hours": "1.5",
        "audiences": ["assignee", "lead"],
        "channels": ["email", "sms"],
        "active": "y",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_the_ladder_page_shows_the_defaults_of_every_stage(client, admin):
    page = client.get("/admin/escalation").get_data(as_text=True)
    stages = ("Dispatch deadline", "Sign-for deadline", "First-contact deadline")
    for stage in (*stages, "Resolution deadline"):
        assert f"Stage: {stage}" in page
    assert page.count("When 75% of the allowed working time is used") == 4
    assert page.count("At the deadline") == 4
    # Red: two working days of seven hours after the deadline.
    assert page.count("14 working hours after the deadline") == 4
    assert "Every working day at opening time" in page
    assert page.count(">default<") == 16
    # A ticket nobody dispatched: the dispatchers hear first, then the supervisors too.
    dispatch = page[page.index('id="stage-dispatch"') : page.index('id="stage-sign"')]
    assert "The dispatchers, The supervisors" in dispatch and "The task-force lead" not in dispatch
    assert "the sweep applies them to open tickets on its next pass" in page
    assert "Reset this stage" not in page  # nothing to reset yet
    assert 'href="/admin/escalation/resolve/yellow/edit"' in page


def test_the_admin_index_links_to_the_new_pages(client, admin):
    page = client.get("/admin/").get_data(as_text=True)
    for url in ("/admin/escalation", "/admin/deliveries", "/admin/health"):
        assert f'href="{url}"' in page


def test_the_edit_form_starts_from_the_default(client, admin):
    page = client.get("/admin/escalation/resolve/red/edit").get_data(as_text=True)
    assert 'value="14"' in page  # 840 working minutes shown as hours
    assert "Saving this step also writes the stage's other default steps" in page
    repeat = client.get("/admin/escalation/sign/repeat/edit").get_data(as_text=True)
    assert 'name="every_days"' in repeat and 'name="trigger"' not in repeat


def test_editing_one_rung_keeps_the_stages_other_defaults(client, admin):
    response = client.post(
        "/admin/escalation/resolve/yellow/edit",
        data=yellow_form(audiences=["assignee", "lead", "supervisors"], channels=["email"]),
    )
    assert response.status_code == 302
    saved = {row.level: row for row in rows("resolve")}
    assert set(saved) == {"blue", "yellow", "red", "repeat"}
    yellow = saved["yellow"]
    assert (yellow.trigger, yellow.threshold) == ("overdue", 90)  # 1.5 h in working minutes
    assert yellow.audiences == ["assignee", "lead", "supervisors"]
    assert yellow.channels == ["email"] and yellow.active
    assert (saved["blue"].trigger, saved["blue"].threshold) == ("share_used", 75)
    assert saved["red"].threshold == 2 * MINUTES_PER_DAY
    assert rows("sign") == [] and rows("first_contact") == []  # other stages untouched
    # The sweep's ladder still has all four rungs for the resolve stage.
    ladder = load_ladder(MINUTES_PER_DAY)
    assert [r.level for r in ladder[Stage.RESOLVE]] == list(Level)
    assert ladder[Stage.SIGN] == default_rungs(MINUTES_PER_DAY)
    page = client.get("/admin/escalation").get_data(as_text=True)
    assert "1.5 working hours after the deadline" in page
    assert page.count(">default<") == 12
    assert "Reset this stage to the defaults" in page


def test_the_service_writes_the_other_default_rungs_on_the_first_change(app, make_user):
    admin = make_user(Role.ADMIN)
    blue = Rung(Level.BLUE, Trigger.SHARE_USED, 50, ("members",), ("email",))
    services.save_step(admin, Stage.SIGN, Level.BLUE, blue, True, MINUTES_PER_DAY)
    db.session.commit()
    sign = load_ladder(MINUTES_PER_DAY)[Stage.SIGN]
    assert sign[0] == blue
    assert sign[1:] == default_rungs(MINUTES_PER_DAY)[1:]
    # A second change to the same stage does not write the defaults again.
    services.save_step(admin, Stage.SIGN, Level.BLUE, blue, False, MINUTES_PER_DAY)
    db.session.commit()
    assert row_count() == 4
    assert [r.level for r in load_ladder(MINUTES_PER_DAY)[Stage.SIGN]] == [
        Level.YELLOW,
        Level.RED,
        Level.REPEAT,
    ]


def test_the_daily_reminder_is_set_in_working_days(client, admin):
    response = client.post(
        "/admin/escalation/first_contact/repeat/edit",
        data={"every_days": "2", "audiences": ["lead"], "channels": ["sms"], "active": "y"},
    )
    assert response.status_code == 302
    repeat = next(r for r in rows("first_contact") if r.level == "repeat")
    assert (repeat.trigger, repeat.threshold, repeat.audiences, repeat.channels) == (
        "daily",
        2,
        ["lead"],
        ["sms"],
    )
    assert "Every 2 working days at opening time" in client.get("/admin/escalation").get_data(
        as_text=True
    )


def test_switching_a_rung_off_keeps_it_but_the_sweep_skips_it(client, admin):
    data = yellow_form()
    data.pop("active")
    assert client.post("/admin/escalation/sign/yellow/edit", data=data).status_code == 302
    assert not next(r for r in rows("sign") if r.level == "yellow").active
    assert Level.YELLOW not in [r.level for r in load_ladder(MINUTES_PER_DAY)[Stage.SIGN]]
    assert "no (switched off)" in client.get("/admin/escalation").get_data(as_text=True)


SHARE_REQUIRED = "Please enter the share of the working time, from 1 to 100."
SHARE_RANGE = "The share must be a whole number from 1 to 100 per cent."
HOURS_REQUIRED = "Please enter the working hours past the deadline (0 means at the deadline)."
NOT_OFFERED = "Please choose one of the listed options."
HOURS_NUMBER = "Please enter a number of working hours, such as 0, 2 or 6.5."


@pytest.mark.parametrize(
    ("level", "data", "message"),
    [
        ("blue", {"trigger": "share_used", "percent": ""}, SHARE_REQUIRED),
        ("blue", {"trigger": "share_used", "percent": "0"}, SHARE_RANGE),
        ("blue", {"trigger": "share_used", "percent": "101"}, SHARE_RANGE),
        ("blue", {"trigger": "share_used", "percent": "75.5"}, SHARE_RANGE),
        ("blue", {"trigger": "share_used", "percent": "abc"}, SHARE_RANGE),
        ("blue", {"trigger": "share_used", "percent": "99999999999999999999"}, SHARE_RANGE),
        ("yellow", {"hours": ""}, HOURS_REQUIRED),
        ("yellow", {"hours": "-1"}, "The working hours past the deadline cannot be negative."),
        ("yellow", {"hours": "400.5"}, "The working hours past the deadline may be at most 400."),
        ("yellow", {"hours": "1e9"}, "The working hours past the deadline may be at most 400."),
        ("yellow", {"hours": "two"}, HOURS_NUMBER),
        ("yellow", {"hours": "NaN"}, HOURS_NUMBER),
        ("yellow", {"trigger": None}, "Please choose when the step fires."),
        ("yellow", {"trigger": "whenever"}, "Not a valid choice"),
        ("yellow", {"audiences": None}, "Please choose at least one kind of person to tell."),
        ("yellow", {"channels": None}, "Please choose at least one channel."),
        ("yellow", {"audiences": ["assignee", "the mayor"]}, NOT_OFFERED),
        ("yellow", {"channels": ["pigeon"]}, NOT_OFFERED),
        # Out of order: yellow by share used before blue's 75 %, or at the same moment.
        (
            "yellow",
            {"trigger": "share_used", "percent": "50"},
            "The blue card must come before the yellow card",
        ),
        (
            "yellow",
            {"trigger": "share_used", "percent": "75"},
            "The blue card must come before the yellow card",
        ),
        # Blue after the deadline, later than yellow at the deadline.
        (
            "blue",
            {"trigger": "overdue", "hours": "2"},
            "The blue card must come before the yellow card",
        ),
        # Red at the deadline, like yellow: two overdue thresholds must increase.
        ("red", {"hours": "0"}, "The yellow card must come before the red card"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, admin, level, data, message):
    response = client.post(f"/admin/escalation/resolve/{level}/edit", data=yellow_form(**data))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "nothing has been saved yet" in page
    assert row_count() == 0


@pytest.mark.parametrize(
    ("every", "message"),
    [
        ("", "Please enter every how many working days, from 1 to 30."),
        ("0", "Please enter a whole number of working days from 1 to 30."),
        ("31", "Please enter a whole number of working days from 1 to 30."),
        ("x", "Not a valid integer value"),
    ],
)
def test_bad_repeat_intervals_are_refused(client, admin, every, message):
    response = client.post(
        "/admin/escalation/resolve/repeat/edit",
        data={"every_days": every, "audiences": ["lead"], "channels": ["email"], "active": "y"},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert row_count() == 0


def test_an_inactive_rung_does_not_count_for_the_order(client, admin):
    blue_off = {
        "trigger": "share_used",
        "percent": "75",
        "audiences": ["assignee"],
        "channels": ["email"],
    }
    assert client.post("/admin/escalation/resolve/blue/edit", data=blue_off).status_code == 302
    response = client.post(
        "/admin/escalation/resolve/yellow/edit",
        data=yellow_form(trigger="share_used", percent="50"),
    )
    assert response.status_code == 302
    # Switching blue back on would now put it after yellow: refused, nothing changes.
    response = client.post("/admin/escalation/resolve/blue/edit", data={**blue_off, "active": "y"})
    assert "The blue card must come before the yellow card" in response.get_data(as_text=True)
    assert not next(r for r in rows("resolve") if r.level == "blue").active


def test_letters_in_the_field_that_does_not_apply_are_ignored(client, admin):
    response = client.post(
        "/admin/escalation/resolve/yellow/edit", data=yellow_form(hours="0", percent="lots")
    )
    assert response.status_code == 302
    assert next(r for r in rows("resolve") if r.level == "yellow").threshold == 0


def test_reset_puts_a_stage_back_on_the_defaults(client, admin):
    client.post("/admin/escalation/resolve/yellow/edit", data=yellow_form())
    client.post("/admin/escalation/sign/yellow/edit", data=yellow_form())
    response = client.post("/admin/escalation/resolve/reset", follow_redirects=True)
    assert "uses the default steps again" in response.get_data(as_text=True)
    assert rows("resolve") == []
    assert len(rows("sign")) == 4
    assert load_ladder(MINUTES_PER_DAY)[Stage.RESOLVE] == default_rungs(MINUTES_PER_DAY)


def test_the_forms_carry_their_csrf_token(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client.post("/admin/escalation/resolve/yellow/edit", data=yellow_form())
    assert row_count() == 0  # no token: refused
    page = client.get("/admin/escalation/resolve/yellow/edit").get_data(as_text=True)
    data = yellow_form(csrf_token=csrf_token_from(page))
    assert client.post("/admin/escalation/resolve/yellow/edit", data=data).status_code == 302
    assert row_count() == 4
    ladder_page = client.get("/admin/escalation").get_data(as_text=True)
    assert client.post("/admin/escalation/resolve/reset").status_code == 400
    response = client.post(
        "/admin/escalation/resolve/reset", data={"csrf_token": csrf_token_from(ladder_page)}
    )
    assert response.status_code == 302 and row_count() == 0


@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.LEAD, Role.SUPERVISOR, Role.DISPATCHER, Role.ENTERPRISE_CONTACT]
)
def test_only_admins_reach_the_ladder(client, auth, make_user, make_enterprise, role):
    enterprise = make_enterprise() if role is Role.ENTERPRISE_CONTACT else None
    auth.login(make_user(role, enterprise=enterprise))
    assert client.get("/admin/escalation").status_code == 404
    assert client.get("/admin/escalation/resolve/yellow/edit").status_code == 404
    assert (
        client.post("/admin/escalation/resolve/yellow/edit", data=yellow_form()).status_code == 404
    )
    assert client.post("/admin/escalation/resolve/reset").status_code == 404
    assert row_count() == 0


def test_unknown_stages_and_levels_are_not_found(client, admin):
    assert client.get("/admin/escalation/lunch/yellow/edit").status_code == 404
    assert client.get("/admin/escalation/resolve/purple/edit").status_code == 404
    assert client.post("/admin/escalation/lunch/reset").status_code == 404
