"""enum columns: the database refuses a status or card outside its vocabulary

The status and card columns stay VARCHAR of the same length; each gets a CHECK constraint
listing the values the application's enum allows (named by the naming convention,
``ck_<table>_<name>``). On SQLite the tables are rebuilt in batch mode.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TICKET_STATUSES = ('filed', 'dispatched', 'signed', 'in_progress', 'waiting_enterprise',
                   'returned', 'resolved', 'closed', 'withdrawn')
CARDS = ('none', 'blue', 'yellow', 'red')
EXTENSION_STATUSES = ('pending', 'approved', 'rejected')
DELIVERY_STATUSES = ('pending', 'sending', 'sent', 'held', 'folded', 'failed', 'cancelled')
PROJECT_STATUSES = ('planned', 'under_construction', 'in_operation', 'completed')

#: table -> [(constraint name as the model names it, column, allowed values)]
CHECKS = {
    'ticket': [('status', 'status', TICKET_STATUSES), ('card', 'card', CARDS)],
    'ticket_event': [('from_status', 'from_status', TICKET_STATUSES),
                     ('to_status', 'to_status', TICKET_STATUSES)],
    'extension_request': [('status', 'status', EXTENSION_STATUSES)],
    'notification': [('status', 'status', DELIVERY_STATUSES)],
    'key_project': [('status', 'status', PROJECT_STATUSES)],
}


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, values in checks:
                batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), _one_of(column, values))


def downgrade():
    for table, checks in reversed(list(CHECKS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _column, _values in reversed(checks):
                batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
