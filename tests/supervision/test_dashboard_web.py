"""The dashboard, its links, its files and the bulletin, through the real Flask client."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from openpyxl import load_workbook

from servicedesk.auth.models import Role

QUARTER = "period=custom&date_from=2026-03-01&date_to=2026-03-31"
PAGES = (
    "/supervision/",
    "/supervision/bulletin?month=2026-03",
    f"/supervision/export.csv?{QUARTER}",
    f"/supervision/export.xlsx?{QUARTER}",
    "/supervision/tickets.csv",
    "/supervision/tickets.xlsx",
)


def test_only_supervisors_admins_and_leads_get_in(march, clock, client_for, make_user):
    clock("2026-03-20 10:00")
    lead_of_nothing = make_user(Role.LEAD, Role.MEMBER)
    allowed = [march.supervisor, march.admin, march.lead_a, march.lead_b]
    refused = [march.member_a, march.dispatcher, lead_of_nothing]
    for user in allowed:
        client = client_for(user)
        assert [client.get(p).status_code for p in PAGES] == [200] * len(PAGES), user.name
    for user in refused:
        client = client_for(user)
        assert [client.get(p).status_code for p in PAGES] == [404] * len(PAGES), user.name


def test_the_page_shows_each_number_with_links_to_its_tickets(march, clock, client_for):
    clock("2026-03-20 10:00")
    client = client_for(march.supervisor)
    page = client.get(f"/supervision/?{QUARTER}&slice=task_force").get_data(as_text=True)
    assert "On-time sign rate" in page and "50.0%" in page and "Definitions" in page
    assert 'id="supervision-charts"' in page and "vendor/echarts/echarts.min.js" in page
    assert "<script>" not in page  # no inline code: only the JSON block and files
    links = set(re.findall(r'href="(/tickets/queue\?[^"]+)"', page))
    numerator = next(
        unescape(u)
        for u in links
        if "set=sign_on_time" in u
        and "part=num" in u
        and "task_force" not in u
        and "from=2026-03-01" in u
    )
    listed = client.get(numerator).get_data(as_text=True)
    assert march.t1 in listed and march.t4 in listed
    assert march.t2 not in listed and march.t3 not in listed
    assert "Tickets behind the number" in listed
    team_b = client.get(
        f"/tickets/queue?view=all&set=returned&part=den&from=2026-03-01"
        f"&to=2026-03-31&task_force={march.team_b.id}"
    ).get_data(as_text=True)
    assert march.t4 in team_b and march.t3 not in team_b


def test_a_lead_sees_only_their_task_force(march, clock, client_for):
    clock("2026-03-20 10:00")
    client = client_for(march.lead_b)
    page = client.get(f"/supervision/?{QUARTER}").get_data(as_text=True)
    assert "磁性材料专班" in page and "新型显示专班" not in page
    listed = client.get(
        "/tickets/queue?view=all&set=sign_on_time&part=den&from=2026-03-01&to=2026-03-31"
    ).get_data(as_text=True)
    assert march.t4 in listed and march.t1 not in listed


def test_the_exports_hold_the_table_as_shown(march, clock, client_for):
    clock("2026-03-20 10:00")
    client = client_for(march.supervisor)
    response = client.get(f"/supervision/export.xlsx?{QUARTER}&slice=task_force")
    assert "2026-03_task_force.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    table = {row[0]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert table["新型显示专班"]["On-time sign rate · numerator"] == 1
    assert table["新型显示专班"]["On-time sign rate · denominator"] == 3
    assert table["磁性材料专班"]["On-time sign rate"] == 100.0
    response = client.get(f"/supervision/export.csv?{QUARTER}&slice=chain")
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "2026-03_chain.csv" in response.headers["Content-Disposition"]
    parsed = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_chain = {row["Industry chain"]: row for row in parsed}
    assert by_chain["新型显示"]["Resolution rate · numerator"] == "1"
    assert by_chain["No industry chain"]["On-time sign rate · denominator"] == "2"


def test_the_tickets_behind_a_number_as_files(march, clock, client_for):
    clock("2026-03-20 10:00")
    client = client_for(march.supervisor)
    query = "set=resolved_on_time&part=den&from=2026-03-01&to=2026-03-31"
    response = client.get(f"/supervision/tickets.csv?{query}")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert sorted(r["Reference"] for r in rows) == sorted([march.t1, march.t2])
    assert {r["Handling time (working hours)"] for r in rows} == {"57.0", "56.0"}
    sheet = load_workbook(io.BytesIO(client.get(f"/supervision/tickets.xlsx?{query}").data)).active
    assert sheet.max_row == 3


def test_the_bulletin_prints(march, clock, client_for):
    clock("2026-03-20 10:00")
    page = client_for(march.admin).get("/supervision/bulletin?month=2026-03").get_data(as_text=True)
    assert "monthly bulletin" in page and "css/supervision.css" in page
    assert "新型显示专班" in page and "Task force ranking" in page


def test_the_navbar_shows_the_dashboard_to_those_who_may_see_it(march, clock, client_for):
    clock("2026-03-20 10:00")
    assert "/supervision/" in client_for(march.lead_a).get("/tickets/queue").get_data(as_text=True)
    assert "/supervision/" not in client_for(march.member_a).get("/tickets/queue").get_data(
        as_text=True
    )


def test_the_dashboard_speaks_chinese(march, clock, client_for, app):
    clock("2026-03-20 10:00")
    march.supervisor.locale = "zh_CN"
    from servicedesk.extensions import db

    db.session.commit()
    page = client_for(march.supervisor).get(f"/supervision/?{QUARTER}").get_data(as_text=True)
    assert "督办看板" in page and "按时签收率" in page and "指标口径" in page
