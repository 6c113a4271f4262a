"""Recording absences: oneself under the account, a lead for their members, an admin for
anyone; every refusal is a readable message in the person's language, never a 500."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from servicedesk.absences.models import Absence
from servicedesk.absences.services import cancel_absence, record_absence
from servicedesk.auth.models import Role
from servicedesk.clock import utcnow
from servicedesk.crud import Refused
from servicedesk.extensions import db
from tests.absences.conftest import away
from tests.conftest import csrf_token_from


def absences() -> list[Absence]:
    db.session.expire_all()
    return list(db.session.scalars(select(Absence).order_by(Absence.id)))


def form(deputy, start="2030-03-04T09:00", end="2030-03-08T17:30", **more) -> dict:
    return {"starts_at": start, "ends_at": end, "deputy": str(deputy.id), **more}


def test_a_member_records_their_own_absence_in_park_time(park, client_for):
    member = client_for(park.member)
    page = member.get("/account/absences").get_data(as_text=True)
    assert "No absence is recorded from now on." in page
    assert park.second_member.name in page and park.lead.name in page  # deputies offered
    assert park.other_member.name not in page  # of another task force

    response = member.post(
        "/account/absences", data=form(park.second_member, note="年休假"), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Member Wang is away from 2030-03-04 09:00 until 2030-03-08 17:30" in page
    assert "Member Zhao stands in." in page
    [absence] = absences()
    # Typed in Shanghai time, stored in UTC.
    assert absence.starts_at == datetime(2030, 3, 4, 1, 0)
    assert absence.ends_at == datetime(2030, 3, 8, 9, 30)
    assert (absence.user_id, absence.deputy_id, absence.created_by_id) == (
        park.member.id,
        park.second_member.id,
        park.member.id,
    )
    assert absence.note == "年休假"
    assert f'id="absence-{absence.id}"' in page and "年休假" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"start": "2030-03-08T09:00", "end": "2030-03-04T09:00"},
            "The absence must end after it starts.",
        ),
        (
            {"start": "2030-03-04T09:00", "end": "2030-03-04T09:00"},
            "The absence must end after it starts.",
        ),
        (
            {"start": "2020-03-02T09:00", "end": "2020-03-06T17:30"},
            "This absence would be over already: please enter one that is still to come.",
        ),
        ({"start": "", "end": "2030-03-04T09:00"}, "This field is required."),
        ({"start": "yesterday", "end": "2030-03-04T09:00"}, "Not a valid datetime value."),
        ({"start": "2030-03-04T09:00", "end": "9999-03-04T09:00"}, "Please choose a day between"),
    ],
)
def test_times_that_make_no_absence_are_refused(park, client_for, fields, message):
    response = client_for(park.member).post(
        "/account/absences", data=form(park.second_member, **fields)
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert absences() == []


def test_a_deputy_must_be_chosen_and_be_one_of_the_team(park, client_for):
    member = client_for(park.member)
    no_deputy = member.post("/account/absences", data={**form(park.lead), "deputy": "0"})
    assert "This field is required." in no_deputy.get_data(as_text=True)
    stranger = member.post("/account/absences", data=form(park.other_member))
    assert "Please choose one of the listed options." in stranger.get_data(as_text=True)
    myself = member.post("/account/absences", data=form(park.member))
    assert "Please choose one of the listed options." in myself.get_data(as_text=True)
    assert absences() == []


def test_the_service_refuses_a_deputy_who_may_not_stand_in(park, make_user):
    start, end = utcnow() + timedelta(days=1), utcnow() + timedelta(days=2)
    cases = [
        (park.member, "Nobody can be their own deputy: please choose someone else."),
        (park.other_member, "Member Wang: the deputy must be a member or lead of one of"),
        (park.contact, "The deputy must be an active staff member."),
        (make_user(Role.MEMBER, task_force=park.task_force, active=False), "active staff"),
        (None, "Please choose a deputy."),
    ]
    for deputy, message in cases:
        with pytest.raises(Refused, match=message) as refused:
            record_absence(park.member, park.member, starts_at=start, ends_at=end, deputy=deputy)
        assert refused.value.field == "deputy"
    assert absences() == []


def test_an_overlapping_absence_of_the_same_person_is_refused(park, client_for):
    member = client_for(park.member)
    member.post("/account/absences", data=form(park.second_member))
    clash = member.post(
        "/account/absences",
        data=form(park.lead, start="2030-03-08T09:00", end="2030-03-12T17:30"),
    )
    assert (
        "Member Wang is already away from 2030-03-04 09:00 until 2030-03-08 17:30; "
        "cancel that absence first or choose other times."
    ) in clash.get_data(as_text=True)
    # Back at 17:30 on the 8th: away again from that moment is fine, as is someone else.
    member.post(
        "/account/absences",
        data=form(park.lead, start="2030-03-08T17:30", end="2030-03-12T17:30"),
    )
    client_for(park.second_member).post("/account/absences", data=form(park.member))
    assert [(a.user_id, a.deputy_id) for a in absences()] == [
        (park.member.id, park.second_member.id),
        (park.member.id, park.lead.id),
        (park.second_member.id, park.member.id),
    ]


def test_refusals_speak_the_persons_language(park, client_for):
    park.member.locale = "zh_CN"
    db.session.commit()
    member = client_for(park.member)
    page = member.get("/account/absences").get_data(as_text=True)
    assert "我的不在岗登记" in page and "代理人" in page
    backwards = member.post(
        "/account/absences",
        data=form(park.second_member, start="2030-03-08T09:00", end="2030-03-04T09:00"),
    ).get_data(as_text=True)
    assert "返岗时间必须晚于离岗时间。" in backwards
    past = member.post(
        "/account/absences",
        data=form(park.second_member, start="2020-03-02T09:00", end="2020-03-06T17:30"),
    ).get_data(as_text=True)
    assert "这段不在岗时间已经过去" in past
    member.post("/account/absences", data=form(park.second_member))
    clash = member.post("/account/absences", data=form(park.lead)).get_data(as_text=True)
    assert "Member Wang 已登记 2030-03-04 09:00 至 2030-03-08 17:30 不在岗" in clash
    assert len(absences()) == 1


def test_a_lead_records_for_the_members_of_their_task_forces_only(park, client_for):
    lead = client_for(park.lead)
    page = lead.get("/absences/").get_data(as_text=True)
    assert park.member.name in page and park.other_member.name not in page
    response = lead.post(
        "/absences/", data=form(park.lead, person=str(park.member.id)), follow_redirects=True
    )
    assert "Member Wang is away from 2030-03-04 09:00" in response.get_data(as_text=True)
    [absence] = absences()
    assert (absence.user_id, absence.deputy_id, absence.created_by_id) == (
        park.member.id,
        park.lead.id,
        park.lead.id,
    )
    # A member of another task force is not offered, whatever is posted.
    other = lead.post("/absences/", data=form(park.second_member, person=str(park.other_member.id)))
    assert "Please choose one of the listed options." in other.get_data(as_text=True)
    # The person away cannot stand in for themselves, although they are offered as a deputy.
    themselves = lead.post(
        "/absences/",
        data=form(park.second_member, person=str(park.second_member.id)),
    )
    assert "Nobody can be their own deputy" in themselves.get_data(as_text=True)
    assert len(absences()) == 1


def test_a_lead_of_two_task_forces_may_not_mix_their_teams(park, client_for):
    park.other_task_force.lead = park.lead
    db.session.commit()
    response = client_for(park.lead).post(
        "/absences/", data=form(park.other_member, person=str(park.member.id))
    )
    assert (
        f"{park.other_member.name} cannot stand in for Member Wang: the deputy must be a member "
        "or lead of one of their task forces"
    ) in response.get_data(as_text=True)
    assert absences() == []


def test_members_dispatchers_and_contacts_may_not_record_for_others(park, client_for):
    for person in (park.member, park.dispatcher, park.supervisor, park.contact):
        client = client_for(person)
        response = client.post(
            "/absences/", data=form(park.lead, person=str(park.second_member.id))
        )
        assert response.status_code == 404, person.name
    assert client_for(park.contact).get("/account/absences").status_code == 404
    with pytest.raises(Refused, match="You may not record an absence for Member Zhao"):
        record_absence(
            park.member,
            park.second_member,
            starts_at=utcnow(),
            ends_at=utcnow() + timedelta(days=1),
            deputy=park.lead,
        )
    assert absences() == []


def test_a_supervisor_hands_over_to_another_supervisor(park, client_for, make_user):
    second = make_user(Role.SUPERVISOR, name="Supervisor Shi")
    supervisor = client_for(park.supervisor)
    page = supervisor.get("/account/absences").get_data(as_text=True)
    assert "Supervisor Shi" in page and park.member.name not in page
    supervisor.post("/account/absences", data=form(second))
    assert [(a.user_id, a.deputy_id) for a in absences()] == [(park.supervisor.id, second.id)]


def test_an_admin_records_for_anyone_with_anyone_on_the_staff(park, client_for):
    admin = client_for(park.admin)
    page = admin.get("/absences/").get_data(as_text=True)
    assert park.other_member.name in page and park.supervisor.name in page
    assert park.contact.name not in page
    response = admin.post(
        "/absences/",
        data=form(park.dispatcher, person=str(park.member.id)),
        follow_redirects=True,
    )
    assert "Dispatcher Du stands in." in response.get_data(as_text=True)
    contact = admin.post("/absences/", data=form(park.lead, person=str(park.contact.id)))
    assert "Please choose one of the listed options." in contact.get_data(as_text=True)
    assert [(a.user_id, a.deputy_id) for a in absences()] == [(park.member.id, park.dispatcher.id)]


def test_cancelling_ends_an_absence_now_or_deletes_one_not_begun(park, client_for):
    now = utcnow()
    going_on = away(park.member, park.second_member, now=now)
    later = away(
        park.member,
        park.lead,
        start=now + timedelta(days=3),
        end=now + timedelta(days=4),
        now=now,
    )
    member = client_for(park.member)
    page = member.get("/account/absences").get_data(as_text=True)
    assert "away now" in page and "End now" in page
    response = member.post(f"/absences/{going_on.id}/cancel", follow_redirects=True)
    assert "Member Wang is back: messages go to them again from now on." in response.get_data(
        as_text=True
    )
    response = member.post(f"/absences/{later.id}/cancel", follow_redirects=True)
    assert "The absence of Member Wang was deleted." in response.get_data(as_text=True)
    [ended] = absences()
    assert ended.id == going_on.id and now < ended.ends_at <= utcnow()
    again = member.post(f"/absences/{going_on.id}/cancel", follow_redirects=True)
    assert "This absence is over already." in again.get_data(as_text=True)


def test_only_those_who_may_record_an_absence_may_cancel_it(park, client_for):
    absence = away(park.member, park.second_member)
    for person in (park.second_member, park.other_member, park.dispatcher, park.contact):
        assert client_for(person).post(f"/absences/{absence.id}/cancel").status_code == 404
    assert client_for(park.member).post("/absences/999999/cancel").status_code == 404
    with pytest.raises(Refused, match="You may not change the absences of Member Wang"):
        cancel_absence(park.second_member, absence)
    assert absences()[0].ends_at > utcnow()
    response = client_for(park.lead).post(f"/absences/{absence.id}/cancel")
    assert response.status_code == 302 and response.headers["Location"].endswith("/absences/")
    assert absences()[0].ends_at <= utcnow()
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 1


def test_the_absence_forms_need_the_pages_csrf_token(app, park, client_for):
    member = client_for(park.member)
    app.config["WTF_CSRF_ENABLED"] = True  # as in production, once signed in
    refused = member.post("/account/absences", data=form(park.second_member))
    assert refused.status_code == 400 and absences() == []
    token = csrf_token_from(member.get("/account/absences").get_data(as_text=True))
    member.post("/account/absences", data={**form(park.second_member), "csrf_token": token})
    [absence] = absences()
    assert member.post(f"/absences/{absence.id}/cancel").status_code == 400
    page = member.get("/account/absences").get_data(as_text=True)
    assert f'action="/absences/{absence.id}/cancel"' in page
    response = member.post(
        f"/absences/{absence.id}/cancel", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302 and absences() == []  # not begun: deleted
