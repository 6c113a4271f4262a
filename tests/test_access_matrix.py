"""Who may reach what: every route of the app, walked by every role.

An enterprise's contacts see that enterprise's tickets and nothing else; members and leads see
their task forces' tickets; dispatchers, supervisors and admins see all. Anything else answers
404 (never 403, never 500). The park is in ``tests/access/park.py``: two task forces, two
enterprises, a ticket of each, and one nobody has dispatched yet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from servicedesk.extensions import db
from servicedesk.tickets.actions import ACTIONS
from servicedesk.tickets.models import Ticket
from tests.access.park import (
    INTERNAL_FILE,
    INTERNAL_NOTE,
    PDF,
    ROLES,
    SIGNED_IN,
    admin_snapshot,
    build_park,
    snapshot,
)
from tests.tickets.conftest import act, file_ticket

PUBLIC = frozenset(ROLES)
CONTACTS = frozenset({"contact_x", "contact_y"})
PARK_WIDE = frozenset({"dispatcher", "supervisor", "admin"})
STAFF = PARK_WIDE | {"member_a", "lead_a", "member_b", "lead_b"}
ADMIN = frozenset({"admin"})
#: Supervisors and admins see the whole park, the leads of A and B their own task force.
SUPERVISION = frozenset({"supervisor", "admin", "lead_a", "lead_b"})
#: Leads record absences for their members, admins for anyone.
LEADS_AND_ADMIN = frozenset({"admin", "lead_a", "lead_b"})
#: Member A's absence: member A, the lead of A and the admin may end it.
MEMBER_A_ABSENCE = frozenset({"member_a", "lead_a", "admin"})
NOBODY: frozenset[str] = frozenset()
TICKET = "decided by the ticket"  # see ticket_probes()

#: Every route and who may use it. A route missing here fails the test: decide who may reach it.
ROUTE_ACCESS: dict[str, frozenset[str] | str] = {
    "/": SIGNED_IN,
    "/login": PUBLIC,
    "/logout": SIGNED_IN,
    "/account": SIGNED_IN,
    "/account/password": SIGNED_IN,
    "/account/notifications": SIGNED_IN,
    "/account/absences": STAFF,
    "/absences/": LEADS_AND_ADMIN,
    "/absences/<int:absence_id>/cancel": MEMBER_A_ABSENCE,
    "/healthz": PUBLIC,
    "/language/<code>": PUBLIC,
    "/tickets/new": CONTACTS,
    "/tickets/mine": CONTACTS,
    "/tickets/queue": STAFF,
    "/tickets/<reference>": TICKET,
    "/tickets/<reference>/attachments/<int:attachment_id>": TICKET,
    "/tickets/<reference>/act/<name>": TICKET,
    "/admin/": ADMIN,
    "/admin/users/": ADMIN,
    "/admin/users/new": ADMIN,
    "/admin/users/<int:user_id>": ADMIN,
    "/admin/users/<int:user_id>/password": ADMIN,
    "/admin/users/<int:user_id>/activate": ADMIN,
    "/admin/users/<int:user_id>/deactivate": ADMIN,
    "/admin/enterprises/": ADMIN,
    "/admin/enterprises/new": ADMIN,
    "/admin/enterprises/<int:enterprise_id>": ADMIN,
    "/admin/enterprises/<int:enterprise_id>/edit": ADMIN,
    "/admin/chains": ADMIN,
    "/admin/chains/new": ADMIN,
    "/admin/chains/<int:chain_id>": ADMIN,
    "/admin/key-projects": ADMIN,
    "/admin/key-projects/new": ADMIN,
    "/admin/key-projects/<int:project_id>": ADMIN,
    "/admin/task-forces/": ADMIN,
    "/admin/task-forces/new": ADMIN,
    "/admin/task-forces/<int:task_force_id>": ADMIN,
    "/admin/categories/": ADMIN,
    "/admin/categories/new": ADMIN,
    "/admin/categories/<int:category_id>": ADMIN,
    "/admin/sla": ADMIN,
    "/admin/sla/all/<tier>": ADMIN,
    "/admin/sla/all/<tier>/reset": ADMIN,
    "/admin/sla/category/<int:category_id>/<tier>": ADMIN,
    "/admin/sla/category/<int:category_id>/<tier>/reset": ADMIN,
    "/admin/calendar": ADMIN,
    "/admin/calendar/days": ADMIN,
    "/admin/calendar/days/<day>/remove": ADMIN,
    "/admin/calendar/year": ADMIN,
    "/admin/escalation": ADMIN,
    "/admin/escalation/<stage>/<level>/edit": ADMIN,
    "/admin/escalation/<stage>/reset": ADMIN,
    "/admin/deliveries": ADMIN,
    "/admin/deliveries/retry": ADMIN,
    "/admin/deliveries/retry-failed": ADMIN,
    "/admin/health": ADMIN,
    "/supervision/": SUPERVISION,
    "/supervision/export.csv": SUPERVISION,
    "/supervision/export.xlsx": SUPERVISION,
    "/supervision/tickets.csv": SUPERVISION,
    "/supervision/tickets.xlsx": SUPERVISION,
    "/supervision/bulletin": SUPERVISION,
}
UNCHECKED_ENDPOINTS = {"static", "bootstrap.static"}

#: A value nothing in the park answers to, per URL argument: the answer is 404, never 500.
MISSING = {
    "user_id": 999999,
    "enterprise_id": 999999,
    "chain_id": 999999,
    "project_id": 999999,
    "task_force_id": 999999,
    "category_id": 999999,
    "tier": "platinum",
    "day": "2026-13-45",
    "code": "xx",
    "stage": "lunch",
    "level": "purple",
    "absence_id": 999999,
}

#: What each role may do on a ticket it sees (its relation to it is fixed by the park).
ENTERPRISE_ACTIONS = frozenset({"enterprise_reply", "confirm", "reopen", "withdraw"})
TEAM_ACTIONS = frozenset(
    {
        "return",
        "sign",
        "reply",
        "note",
        "request_info",
        "site_visit",
        "request_extension",
        "resolve",
    }
)
LEAD_ACTIONS = TEAM_ACTIONS | {"transfer", "assign", "decide_extension"}
PERMITTED = {
    "contact_x": ENTERPRISE_ACTIONS,
    "contact_y": ENTERPRISE_ACTIONS,
    "member_a": TEAM_ACTIONS,
    "member_b": TEAM_ACTIONS,
    "lead_a": LEAD_ACTIONS,
    "lead_b": LEAD_ACTIONS,
    "dispatcher": frozenset({"dispatch", "transfer", "assign", "note"}),
    "supervisor": frozenset({"note", "decide_extension"}),
    "admin": frozenset({"dispatch", "transfer", "assign", "note"}),
}
#: Action forms that an empty body would satisfy: permitted people post them with a stale
#: version, so the park stays as it is.
NEED_NO_FIELDS = {"sign", "withdraw"}
REFUSALS = ("You may not do this on ticket", "cannot be given the action")
STALE = "was changed by someone else"
QUEUE_VIEWS = ("mine", "unsigned", "open", "due_soon", "overdue", "closed", "dispatch", "all")


@dataclass
class Probe:
    """One request and who may make it; everyone else gets 404, or the sign-in page."""

    method: str
    url: str
    allowed: frozenset[str]
    login_first: bool = True  # anonymous visitors are sent to sign in
    ok: frozenset[int] = frozenset({200, 302})
    data: dict = field(default_factory=dict)
    status: int | None = None  # the same answer for everybody (405)


def answer_problem(response, probe: Probe, role: str) -> str | None:
    """Why this answer is wrong for ``role``, or None."""
    code = response.status_code
    where = f"{role:<10} {probe.method:<4} {probe.url}"
    if code >= 500:
        return f"{where}: server error {code}"
    if probe.status is not None:
        return None if code == probe.status else f"{where}: {code}, expected {probe.status}"
    if role in probe.allowed:
        return None if code in probe.ok else f"{where}: {code}, expected {sorted(probe.ok)}"
    if role == "anonymous" and probe.login_first:
        target = urlsplit(response.headers.get("Location", "")).path
        if code == 302 and target == "/login":
            return None
        return f"{where}: {code} to {target!r}, expected the sign-in page"
    return None if code == 404 else f"{where}: {code}, expected 404"


@pytest.fixture
def walk(app, make_user, make_task_force, make_chain, make_enterprise, make_category, make_project):
    """The park, a signed-in client per role, and the tickets' visitors."""
    park, clients = build_park(
        app, make_user, make_task_force, make_chain, make_enterprise, make_category, make_project
    )
    viewers = {
        park.t_a: PARK_WIDE | {"contact_x", "member_a", "lead_a"},
        park.t_b: PARK_WIDE | {"contact_y", "member_b", "lead_b"},
        park.t_filed: PARK_WIDE | {"contact_y"},
    }
    return park, clients, viewers


