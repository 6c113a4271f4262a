"""The preferences form: one checkbox per kind of message and channel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, SubmitField

from servicedesk.auth.models import User
from servicedesk.forms import BaseForm
from servicedesk.notifications.preferences import Topic, topics_for
from servicedesk.tickets.labels import CHANNEL_LABELS
from servicedesk.tickets.models import MESSAGE_CHANNELS, Channel


def choice_value(topic: str, channel: str) -> str:
    """The value one checkbox sends, e.g. ``"rework:sms"``."""
    return f"{topic}:{channel}"


class PreferencesForm(BaseForm):
    """What a person wants to hear, by topic and channel; only offered boxes are accepted."""

    wanted = SelectMultipleField(
        _l("Messages I want"),
        choices=[],
        # A value we did not offer (a topic of another role, SMS without a number) is refused.
        validate_choice=True,
    )
    submit = SubmitField(_l("Save my choices"))

    def offer(self, user: User, sms_available: bool) -> list[Topic]:
        """Offer the boxes that concern ``user``; returns the topics, in page order."""
        topics = topics_for(user)
        channels = [c for c in MESSAGE_CHANNELS if c != Channel.SMS or sms_available]
        self.wanted.choices = [
            (choice_value(t.name, c), f"{t.label} ({CHANNEL_LABELS[c]})")
            for t in topics
            for c in channels
        ]
        return topics

    def pairs(self) -> set[tuple[str, str]]:
        """The ticked boxes as (topic, channel) pairs."""
        return {tuple(value.split(":", 1)) for value in self.wanted.data or []}
