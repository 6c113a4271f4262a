"""Readable, translated names for the rungs of the escalation ladder.

The stages are the ticket's clocks and the cards are kept on the ticket: their words live in
:mod:`servicedesk.tickets.labels`.
"""

from flask_babel import lazy_gettext as _l

from servicedesk.escalation.models import Level

#: A rung as a sentence names it ("the blue card must come before the yellow card"); badges
#: and headings capitalise it.
LEVEL_LABELS = {
    Level.BLUE: _l("blue card"),
    Level.YELLOW: _l("yellow card"),
    Level.RED: _l("red card"),
    Level.REPEAT: _l("daily reminder"),
}