def checked_rules(app) -> list:
    return [r for r in app.url_map.iter_rules() if r.endpoint not in UNCHECKED_ENDPOINTS]


def route_probes(app, park) -> list[Probe]:
    """Probes for every route not about one ticket: real ids, then ids nobody has."""
    values = {
        "user_id": park.spare.id,
        "enterprise_id": park.enterprise_x.id,
        "chain_id": park.chain.id,
        "project_id": park.project_x.id,
        "task_force_id": park.task_force_a.id,
        "category_id": park.category.id,
        "tier": "normal",
        "day": "2026-10-01",
        "code": "en",
        "stage": "resolve",
        "level": "blue",
        "absence_id": park.absence,
    }
    probes = []
    for rule in checked_rules(app):
        access = ROUTE_ACCESS[rule.rule]
        if access == TICKET:
            continue
        assert not isinstance(access, str), f"{rule.rule}: TICKET is the only text value"
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        public = access == PUBLIC
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        probes += [Probe(m, url, access, login_first=not public) for m in methods]
        probes += [Probe(m, url, NOBODY, status=405) for m in ("GET", "POST") if m not in methods]
        for name in sorted(rule.arguments):
            nowhere = rule.build({**{n: values[n] for n in rule.arguments}, name: MISSING[name]})[1]
            probes += [Probe(m, nowhere, NOBODY, login_first=not public) for m in methods]
    return probes


