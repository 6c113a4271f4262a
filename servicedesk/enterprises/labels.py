"""Readable, translated names for the key-project vocabulary: levels and statuses."""

from flask_babel import lazy_gettext as _l

from servicedesk.enterprises.models import ProjectLevel, ProjectStatus

PROJECT_LEVEL_LABELS = {
    ProjectLevel.PROVINCIAL: _l("Provincial key project"),
    ProjectLevel.MUNICIPAL: _l("Municipal key project"),
    ProjectLevel.DISTRICT: _l("District key project"),
}
PROJECT_STATUS_LABELS = {
    ProjectStatus.PLANNED: _l("Planned"),
    ProjectStatus.UNDER_CONSTRUCTION: _l("Under construction"),
    ProjectStatus.IN_OPERATION: _l("In operation"),
    ProjectStatus.COMPLETED: _l("Completed"),
}
