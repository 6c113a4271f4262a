"""Readable, translated names for the SLA vocabulary: tiers, urgency and category kinds."""

from flask_babel import lazy_gettext as _l

from servicedesk.sla.models import Tier
from servicedesk.sla.vocabulary import CategoryKind, Urgency

TIER_LABELS = {
    Tier.NORMAL: _l("Normal"),
    Tier.URGENT: _l("Urgent"),
    Tier.GREEN: _l("Green channel"),
}

CATEGORY_KIND_LABELS = {
    CategoryKind.CONSULTATION: _l("Consultation"),
    CategoryKind.ASSISTANCE: _l("Assistance"),
    CategoryKind.COORDINATION: _l("Coordination"),
}

URGENCY_LABELS = {
    Urgency.NORMAL: _l("Normal"),
    Urgency.URGENT: _l("Urgent"),
}

#: The kinds as an admin chooses one for a category: the name and what it means for the limit.
CATEGORY_KIND_CHOICES = {
    CategoryKind.CONSULTATION: _l("Consultation — a question to answer (shortest resolve limit)"),
    CategoryKind.ASSISTANCE: _l("Assistance — a help request or suggestion (middle resolve limit)"),
    CategoryKind.COORDINATION: _l(
        "Coordination — needs several departments (longest resolve limit)"
    ),
}
