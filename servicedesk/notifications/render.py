"""Rendering a notification in the recipient's language: an e-mail (subject, text, HTML) and an SMS.

Templates live in ``templates/email/<kind>.txt`` (first line ``Subject: ...``),
``templates/email/<kind>.html`` (extends ``email/_layout.html``) and ``templates/sms/<kind>.txt``
(one short line). :data:`CONTEXT_KEYS` lists what each kind needs from the caller;
:data:`SMS_PARAMS` the ordered parameters a vendor template gets (Aliyun by name, Tencent by
position). Rendering needs an application context; it reads nothing from the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from servicedesk.tickets.labels import CARD_LABELS, STAGE_LABELS, label

#: What each kind needs in its context (beyond these, templates use optional keys when given:
#: ``recipient`` for a greeting everywhere, ``covering_for`` (names of people away) for the
#: deputy's "covering for" line everywhere; see each template for the rest).
CONTEXT_KEYS: dict[str, tuple[str, ...]] = {
    "escalation": ("ref", "title", "stage", "card", "due", "url"),
    "escalation_summary": ("tickets", "queue_url"),
    "ticket_filed_receipt": ("ref", "title", "url"),
    "ticket_dispatched": ("ref", "task_force"),
    "ticket_signed": ("ref", "who"),
    "ticket_reply": ("ref", "excerpt", "url"),
    "info_requested": ("ref", "question", "url"),
    "ticket_resolved": ("ref", "summary", "url"),
    "ticket_auto_closed": ("ref",),
    "team_new_ticket": ("ref", "title", "enterprise", "url", "sign_due"),
    "ticket_assigned": ("ref", "title", "url"),
    "enterprise_replied": ("ref", "excerpt", "url"),
    "extension_requested": ("ref", "days", "reason", "url"),
    "extension_decided": ("ref", "approved"),
    "ticket_reworked": ("ref", "reason", "url"),
    "sms_digest": ("count", "refs"),
    "morning_digest": ("due_today", "overdue"),
}

#: The parameters of each kind's SMS template, in the order the vendor template lists them.
SMS_PARAMS: dict[str, tuple[str, ...]] = {
    "escalation": ("ref", "title", "card", "stage", "due"),
    "escalation_summary": ("count", "red", "yellow", "blue", "queue_url"),
    "ticket_filed_receipt": ("ref", "title"),
    "ticket_dispatched": ("ref", "task_force"),
    "ticket_signed": ("ref", "who"),
    "ticket_reply": ("ref",),
    "info_requested": ("ref",),
    "ticket_resolved": ("ref",),
    "ticket_auto_closed": ("ref",),
    "team_new_ticket": ("ref", "title", "sign_due"),
    "ticket_assigned": ("ref", "title"),
    "enterprise_replied": ("ref",),
    "extension_requested": ("ref", "days"),
    "extension_decided": ("ref", "decision"),
    "ticket_reworked": ("ref",),
    "sms_digest": ("count", "refs"),
    "morning_digest": ("due_today", "overdue"),
}

MULTILINE_KEYS = frozenset({"excerpt", "question", "summary", "reason", "note"})

# Vendors cap a template variable (Aliyun: 35 characters); titles are cut shorter to keep the
# SMS near one 70-character segment.
SMS_PARAM_LIMIT = 35
SMS_TITLE_LIMIT = 20

CARD_COLOURS = {"blue": "#0969da", "yellow": "#9a6700", "red": "#cf222e"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


class UnknownNotification(ValueError):
    """The kind has no templates, or the context lacks what its templates need."""


@dataclass(frozen=True)
class Rendered:
    """One notification in one language, ready for any channel."""

    subject: str
    text: str
    html: str
    sms_text: str
    sms_params: dict[str, str]


def _shorten(value: object, limit: int) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prepare(kind: str, context: Mapping) -> dict:
    """The template context: the caller's values plus labels in the current language."""
    # Only these may span lines; a line break elsewhere (a pasted title) would split the subject.
    values = {
        key: value
        if key in MULTILINE_KEYS or not isinstance(value, str)
        else " ".join(value.split())
        for key, value in context.items()
    }
    if "url" not in values and "link" in values:
        values["url"] = values["link"]
    missing = [key for key in CONTEXT_KEYS[kind] if key not in values]
    if missing:
        raise UnknownNotification(f"{kind} needs {', '.join(missing)} in its context")
    values["covering_names"] = str(_l(", ")).join(
        " ".join(str(name).split()) for name in values.get("covering_for") or ()
    )
    if kind == "escalation":
        card = str(values["card"])
        values["card_label"] = label(CARD_LABELS, card)
        values["card_colour"] = CARD_COLOURS.get(card, "#57606a")
        values["card_colours"] = CARD_COLOURS
        values["stage_label"] = label(STAGE_LABELS, str(values["stage"]))
        values["repeat_no"] = int(values.get("repeat_no") or values.get("repeat") or 0)
        deadlines = _deadlines(values)
        values["deadlines"] = deadlines
        # The SMS names every deadline in its one "stage" parameter (vendor templates are fixed).
        values["stages_label"] = str(_l(", ")).join(d["stage_label"] for d in deadlines)
    elif kind == "escalation_summary":
        tickets: list[dict] = [dict(t) for t in context["tickets"]]
        for t in tickets:
            t["card_label"] = label(CARD_LABELS, str(t["card"]))
            t["stages_label"] = str(_l(", ")).join(
                label(STAGE_LABELS, str(stage)) for stage in t["stages"]
            )
        values["tickets"] = tickets
        values["count"] = len(tickets)
        values["card_colours"] = CARD_COLOURS
        for card in ("red", "yellow", "blue"):
            values[card] = sum(1 for t in tickets if t["card"] == card)
    elif kind == "extension_decided":
        values["decision"] = str(_l("approved") if values["approved"] else _l("rejected"))
    elif kind == "sms_digest":
        refs = [str(ref) for ref in values["refs"]]
        values["refs"] = refs
        values.setdefault("more", max(int(values["count"]) - len(refs), 0))
    elif kind == "morning_digest":
        for section in ("due_today", "overdue"):
            values[section] = list(values[section])
            # The lines may be capped (DIGEST_MAX_LINES); the count is of every ticket.
            total = int(values.get(f"{section}_count", len(values[section])))
            values[f"{section}_count"] = total
            values[f"{section}_more"] = max(total - len(values[section]), 0)
    return values


