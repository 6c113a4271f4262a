"""absences: a staff member away for a while, and the deputy who covers meanwhile

``absence`` is new: who is away (``user_id``), from ``starts_at`` until ``ends_at`` (naive UTC,
the end excluded), who stands in (``deputy_id``), an optional note, who recorded it and when.
The database refuses an absence that ends before it starts and a person standing in for
themselves; overlaps are refused by the application. Nothing existing changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-17 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_absence_ends_after_start')),
    sa.CheckConstraint('deputy_id <> user_id', name=op.f('ck_absence_deputy_is_someone_else')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_absence_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deputy_id'], ['user.id'], name=op.f('fk_absence_deputy_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_absence_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence'))
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index('ix_absence_ends_at_starts_at', ['ends_at', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_deputy_id'), ['deputy_id'], unique=False)


def downgrade():
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_deputy_id'))
        batch_op.drop_index(batch_op.f('ix_absence_user_id'))
        batch_op.drop_index('ix_absence_ends_at_starts_at')

    op.drop_table('absence')
