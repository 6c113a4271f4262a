"""dispatch clock: a ticket waiting for dispatch has a deadline, and the response counts from filing

- ``ticket.dispatch_due_at``: dispatch by then (from filing, or from the latest return);
  ``ticket.dispatched_on_time``: recorded at each dispatch from the queue;
  ``ticket.response_minutes``: working minutes from filing to the first contact. All nullable.
- ``sla_policy.dispatch_minutes``: the admin's dispatch limit. Rows written before this revision
  get the built-in defaults (2 working hours; the green-channel tier 1), then the server default
  is dropped: the application always sets it.

No data is computed in SQL: working time needs the park's calendar. Tickets already waiting for
dispatch get their dispatch clock from the periodic tick (``start_missing_dispatch_clocks``,
which looks for waiting tickets without one); tickets contacted before this revision have no
response time and are left out of the mean, as handling time was. The escalation ladder needs no
rows: a stage without any (the new ``dispatch`` stage) runs on the built-in defaults.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispatch_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('dispatched_on_time', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('response_minutes', sa.Integer(), nullable=True))

    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('dispatch_minutes', sa.Integer(), nullable=False, server_default='120')
        )
    op.execute("UPDATE sla_policy SET dispatch_minutes = 60 WHERE tier = 'green'")
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.alter_column('dispatch_minutes', server_default=None)


def downgrade():
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.drop_column('dispatch_minutes')

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('response_minutes')
        batch_op.drop_column('dispatched_on_time')
        batch_op.drop_column('dispatch_due_at')
