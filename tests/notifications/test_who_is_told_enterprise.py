"""The enterprise hears about its request at every step it cares about: the receipt, the first
dispatch, sign-for, replies, questions, the resolution (with a link to confirm and rate) and
automatic closing — never about what happens inside the task force."""

from datetime import timedelta

from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from tests.notifications.conftest import outbox, told
from tests.tickets.conftest import act, file_ticket, reference_from, ticket

BASE = "https://gc.example.test"


def kinds_for(reference: str, person) -> list[str]:
    return [row.kind for row in outbox(reference) if row.recipient_id == person.id]


def test_the_receipt_carries_the_reference_and_a_link(app, park, client_for):
    app.config["PUBLIC_BASE_URL"] = BASE
    ref = reference_from(file_ticket(client_for(park.contact), park.category, title="缺少施工用电"))
    receipt = outbox(ref, kind="ticket_filed_receipt")
    # The filer is told about their own filing: the receipt is the confirmation of it.
    assert [(r.recipient_id, r.channel) for r in receipt] == [(park.contact.id, "email")]
    assert ref in receipt[0].subject
    assert f"{BASE}/tickets/{ref}" in receipt[0].body_text
    assert f'href="{BASE}/tickets/{ref}"' in receipt[0].body_html
    assert receipt[0].address == park.contact.email


def test_the_enterprise_hears_of_the_first_dispatch_only(app, park, client_for):
    contact = park.other_contact  # no chain: the dispatcher routes by hand
    ref = reference_from(file_ticket(client_for(contact), park.category))
    dispatcher = client_for(park.dispatcher)
    act(dispatcher, ref, "dispatch", task_force=str(park.task_force.id), reason="")
    assert kinds_for(ref, contact) == ["ticket_filed_receipt", "ticket_dispatched"]
    assert "新型显示专班" in outbox(ref, kind="ticket_dispatched")[0].subject

    act(client_for(park.member), ref, "return", reason="不属于本专班")
    act(dispatcher, ref, "dispatch", task_force=str(park.other_task_force.id), reason="")
    act(
        client_for(park.dispatcher),
        ref,
        "transfer",
        task_force=str(park.task_force.id),
        reason="还是新型显示",
    )
    assert kinds_for(ref, contact) == ["ticket_filed_receipt", "ticket_dispatched"]


def test_sign_for_is_told_whether_a_member_signs_or_the_lead_assigns(app, park, client_for):
    enterprise = client_for(park.contact)
    signed = reference_from(file_ticket(enterprise, park.category))
    act(client_for(park.member), signed, "sign")
    row = outbox(signed, kind="ticket_signed")[0]
    assert row.recipient_id == park.contact.id and "Member Wang" in row.subject

    assigned = reference_from(file_ticket(enterprise, park.category))
    lead = client_for(park.lead)
    act(lead, assigned, "assign", assignee=str(park.second_member.id))
    row = outbox(assigned, kind="ticket_signed")[0]
    assert row.recipient_id == park.contact.id and "Member Zhao" in row.subject
    # Handing the signed ticket to someone else later is internal: no second message.
    act(lead, assigned, "assign", assignee=str(park.member.id))
    assert len(outbox(assigned, kind="ticket_signed")) == 1


def test_public_replies_reach_the_enterprise_and_internal_notes_never_do(app, phones, client_for):
    park = phones
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    before = len(outbox(ref))
    act(member, ref, "note", body="供电公司负责人私人电话，仅限内部")
    act(member, ref, "request_extension", working_days="2", reason="内部原因")
    act(client_for(park.lead), ref, "decide_extension", decision="approve", note="")
    for row in outbox(ref)[before:]:
        assert row.recipient_id != park.contact.id, row.kind
        assert "仅限内部" not in row.body_text
    act(member, ref, "reply", body="我们已联系供电公司。")
    reply = outbox(ref, kind="ticket_reply")
    assert [(r.recipient_id, r.channel) for r in reply] == [(park.contact.id, "email")]
    assert "我们已联系供电公司。" in reply[0].body_text


def test_a_request_for_information_reaches_the_enterprise_by_email_and_sms(app, phones, client_for):
    park = phones
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    act(member, ref, "request_info", body="请提供用电负荷清单。")
    rows = outbox(ref, kind="info_requested")
    assert {(r.recipient_id, r.channel) for r in rows} == {
        (park.contact.id, "email"),
        (park.contact.id, "sms"),
    }
    email = next(r for r in rows if r.channel == "email")
    assert "请提供用电负荷清单。" in email.body_text
    sms = next(r for r in rows if r.channel == "sms")
    assert sms.address == "13800000001" and ref in sms.body_text


def test_a_resolved_ticket_asks_the_enterprise_to_confirm_and_rate(app, park, client_for):
    app.config["PUBLIC_BASE_URL"] = BASE
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="临时用电已接通。")
    rows = outbox(ref, kind="ticket_resolved")
    # The contact has no mobile number: e-mail only, and no failed SMS row to clutter the log.
    assert [(r.recipient_id, r.channel, r.status) for r in rows] == [
        (park.contact.id, "email", "pending")
    ]
    assert "临时用电已接通。" in rows[0].body_text
    assert f"Confirm and rate: {BASE}/tickets/{ref}" in rows[0].body_text


def test_a_silent_resolved_ticket_closes_by_itself_and_says_so(app, park, client_for):
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="已处理。")
    resolved = ticket(ref)
    resolved.resolved_at -= timedelta(days=30)
    db.session.commit()
    assert tick().auto_closed == 1
    assert ticket(ref).close_reason == "auto"
    rows = outbox(ref, kind="ticket_auto_closed")
    assert [(r.recipient_id, r.channel) for r in rows] == [(park.contact.id, "email")]
    assert rows[0].reason == {"event": "closed"}


def test_a_confirmed_ticket_is_not_announced_as_auto_closed(app, park, client_for):
    enterprise, member = client_for(park.contact), client_for(park.member)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="已处理。")
    act(enterprise, ref, "confirm", rating="satisfied", comment="")
    assert ticket(ref).status == "closed"
    assert told(ref, kind="ticket_auto_closed") == set()


def test_a_deactivated_filer_is_not_written_to(app, park, client_for):
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    park.contact.active = False
    db.session.commit()
    act(member, ref, "sign")
    act(member, ref, "reply", body="已联系。")
    assert kinds_for(ref, park.contact) == ["ticket_filed_receipt", "ticket_dispatched"]
