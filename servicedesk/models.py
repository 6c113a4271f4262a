"""Imports every model module so SQLAlchemy and Alembic see the whole schema."""

from servicedesk.absences.models import Absence  # noqa: F401
from servicedesk.auth.models import Role, User, UserRole  # noqa: F401
from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject  # noqa: F401
from servicedesk.escalation.models import (  # noqa: F401
    EscalationFiring,
    EscalationStep,
    SweepRun,
)
from servicedesk.notifications.models import (  # noqa: F401
    DeliveryAttempt,
    Notification,
    NotificationPreference,
)
from servicedesk.sla.models import CalendarDay, CalendarYear, SlaPolicy  # noqa: F401
from servicedesk.taskforces.models import TaskForce, TaskForceMember  # noqa: F401
from servicedesk.tickets.models import (  # noqa: F401
    Attachment,
    Category,
    ExtensionRequest,
    ReferenceSequence,
    SiteVisit,
    Ticket,
    TicketEvent,
)
