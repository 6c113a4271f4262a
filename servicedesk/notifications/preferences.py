"""What each person wants to hear about, and on which channel.

A topic groups kinds of message a person recognises ("escalations", "replies from the
enterprise" ...). Without a saved choice the default applies: e-mail for everything, SMS for
what is urgent. The ladder's red steps reach supervisors whatever they chose.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from servicedesk.auth.models import Role, User
from servicedesk.extensions import db
from servicedesk.notifications.models import NotificationPreference
from servicedesk.tickets.models import MESSAGE_CHANNELS, Channel


@dataclass(frozen=True)
class Topic:
    name: str
    label: object
    roles: frozenset[Role]
    email: bool  # default for e-mail
    sms: bool  # default for SMS


_STAFF = frozenset({Role.MEMBER, Role.LEAD, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
_ENTERPRISE = frozenset({Role.ENTERPRISE_CONTACT})

TOPICS: dict[str, Topic] = {
    t.name: t
    for t in [
        Topic(
            "escalation",
            _l("Deadline reminders and escalations (blue, yellow, red cards)"),
            _STAFF,
            True,
            True,
        ),
        Topic(
            "team_ticket",
            _l("New tickets for my task force, assignments, transfers"),
            _STAFF,
            True,
            False,
        ),
        Topic(
            "enterprise_reply", _l("Messages from enterprises on my tickets"), _STAFF, True, False
        ),
        Topic("extension", _l("Extension requests and decisions"), _STAFF, True, False),
        Topic("rework", _l("Reopened tickets (rework)"), _STAFF, True, True),
        Topic("digest", _l("Morning digest of tickets due today and overdue"), _STAFF, True, False),
        Topic(
            "progress",
            _l("Progress on my tickets: receipt, dispatch, sign-for, replies"),
            _ENTERPRISE,
            True,
            False,
        ),
        Topic("info_requested", _l("Requests for information"), _ENTERPRISE, True, True),
        Topic(
            "resolved",
            _l("Resolved tickets to confirm and rate, automatic closing"),
            _ENTERPRISE,
            True,
            True,
        ),
    ]
}


def topics_for(user: User) -> list[Topic]:
    """The topics that concern this person's roles."""
    return [t for t in TOPICS.values() if user.roles & t.roles]


def choices(user: User) -> dict[tuple[str, str], bool]:
    """(topic, channel) → on/off for this person, defaults filled in."""
    saved = {
        (p.topic, p.channel): p.enabled
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    result: dict[tuple[str, str], bool] = {}
    for topic in topics_for(user):
        for channel in MESSAGE_CHANNELS:
            default = topic.email if channel == Channel.EMAIL else topic.sms
            result[(topic.name, channel)] = saved.get((topic.name, channel), default)
    return result


def wants(user: User, topic: str, channel: str) -> bool:
    """Whether ``user`` wants messages of ``topic`` on ``channel`` (defaults when unsaved)."""
    saved = db.session.get(NotificationPreference, (user.id, topic, channel))
    if saved is not None:
        return saved.enabled
    known = TOPICS.get(topic)
    if known is None:
        return channel == Channel.EMAIL
    return known.email if channel == Channel.EMAIL else known.sms


def save_choices(user: User, wanted: set[tuple[str, str]]) -> None:
    """Store this person's choices for every topic that concerns them."""
    for topic in topics_for(user):
        for channel in MESSAGE_CHANNELS:
            row = db.session.get(NotificationPreference, (user.id, topic.name, channel))
            enabled = (topic.name, channel) in wanted
            if row is None:
                db.session.add(
                    NotificationPreference(
                        user_id=user.id, topic=topic.name, channel=channel, enabled=enabled
                    )
                )
            else:
                row.enabled = enabled
