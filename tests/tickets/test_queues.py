"""The staff's queues: who sees what, sorted by deadline, filtered, searched, paginated."""

from datetime import timedelta

from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.tickets.deadlines import refresh_deadlines
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def _file(client, park, **fields):
    return reference_from(file_ticket(client, park.category, **fields))


def test_queues_split_the_work(park, client_for):
    enterprise = client_for(park.contact)
    mine_ref, team_ref = _file(enterprise, park, title="甲"), _file(enterprise, park, title="乙")
    member = client_for(park.member)
    act(member, mine_ref, "sign")

    def listed(view):
        return member.get(f"/tickets/queue?view={view}").get_data(as_text=True)

    assert mine_ref in listed("mine") and team_ref not in listed("mine")
    assert team_ref in listed("unsigned") and mine_ref not in listed("unsigned")
    assert mine_ref in listed("open") and team_ref in listed("open")
    # Another task force's member sees neither.
    other = client_for(park.other_member).get("/tickets/queue?view=open").get_data(as_text=True)
    assert mine_ref not in other and team_ref not in other


def test_overdue_and_due_soon(park, client_for):
    enterprise = client_for(park.contact)
    late, soon, later = (_file(enterprise, park, title=t) for t in ("迟", "急", "缓"))
    now = utcnow()
    tickets = [ticket(ref) for ref in (late, soon, later)]
    for t, sign_due in zip(
        tickets,
        (now - timedelta(hours=1), now + timedelta(minutes=30), now + timedelta(days=30)),
        strict=True,
    ):
        t.sign_due_at = sign_due
        t.first_contact_due_at = t.resolve_due_at = now + timedelta(days=40)
        refresh_deadlines(t)
    db.session.commit()
    member = client_for(park.member)
    overdue = member.get("/tickets/queue?view=overdue").get_data(as_text=True)
    assert late in overdue and soon not in overdue and later not in overdue
    due_soon = member.get("/tickets/queue?view=due_soon").get_data(as_text=True)
    assert soon in due_soon and late not in due_soon and later not in due_soon
    open_queue = member.get("/tickets/queue?view=open").get_data(as_text=True)
    assert open_queue.index(late) < open_queue.index(soon) < open_queue.index(later)


def test_search_finds_chinese_text_in_title_and_description(park, client_for):
    enterprise = client_for(park.contact)
    power = _file(enterprise, park, title="施工用电", description="变压器容量不足")
    water = _file(enterprise, park, title="供水管网", description="水压低")
    member = client_for(park.member)

    def search(q):
        return member.get("/tickets/queue", query_string={"view": "open", "q": q}).get_data(
            as_text=True
        )

    assert power in search("变压器") and water not in search("变压器")
    assert water in search("供水") and power not in search("供水")
    assert power in search(power) and water not in search(power)
    assert power not in search("100%_") and water not in search("100%_")


def test_filters_by_status_urgency_category_and_enterprise(park, client_for, make_category):
    enterprise = client_for(park.contact)
    urgent = _file(enterprise, park, urgency="urgent")
    normal = _file(enterprise, park)
    dispatcher = client_for(park.dispatcher)

    def listed(**args):
        return dispatcher.get("/tickets/queue", query_string={"view": "all", **args}).get_data(
            as_text=True
        )

    assert urgent in listed(urgency="urgent") and normal not in listed(urgency="urgent")
    other = make_category(name="其他类")
    assert urgent not in listed(category=other.id)
    assert urgent in listed(enterprise=park.enterprise.id)
    assert urgent not in listed(enterprise=park.other_enterprise.id)
    assert urgent in listed(chain=park.chain.id)
    assert urgent not in listed(status="closed")
    # Nonsense filter values are ignored rather than failing.
    assert (
        dispatcher.get("/tickets/queue?view=nope&status=zzz&category=x&page=-3").status_code == 200
    )


def test_queues_are_paginated(app, park, client_for):
    app.config["TICKETS_PER_PAGE"] = 2
    enterprise = client_for(park.contact)
    refs = [_file(enterprise, park, title=f"第{i}件") for i in range(5)]
    member = client_for(park.member)
    first = member.get("/tickets/queue?view=open").get_data(as_text=True)
    third = member.get("/tickets/queue?view=open&page=3").get_data(as_text=True)
    assert sum(ref in first for ref in refs) == 2
    assert sum(ref in third for ref in refs) == 1
    assert "page=2" in first


def test_the_enterprise_sees_its_own_tickets_only(park, client_for):
    own = _file(client_for(park.contact), park)
    foreign = _file(client_for(park.other_contact), park)
    page = client_for(park.contact).get("/tickets/mine").get_data(as_text=True)
    assert own in page and foreign not in page
    assert client_for(park.contact).get("/tickets/queue").status_code == 404