def ticket_probes(park, viewers) -> list[Probe]:
    """Ticket pages and files, including objects of another enterprise and task force."""
    staff_of_a = viewers[park.t_a] - {"contact_x"}
    files = [
        (park.t_a, park.public_file, viewers[park.t_a]),
        (park.t_a, park.internal_file, staff_of_a),
        (park.t_b, park.t_b_file, viewers[park.t_b]),
        (park.t_a, park.t_b_file, NOBODY),
        (park.t_b, park.public_file, NOBODY),
        (park.t_filed, park.internal_file, NOBODY),
        (park.t_a, 999999, NOBODY),
    ]
    probes = [
        Probe("GET", f"/tickets/{ref}", who, ok=frozenset({200}))
        for ref, who in [*viewers.items(), ("GC-1999-999999", NOBODY)]
    ]
    probes += [
        Probe("GET", f"/tickets/{ref}/attachments/{file}", who, ok=frozenset({200}))
        for ref, file, who in files
    ]
    probes += [Probe("POST", f"/tickets/{ref}/act/no_such_action", NOBODY) for ref in viewers]
    probes += [
        Probe("POST", f"/tickets/{park.t_a}", NOBODY, status=405),
        Probe("POST", f"/tickets/{park.t_a}/attachments/{park.public_file}", NOBODY, status=405),
        Probe("GET", f"/tickets/{park.t_a}/act/sign", NOBODY, status=405),
    ]
    return probes


def test_every_route_has_an_access_expectation(app):
    rules = {r.rule for r in checked_rules(app)}
    missing = [f"route {r} has no access expectation" for r in sorted(rules - ROUTE_ACCESS.keys())]
    stale = [
        f"access expectation for {r}, which is no route"
        for r in sorted(ROUTE_ACCESS.keys() - rules)
    ]
    assert not missing + stale, "\n".join(missing + stale)
    unknown = (
        {a for r in checked_rules(app) for a in r.arguments}
        - set(MISSING)
        - {"reference", "attachment_id", "name"}
    )
    assert not unknown, f"URL arguments with no test value: {sorted(unknown)}"
    assert set(ACTIONS) <= set().union(*PERMITTED.values()), "an action nobody may take"