def _deadlines(values: Mapping) -> list[dict]:
    """The deadlines one escalation message names, highest card first, with their labels:
    those the sweep folded into it, or just the message's own."""
    named = values.get("deadlines") or [
        {"stage": values["stage"], "card": values["card"], "repeat_no": values["repeat_no"]}
    ]
    return [
        {
            "stage_label": label(STAGE_LABELS, str(d["stage"])),
            "card": str(d["card"]),
            "card_label": label(CARD_LABELS, str(d["card"])),
            "repeat_no": int(d.get("repeat_no") or 0),
            "due": d.get("due", values["due"]),
        }
        for d in named
    ]


def sms_params(kind: str, values: Mapping) -> dict[str, str]:
    """The kind's SMS parameters, in template order, as short strings."""
    params: dict[str, str] = {}
    for name in SMS_PARAMS[kind]:
        if kind == "escalation" and name == "stage":
            value: object = values["stages_label"]
        elif kind == "escalation" and name == "card":
            value = values["card_label"]
        elif kind == "sms_digest" and name == "refs":
            value = ",".join(values["refs"][:2])
        elif kind == "morning_digest":
            value = values[f"{name}_count"]
        else:
            value = values[name]
        if name.endswith("url"):  # a link cut short is no link
            params[name] = str(value)
            continue
        limit = SMS_TITLE_LIMIT if name == "title" else SMS_PARAM_LIMIT
        params[name] = _shorten(value, limit)
    return params


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _split_subject(text: str, kind: str) -> tuple[str, str]:
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Subject: "):
        raise UnknownNotification(f"templates/email/{kind}.txt must start with 'Subject: '")
    return " ".join(first[len("Subject: ") :].split()), body


def render_notification(kind: str, locale: str, context: Mapping) -> Rendered:
    """Render ``kind`` in ``locale`` (zh_CN or en) from ``context`` (see :data:`CONTEXT_KEYS`)."""
    if kind not in CONTEXT_KEYS:
        raise UnknownNotification(f"no templates for notification kind {kind!r}")
    env = current_app.jinja_env
    with force_locale(locale):
        values = _prepare(kind, context)
        values["html_lang"] = HTML_LANG.get(locale, locale.replace("_", "-"))
        subject, body = _split_subject(env.get_template(f"email/{kind}.txt").render(values), kind)
        html = env.get_template(f"email/{kind}.html").render({**values, "subject": subject})
        params = sms_params(kind, values)
        # The SMS uses the very values a vendor template receives (``p``), already shortened.
        sms_text = " ".join(
            env.get_template(f"sms/{kind}.txt").render({**values, "p": params}).split()
        )
        if values["covering_names"]:
            # Free text only: a vendor's fixed template has no parameter for it.
            covering = _l("(Covering for %(names)s)", names=values["covering_names"])
            sms_text = f"{covering} {sms_text}"
    return Rendered(
        subject=subject,
        text=_tidy_text(body),
        html=html.strip() + "\n",
        sms_text=sms_text,
        sms_params=params,
    )
