"""supervision: working minutes from filing to resolution on each ticket

``ticket.handling_minutes`` is new and nullable. Tickets resolved before this revision keep
NULL (the working calendar lives in the application, not in SQL): the mean handling time
leaves them out, and the dashboard says so.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_minutes', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('handling_minutes')