def test_every_route_with_every_role(app, walk):
    park, clients, viewers = walk
    before = {ref: snapshot(ref) for ref in viewers}
    admin_state = admin_snapshot(park)
    probes = ticket_probes(park, viewers) + route_probes(app, park)
    # The admin's empty POSTs on admin pages come after everything else; signing out last.
    probes.sort(key=lambda p: (p.url == "/logout", p.method == "POST" and p.allowed == ADMIN))
    failures = []
    for role in ROLES:
        if role == "admin":  # everyone else has tried every admin page: nothing moved
            if admin_snapshot(park) != admin_state:
                failures.append("a non-admin changed something through an admin page")
        for probe in probes:
            response = clients[role].open(probe.url, method=probe.method, data=probe.data)
            problem = answer_problem(response, probe, role)
            if problem:
                failures.append(problem)
    failures += [
        f"{ref} changed: {before[ref]} -> {snapshot(ref)}"
        for ref in viewers
        if snapshot(ref) != before[ref]
    ]
    assert not failures, f"{len(failures)} wrong answers:\n" + "\n".join(failures)


def valid_body(name: str, park, ref: str) -> dict:
    """Fields that would carry the action out, were the sender allowed to take it."""
    other_team = park.task_force_b.id if ref == park.t_a else park.task_force_a.id
    team_member = park.users["member_b" if ref == park.t_b else "member_a"].id
    return {
        "dispatch": {"task_force": str(other_team), "reason": "派单"},
        "transfer": {"task_force": str(other_team), "reason": "转办"},
        "return": {"reason": "不属于本专班"},
        "sign": {},
        "assign": {"assignee": str(team_member)},
        "reply": {"body": "回复企业"},
        "note": {"body": "内部备注"},
        "request_info": {"body": "请补充材料"},
        "site_visit": {
            "visited_at": "2026-01-05T10:00",
            "location": "工地",
            "participants": "专班",
            "notes": "踏勘",
        },
        "request_extension": {"working_days": "3", "reason": "等待排期"},
        "decide_extension": {"decision": "approve", "note": ""},
        "resolve": {"summary": "已办结"},
        "enterprise_reply": {"body": "补充材料如下"},
        "confirm": {"rating": "satisfied", "comment": ""},
        "reopen": {"reason": "仍未解决"},
        "withdraw": {"reason": "撤回"},
    }[name]


def test_actions_are_refused_without_changing_the_ticket(walk):
    park, clients, viewers = walk
    failures = []
    for ref in viewers:
        for name in ACTIONS:
            for role in ROLES:
                where = f"{role:<10} {name:<17} on {ref}"
                before = snapshot(ref)
                sees, permitted = role in viewers[ref], name in PERMITTED.get(role, ())
                if sees and permitted and name in NEED_NO_FIELDS:
                    response = act(clients[role], ref, name, version=before[0] + 100)
                    expect, text = 200, STALE
                elif sees and permitted:  # allowed: the empty form is refused, nothing else
                    response = act(clients[role], ref, name, version=before[0])
                    expect, text = 200, None
                else:
                    response = act(
                        clients[role], ref, name, version=before[0], **valid_body(name, park, ref)
                    )
                    expect = 200 if sees else 302 if role == "anonymous" else 404
                    text = REFUSALS if sees else None
                page = response.get_data(as_text=True)
                target = urlsplit(response.headers.get("Location", "")).path
                if response.status_code != expect:
                    failures.append(f"{where}: {response.status_code}, expected {expect}")
                elif role == "anonymous" and target != "/login":
                    failures.append(f"{where}: sent to {target!r}, not to the sign-in page")
                elif sees and permitted and REFUSALS[0] in page:
                    failures.append(f"{where}: refused, but this role may take it")
                elif isinstance(text, str) and text not in page:
                    failures.append(f"{where}: no {text!r} message")
                elif isinstance(text, tuple) and not any(t in page for t in text):
                    failures.append(f"{where}: refused without saying why")
                if snapshot(ref) != before:
                    failures.append(f"{where}: the ticket changed")
    assert not failures, f"{len(failures)} wrong answers:\n" + "\n".join(failures)


