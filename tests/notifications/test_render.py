"""Rendering every kind of notification in Chinese and English, for e-mail and SMS."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from servicedesk.notifications.render import (
    CONTEXT_KEYS,
    SMS_PARAMS,
    UnknownNotification,
    render_notification,
)

URL = "http://127.0.0.1:5000/tickets/GC-2026-000123"
TICKET = {"ref": "GC-2026-000123", "title": "Fire inspection of the new plant", "url": URL}
ROW = {
    "ref": "GC-2026-000123",
    "title": "Fire inspection",
    "task_force": "New display",
    "due": "2026-11-27 17:30",
    "url": URL,
}

# ASCII values only, so any Chinese in the output comes from the translations.
CONTEXTS: dict[str, Mapping[str, object]] = {
    "escalation": {
        **TICKET,
        "enterprise": "BOE Chengdu",
        "stage": "resolve",
        "card": "yellow",
        "level": "yellow",
        "repeat_no": 0,
        "due": "2026-11-27 17:30",
        "task_force": "New display",
    },
    "escalation_summary": {
        "tickets": [
            {**TICKET, "card": "red", "stages": ["resolve", "sign"]},
            {**TICKET, "ref": "GC-2026-000124", "card": "yellow", "stages": ["resolve"]},
            {**TICKET, "ref": "GC-2026-000125", "card": "blue", "stages": ["first_contact"]},
        ],
        "queue_url": "http://127.0.0.1:5000/tickets/queue",
    },
    "ticket_filed_receipt": TICKET,
    "ticket_dispatched": {"ref": "GC-2026-000123", "task_force": "New display"},
    "ticket_signed": {"ref": "GC-2026-000123", "who": "Li Na", "task_force": "New display"},
    "ticket_reply": {**TICKET, "excerpt": "The fire brigade will come on Thursday."},
    "info_requested": {**TICKET, "question": "What is the number of the design review?"},
    "ticket_resolved": {**TICKET, "summary": "The inspection passed.", "auto_close_days": 5},
    "ticket_auto_closed": {"ref": "GC-2026-000123"},
    "team_new_ticket": {**TICKET, "enterprise": "BOE Chengdu", "sign_due": "2026-11-26 15:00"},
    "ticket_assigned": {**TICKET, "by": "Wang Qiang", "due": "2026-12-04 17:30"},
    "enterprise_replied": {**TICKET, "excerpt": "The number is 118.", "enterprise": "BOE"},
    "extension_requested": {
        **TICKET,
        "days": 5,
        "reason": "Waiting for the province.",
        "who": "Li Na",
    },
    "extension_decided": {"ref": "GC-2026-000123", "approved": False, "note": "Not now."},
    "ticket_reworked": {**TICKET, "reason": "The certificate never arrived."},
    "sms_digest": {
        "count": 4,
        "refs": ["GC-2026-000123", "GC-2026-000124", "GC-2026-000130"],
        "more": 1,
    },
    "morning_digest": {
        "due_today": [ROW],
        "overdue": [dict(ROW, ref="GC-2026-000099")],
        "url": "http://127.0.0.1:5000/tickets/queue",
    },
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_kind_has_a_sample_here():
    assert set(CONTEXTS) == set(CONTEXT_KEYS) == set(SMS_PARAMS)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("kind", sorted(CONTEXT_KEYS))
def test_every_kind_renders_for_every_channel(app, kind, locale):
    rendered = render_notification(kind, locale, CONTEXTS[kind])

    assert rendered.subject and "\n" not in rendered.subject
    assert not rendered.text.startswith("Subject:")
    assert rendered.text.strip()
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{"zh-CN" if locale == "zh_CN" else "en"}">' in rendered.html
    assert rendered.sms_text and "\n" not in rendered.sms_text
    assert len(rendered.sms_text) <= 140
    assert list(rendered.sms_params) == list(SMS_PARAMS[kind])
    assert all(isinstance(v, str) and v for v in rendered.sms_params.values())


@pytest.mark.parametrize("kind", sorted(CONTEXT_KEYS))
def test_chinese_readers_get_chinese_and_english_readers_english(app, kind):
    chinese = render_notification(kind, "zh_CN", CONTEXTS[kind])
    english = render_notification(kind, "en", CONTEXTS[kind])

    for part in (chinese.subject, chinese.text, chinese.html, chinese.sms_text):
        assert CHINESE.search(part), part
    for part in (english.subject, english.text, english.html, english.sms_text):
        assert not CHINESE.search(part), part


@pytest.mark.parametrize("kind", sorted(CONTEXT_KEYS))
def test_a_chinese_sms_fits_one_segment(app, kind):
    assert len(render_notification(kind, "zh_CN", CONTEXTS[kind]).sms_text) <= 70


FOLDED = {
    **CONTEXTS["escalation"],
    "card": "red",
    "stage": "resolve",
    "deadlines": [
        {"stage": "resolve", "card": "red", "repeat_no": 0, "due": "2026-11-27 17:30"},
        {"stage": "sign", "card": "yellow", "repeat_no": 0, "due": "2026-11-24 10:00"},
        {"stage": "first_contact", "card": "red", "repeat_no": 2, "due": "2026-11-24 17:00"},
    ],
}


def test_one_reminder_names_each_deadline_and_the_highest_card(app):
    english = render_notification("escalation", "en", FOLDED)
    assert english.subject.startswith("[Red card] GC-2026-000123")
    assert "3 deadlines of this ticket need attention; the highest card is the Red card." in (
        english.text
    )
    assert "- Resolution deadline 2026-11-27 17:30: Red card" in english.text
    assert "- Sign-for deadline 2026-11-24 10:00: Yellow card" in english.text
    assert "First-contact deadline 2026-11-24 17:00: Red card, reminder 2" in english.html
    assert "3 deadlines need attention" in english.sms_text
    chinese = render_notification("escalation", "zh_CN", FOLDED)
    assert "本诉求有 3 项期限需要处理，最高为红牌。" in chinese.text
    assert chinese.sms_params["stage"].startswith("办结期限、签收期限")
    assert len(chinese.sms_text) <= 70


def test_the_summary_counts_the_cards_and_links_the_queue(app):
    summary = render_notification("escalation_summary", "en", CONTEXTS["escalation_summary"])
    assert summary.subject == "Reminders for 3 tickets"
    assert "(red: 1, yellow: 1, blue: 1)" in summary.text
    assert "[Red card] GC-2026-000123" in summary.text
    assert summary.sms_text == (
        "3 of your tickets need attention (red 1, yellow 1, blue 1): "
        "http://127.0.0.1:5000/tickets/queue"
    )
    chinese = render_notification("escalation_summary", "zh_CN", CONTEXTS["escalation_summary"])
    assert chinese.sms_text.startswith("您有 3 件诉求需要处理（红牌 1，黄牌 1，蓝牌 1）")


def test_the_card_decides_the_reminder(app):
    def escalation(card: str, repeat_no: int = 0):
        context = {**CONTEXTS["escalation"], "card": card, "repeat_no": repeat_no}
        return render_notification("escalation", "en", context)

    blue, yellow, red, repeat = (
        escalation("blue"),
        escalation("yellow"),
        escalation("red"),
        escalation("red", 3),
    )
    assert blue.subject.startswith("[Blue card] GC-2026-000123")
    assert "resolution deadline of this ticket is near" in blue.text
    assert "has passed" in yellow.text and "has passed" in yellow.sms_text
    assert "the supervisors have been told" in red.text
    assert repeat.subject.startswith("[Red card, reminder 3]")
    assert "Daily reminder" in repeat.text and "reminder 3" in repeat.sms_text
    assert "#cf222e" in red.html and "#0969da" in blue.html
    assert red.sms_params["card"] == "Red card"
    assert red.sms_params["stage"] == "resolution deadline"


def test_the_sign_for_stage_is_named_in_the_readers_language(app):
    context = {**CONTEXTS["escalation"], "stage": "sign"}

    assert (
        "Sign-for deadline: 2026-11-27 17:30"
        in render_notification("escalation", "en", context).text
    )
    assert render_notification("escalation", "zh_CN", context).sms_params["stage"] == "签收期限"


def test_what_people_typed_is_escaped_in_html_and_kept_in_text(app):
    context = {**CONTEXTS["ticket_reply"], "excerpt": '<script>alert("x")</script> & more'}

    rendered = render_notification("ticket_reply", "en", context)

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert '<script>alert("x")</script> & more' in rendered.text


def test_the_html_loads_nothing_from_elsewhere(app):
    for kind, context in CONTEXTS.items():
        html = render_notification(kind, "en", context).html
        assert "<img" not in html and "<link" not in html and "<script" not in html
        links = set(re.findall(r'(?:href|src)="([^"]*)"', html))
        assert links <= {context.get("url"), context.get("queue_url"), URL, None}


def test_a_title_with_a_line_break_keeps_the_subject_on_one_line(app):
    context = {**CONTEXTS["team_new_ticket"], "title": "Power cut\nat the plant"}

    rendered = render_notification("team_new_ticket", "en", context)

    assert rendered.subject == "New ticket GC-2026-000123 in your queue: Power cut at the plant"


def test_long_titles_are_cut_for_sms(app):
    context = {**CONTEXTS["escalation"], "title": "A" * 60}

    rendered = render_notification("escalation", "zh_CN", context)

    assert rendered.sms_params["title"] == "A" * 19 + "…"
    assert "A" * 60 in rendered.text


def test_the_digest_names_the_first_references(app):
    rendered = render_notification("sms_digest", "en", CONTEXTS["sms_digest"])

    assert rendered.sms_params == {"count": "4", "refs": "GC-2026-000123,GC-2026-000124"}
    assert "and others" in rendered.sms_text
    assert "GC-2026-000130" in rendered.text and "and 1 more." in rendered.text


def test_the_morning_digest_lists_due_and_overdue_tickets(app):
    rendered = render_notification("morning_digest", "en", {"due_today": [ROW], "overdue": []})

    assert rendered.subject == "Morning digest: 1 due today, 0 overdue"
    assert "- GC-2026-000123 Fire inspection · New display · 2026-11-27 17:30" in rendered.text
    assert "Nothing is overdue." in rendered.text
    assert rendered.sms_params == {"due_today": "1", "overdue": "0"}


def test_a_missing_context_value_is_named(app):
    with pytest.raises(UnknownNotification, match="escalation needs due, url"):
        render_notification(
            "escalation", "en", {"ref": "GC-1", "title": "t", "stage": "sign", "card": "blue"}
        )
    with pytest.raises(UnknownNotification, match="no templates"):
        render_notification("birthday_wishes", "en", {})
