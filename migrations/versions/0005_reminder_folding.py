"""reminder folding: a firing may be superseded by a higher rung of its clock

``escalation_firing.superseded`` is new, NOT NULL with a server default of false: every firing
recorded before this revision went out. A superseded firing (a blue due together with, or after,
the yellow card of the same clock) is recorded under the same unique key, so no sweep fires it
later, and is never sent. On SQLite the table is rebuilt in batch mode.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('escalation_firing', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('superseded', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('escalation_firing', schema=None) as batch_op:
        batch_op.drop_column('superseded')