def test_queues_and_lists_show_only_what_each_person_may_see(walk):
    park, clients, viewers = walk
    failures = []
    for role in STAFF:
        for view in QUEUE_VIEWS:
            for query in (
                f"view={view}",
                f"view={view}&q=GC-",
                f"view={view}&enterprise={park.enterprise_y.id}",
            ):
                response = clients[role].get(f"/tickets/queue?{query}")
                page = response.get_data(as_text=True)
                if response.status_code != 200:
                    failures.append(f"{role} queue {query}: {response.status_code}")
                failures += [
                    f"{role} queue {query} lists {ref}"
                    for ref in viewers
                    if role not in viewers[ref] and ref in page
                ]
    seen = {
        role: clients[role].get(url).get_data(as_text=True)
        for role, url in [
            ("member_a", "/tickets/queue?view=mine"),
            ("lead_a", "/tickets/queue?view=open"),
            ("lead_b", "/tickets/queue?view=unsigned"),
            ("member_b", "/tickets/queue?view=overdue"),
            ("dispatcher", "/tickets/queue?view=dispatch"),
            ("contact_x", "/tickets/mine"),
            ("contact_y", "/tickets/mine"),
        ]
    }
    assert park.t_a in seen["member_a"] and park.t_a in seen["lead_a"]
    assert park.t_b in seen["lead_b"] and park.t_b in seen["member_b"]
    assert park.t_filed in seen["dispatcher"]
    assert park.t_a in seen["contact_x"]
    assert park.t_b in seen["contact_y"] and park.t_filed in seen["contact_y"]
    for status in ("", "?status=dispatched", "?status=filed", "?status=in_progress"):
        for role in CONTACTS:
            page = clients[role].get(f"/tickets/mine{status}").get_data(as_text=True)
            failures += [
                f"{role} /tickets/mine{status} lists {ref}"
                for ref in viewers
                if role not in viewers[ref] and ref in page
            ]
    assert not failures, "\n".join(failures)


def test_internal_notes_and_their_files_stay_with_the_staff(walk):
    park, clients, _viewers = walk
    enterprise_page = clients["contact_x"].get(f"/tickets/{park.t_a}").get_data(as_text=True)
    assert INTERNAL_NOTE not in enterprise_page and INTERNAL_FILE not in enterprise_page
    lead_page = clients["lead_a"].get(f"/tickets/{park.t_a}").get_data(as_text=True)
    assert INTERNAL_NOTE in lead_page and INTERNAL_FILE in lead_page


def test_objects_of_another_enterprise_or_task_force_cannot_be_slipped_into_forms(walk):
    park, clients, _viewers = walk
    before = {ref: snapshot(ref) for ref in (park.t_a, park.t_b)}
    # X's contact names Y's key project on a new ticket: refused, nothing filed.
    response = file_ticket(
        clients["contact_x"],
        park.category,
        key_project=str(park.project_y.id),
        attachments=[(io.BytesIO(PDF), "a.pdf")],
    )
    assert response.status_code == 200
    # A's lead assigns A's ticket to B's member; the dispatcher assigns B's to A's member.
    response = act(clients["lead_a"], park.t_a, "assign", assignee=str(park.users["member_b"].id))
    assert response.status_code == 200
    response = act(
        clients["dispatcher"], park.t_b, "assign", assignee=str(park.users["member_a"].id)
    )
    assert response.status_code == 200
    assert {ref: snapshot(ref) for ref in before} == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 3


def test_a_deactivated_person_loses_what_they_saw_at_once(walk):
    park, clients, _viewers = walk
    member = clients["member_a"]
    assert member.get(f"/tickets/{park.t_a}").status_code == 200
    before = snapshot(park.t_a)
    deactivate = f"/admin/users/{park.users['member_a'].id}/deactivate"
    assert clients["admin"].post(deactivate).status_code == 302
    for response in (
        member.get(f"/tickets/{park.t_a}"),
        member.get(f"/tickets/{park.t_a}/attachments/{park.internal_file}"),
        act(member, park.t_a, "note", version=before[0], body="还在吗"),
    ):
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
    assert snapshot(park.t_a) == before
