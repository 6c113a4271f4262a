"""The whole life of one ticket, told through the web pages each person uses."""

from datetime import datetime

from servicedesk.clock import park_zone
from servicedesk.tickets.models import EventKind
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def test_a_ticket_from_filing_to_closing(app, park, client_for):
    enterprise = client_for(park.contact)
    member = client_for(park.member)
    lead = client_for(park.lead)

    # The enterprise files; the chain's task force gets it at once.
    assert enterprise.get("/tickets/new").status_code == 200
    response = file_ticket(enterprise, park.category)
    assert response.status_code == 302
    ref = reference_from(response)
    assert ref.startswith("GC-") and ref.endswith("000001")
    filed = ticket(ref)
    assert filed.status == "dispatched"
    assert filed.task_force_id == park.task_force.id
    assert filed.sign_due_at and filed.first_contact_due_at and filed.resolve_due_at
    page = enterprise.get(f"/tickets/{ref}").get_data(as_text=True)
    assert ref in page and "缺少施工用电" in page

    # The member sees it among the team's unsigned tickets and signs for it.
    queue = member.get("/tickets/queue?view=unsigned").get_data(as_text=True)
    assert ref in queue
    assert act(member, ref, "sign").status_code == 302
    assert ticket(ref).status == "signed" and ticket(ref).assignee_id == park.member.id
    assert ticket(ref).signed_on_time is True
    assert ref in member.get("/tickets/queue?view=mine").get_data(as_text=True)

    # Public reply (first contact) and an internal note the enterprise never sees.
    act(member, ref, "reply", body="我们已联系供电公司，明天上午现场踏勘。")
    assert ticket(ref).status == "in_progress"
    assert ticket(ref).first_contact_at is not None
    act(member, ref, "note", body="供电公司负责人电话 139xxxx，内部沟通")
    assert "内部沟通" not in enterprise.get(f"/tickets/{ref}").get_data(as_text=True)
    assert "内部沟通" in lead.get(f"/tickets/{ref}").get_data(as_text=True)

    # Asking for information pauses the clock; the enterprise's answer restarts it.
    act(member, ref, "request_info", body="请提供用电负荷清单。")
    assert ticket(ref).status == "waiting_enterprise" and ticket(ref).paused_at is not None
    assert ticket(ref).next_due_at is None
    act(enterprise, ref, "enterprise_reply", body="负荷清单：800kVA。")
    assert ticket(ref).status == "in_progress" and ticket(ref).paused_at is None

    # On-site work, an extension approved by the lead.
    response = act(
        member,
        ref,
        "site_visit",
        # A visit may not predate the ticket: this one is "now", as the member types it.
        visited_at=datetime.now(park_zone()).strftime("%Y-%m-%dT%H:%M"),
        location="项目工地",
        participants="Member Wang; 供电公司",
        notes="确定接入点。",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    due_before = ticket(ref).resolve_due_at
    act(member, ref, "request_extension", working_days="3", reason="等待供电公司施工排期")
    act(lead, ref, "decide_extension", decision="approve", note="")
    assert ticket(ref).resolve_due_at > due_before
    assert ticket(ref).extension_working_days == 3

    # Resolved; the enterprise is unsatisfied, so it goes back for rework.
    act(member, ref, "resolve", summary="临时用电已接通。")
    assert ticket(ref).status == "resolved" and ticket(ref).resolved_at is not None
    act(enterprise, ref, "confirm", rating="unsatisfied", comment="电压不稳定")
    assert ticket(ref).status == "in_progress" and ticket(ref).rework_count == 1

    # Resolved again, reopened once more, resolved, and finally confirmed.
    act(member, ref, "resolve", summary="已更换变压器。")
    act(enterprise, ref, "reopen", reason="夜间仍断电")
    assert ticket(ref).rework_count == 2
    act(member, ref, "resolve", summary="夜间供电已恢复。")
    act(enterprise, ref, "confirm", rating="satisfied", comment="感谢专班！")
    closed = ticket(ref)
    assert closed.status == "closed" and closed.rating == "satisfied"
    assert closed.close_reason == "confirmed" and closed.closed_at is not None

    kinds = [e.kind for e in closed.events]
    assert kinds == [
        EventKind.FILED,
        EventKind.DISPATCHED,
        EventKind.SIGNED,
        EventKind.REPLIED,
        EventKind.NOTE,
        EventKind.INFO_REQUESTED,
        EventKind.ENTERPRISE_REPLIED,
        EventKind.SITE_VISIT,
        EventKind.EXTENSION_REQUESTED,
        EventKind.EXTENSION_APPROVED,
        EventKind.RESOLVED,
        EventKind.RATED,
        EventKind.RESOLVED,
        EventKind.REOPENED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    ]
    assert all(e.created_at is not None for e in closed.events)
    assert closed.events[1].actor is None
    assert closed.events[1].changes["routing_rule"] == "industry_chain"
    assert closed.events[2].from_status == "dispatched" and closed.events[2].to_status == "signed"

    # Nothing more can be done on a closed ticket.
    response = act(member, ref, "reply", body="还有一件事")
    assert response.status_code == 200
    assert "cannot be given the action" in response.get_data(as_text=True)


def test_unrouted_ticket_waits_for_the_dispatcher(app, park, client_for, make_category):
    lonely = make_category(name="其他")
    enterprise = client_for(park.other_contact)
    ref = reference_from(file_ticket(enterprise, lonely))
    assert ticket(ref).status == "filed"
    dispatcher = client_for(park.dispatcher)
    assert ref in dispatcher.get("/tickets/queue?view=dispatch").get_data(as_text=True)
    act(dispatcher, ref, "dispatch", task_force=str(park.other_task_force.id), reason="")
    assert ticket(ref).status == "dispatched"
    assert ticket(ref).task_force_id == park.other_task_force.id


def test_return_transfer_and_assignment(app, park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    member = client_for(park.member)
    act(member, ref, "return", reason="不属于本专班")
    assert ticket(ref).status == "returned" and ticket(ref).task_force_id is None
    # The member no longer sees it; the dispatcher does.
    assert member.get(f"/tickets/{ref}").status_code == 404
    dispatcher = client_for(park.dispatcher)
    act(dispatcher, ref, "dispatch", task_force=str(park.task_force.id))
    lead = client_for(park.lead)
    act(lead, ref, "assign", assignee=str(park.second_member.id))
    assert ticket(ref).assignee_id == park.second_member.id and ticket(ref).status == "signed"
    act(lead, ref, "transfer", task_force=str(park.other_task_force.id), reason="磁性材料问题")
    moved = ticket(ref)
    assert moved.status == "dispatched" and moved.task_force_id == park.other_task_force.id
    assert moved.assignee_id is None
    assert lead.get(f"/tickets/{ref}").status_code == 404


def test_withdraw_before_resolution(app, park, client_for):
    enterprise = client_for(park.contact)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(enterprise, ref, "withdraw", reason="问题已自行解决")
    gone = ticket(ref)
    assert gone.status == "withdrawn" and gone.close_reason == "withdrawn"
    assert gone.next_due_at is None


def test_key_project_and_chain_leader_tickets_take_the_green_channel(
    app, park, client_for, make_project, make_user, make_enterprise
):
    project = make_project(park.enterprise, task_force=park.other_task_force)
    enterprise = client_for(park.contact)
    ref = reference_from(file_ticket(enterprise, park.category, key_project=str(project.id)))
    green = ticket(ref)
    assert green.green_channel and green.task_force_id == park.other_task_force.id
    plain = ticket(reference_from(file_ticket(enterprise, park.category)))
    assert not plain.green_channel
    assert green.sign_due_at - green.dispatched_at < plain.sign_due_at - plain.dispatched_at
