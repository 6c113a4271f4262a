"""Staff hear about new tickets in their queue, assignments, the enterprise's replies, extension
requests and decisions, and rework — each through the web forms people really use."""

from servicedesk.auth.models import Role
from tests.notifications.conftest import outbox, told
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def test_a_routed_ticket_reaches_every_member_and_the_lead(app, park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    team = {park.member.id, park.second_member.id, park.lead.id}
    assert {r for k, r, c in told(ref, kind="team_new_ticket")} == team
    rows = outbox(ref, kind="team_new_ticket")
    # Staff want new tickets by e-mail unless they choose otherwise; no SMS by default.
    assert {row.channel for row in rows} == {"email"}
    assert all(row.status == "pending" and row.reason == {"event": "dispatched"} for row in rows)
    assert ref in rows[0].subject and "/tickets/" + ref in rows[0].body_text


def test_a_dispatcher_dispatches_and_the_team_hears_but_not_the_dispatcher(app, park, client_for):
    # The other enterprise belongs to no chain: its ticket waits for dispatch.
    ref = reference_from(file_ticket(client_for(park.other_contact), park.category))
    assert told(ref, kind="team_new_ticket") == set()
    dispatcher = client_for(park.dispatcher)
    act(dispatcher, ref, "dispatch", task_force=str(park.task_force.id), reason="")
    assert {r for _k, r, _c in told(ref, kind="team_new_ticket")} == {
        park.member.id,
        park.second_member.id,
        park.lead.id,
    }
    assert park.dispatcher.id not in {r for _k, r, _c in told(ref)}


def test_a_transfer_tells_the_new_team_and_not_the_one_who_transferred(
    app, park, client_for, make_user
):
    other_lead = make_user(Role.LEAD, Role.MEMBER, lead_of=park.other_task_force)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    before = told(ref)
    act(
        client_for(park.lead),
        ref,
        "transfer",
        task_force=str(park.other_task_force.id),
        reason="属于磁性材料专班",
    )
    new = told(ref) - before
    assert new == {
        ("team_new_ticket", park.other_member.id, "email"),
        ("team_new_ticket", other_lead.id, "email"),
    }


def test_an_assignment_tells_the_assignee_only(app, park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    before = told(ref)
    act(client_for(park.lead), ref, "assign", assignee=str(park.second_member.id))
    staff = {(k, r, c) for k, r, c in told(ref) - before if k == "ticket_assigned"}
    assert staff == {("ticket_assigned", park.second_member.id, "email")}
    body = outbox(ref, kind="ticket_assigned")[0].body_text
    assert "Lead Li has assigned ticket" in body


def test_the_lead_assigning_to_themself_is_not_told(app, park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(client_for(park.lead), ref, "assign", assignee=str(park.lead.id))
    assert ticket(ref).assignee_id == park.lead.id
    assert told(ref, kind="ticket_assigned") == set()


def test_an_enterprise_reply_reaches_the_assignee(app, park, client_for):
    enterprise = client_for(park.contact)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(client_for(park.member), ref, "sign")
    act(enterprise, ref, "enterprise_reply", body="补充材料：用电负荷 800kVA。")
    assert told(ref, kind="enterprise_replied") == {("enterprise_replied", park.member.id, "email")}
    assert "800kVA" in outbox(ref, kind="enterprise_replied")[0].body_text


def test_an_enterprise_reply_on_an_unsigned_ticket_reaches_every_member(app, park, client_for):
    enterprise = client_for(park.contact)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(enterprise, ref, "enterprise_reply", body="请尽快处理。")
    assert {r for _k, r, _c in told(ref, kind="enterprise_replied")} == {
        park.member.id,
        park.second_member.id,
    }


def test_an_extension_request_reaches_the_lead_and_the_supervisors(
    app, park, client_for, make_user
):
    second_supervisor = make_user(Role.SUPERVISOR)
    make_user(Role.SUPERVISOR, active=False)  # a deactivated supervisor hears nothing
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    act(member, ref, "request_extension", working_days="3", reason="等待供电公司排期")
    assert told(ref, kind="extension_requested") == {
        ("extension_requested", park.lead.id, "email"),
        ("extension_requested", park.supervisor.id, "email"),
        ("extension_requested", second_supervisor.id, "email"),
    }
    row = outbox(ref, kind="extension_requested")[0]
    assert "Member Wang asks for 3 more working days" in row.body_text
    assert "等待供电公司排期" in row.body_text


def test_the_extension_decision_reaches_the_requester(app, park, client_for):
    member, lead = client_for(park.member), client_for(park.lead)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    act(member, ref, "request_extension", working_days="2", reason="等待审批")
    act(lead, ref, "decide_extension", decision="reject", note="请按期办结")
    assert told(ref, kind="extension_decided") == {("extension_decided", park.member.id, "email")}
    rejected = outbox(ref, kind="extension_decided")[0]
    assert "rejected" in rejected.subject and "请按期办结" in rejected.body_text

    act(member, ref, "request_extension", working_days="2", reason="再次申请")
    act(lead, ref, "decide_extension", decision="approve", note="")
    approved = outbox(ref, kind="extension_decided")[-1]
    assert approved.recipient_id == park.member.id and "approved" in approved.subject
    # The message carries the deadline as it is after the extension.
    assert "The new deadline is" in approved.body_text


def test_a_reopened_ticket_reaches_the_assignee_and_the_lead_by_email_and_sms(
    app, phones, client_for
):
    park = phones
    enterprise, member = client_for(park.contact), client_for(park.member)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="临时用电已接通。")
    act(enterprise, ref, "reopen", reason="夜间仍断电")
    expected = {
        ("ticket_reworked", person, channel)
        for person in (park.member.id, park.lead.id)
        for channel in ("email", "sms")
    }
    assert told(ref, kind="ticket_reworked") == expected
    sms = [r for r in outbox(ref, kind="ticket_reworked") if r.channel == "sms"]
    assert {r.address for r in sms} == {"13800000002", "13800000004"}
    assert all(r.sms_params == {"ref": ref} and ref in r.body_text for r in sms)


def test_an_unsatisfied_rating_is_rework_too(app, phones, client_for):
    park = phones
    enterprise, member = client_for(park.contact), client_for(park.member)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="临时用电已接通。")
    act(enterprise, ref, "confirm", rating="unsatisfied", comment="电压不稳定")
    rows = outbox(ref, kind="ticket_reworked")
    assert {(r.recipient_id, r.channel) for r in rows} == {
        (park.member.id, "email"),
        (park.member.id, "sms"),
        (park.lead.id, "email"),
        (park.lead.id, "sms"),
    }
    assert all(r.reason == {"event": "rated"} for r in rows)
    assert "电压不稳定" in rows[0].body_text
