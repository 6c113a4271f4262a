"""Readable, translated names for the outbox vocabulary: delivery statuses, attempt outcomes,
hold reasons and the kinds of message."""

from flask_babel import lazy_gettext as _l

from servicedesk.notifications.models import DeliveryStatus

DELIVERY_STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Waiting to be sent"),
    DeliveryStatus.SENDING: _l("Being sent"),
    DeliveryStatus.SENT: _l("Sent"),
    DeliveryStatus.HELD: _l("Held"),
    DeliveryStatus.FOLDED: _l("Sent in a digest"),  # or in a summary of reminders
    DeliveryStatus.FAILED: _l("Failed"),
    DeliveryStatus.CANCELLED: _l("Cancelled"),
}
OUTCOME_LABELS = {
    "sent": _l("Sent"),
    "retry": _l("Failed, will retry"),
    "failed": _l("Failed"),
    "held": _l("Held"),
    "cancelled": _l("Cancelled"),
}
HOLD_LABELS = {
    "quiet_hours": _l("Held for the SMS quiet hours"),
    "daily_cap": _l("Held: the person's daily SMS limit was reached"),
}
MESSAGE_KIND_LABELS = {
    "escalation": _l("Escalation reminder"),
    "escalation_summary": _l("Summary of escalation reminders"),
    "ticket_filed_receipt": _l("Receipt of a new ticket"),
    "ticket_dispatched": _l("Ticket dispatched"),
    "ticket_signed": _l("Ticket signed for"),
    "ticket_reply": _l("Reply from the task force"),
    "info_requested": _l("Information requested"),
    "ticket_resolved": _l("Ticket resolved"),
    "ticket_auto_closed": _l("Ticket closed automatically"),
    "team_new_ticket": _l("New ticket for the task force"),
    "ticket_assigned": _l("Ticket assigned"),
    "enterprise_replied": _l("Message from the enterprise"),
    "extension_requested": _l("Extension requested"),
    "extension_decided": _l("Extension decided"),
    "ticket_reworked": _l("Ticket reopened for rework"),
    "sms_digest": _l("Digest of held text messages"),
    "morning_digest": _l("Morning digest"),
}
