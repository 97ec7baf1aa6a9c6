"""calls' conferences and their participants

Every operator bridge goes through a conference named hotline-<CallSid>:
call gains the conference's name and sid, the operator's side of it
(talking, holding, consulting, three_way, handed_over) and the department
a warm transfer consults.  call_participant keeps each leg in it (caller,
operator, supervisor, department), its mode, hold and mute, and when it
joined and left.

Revision ID: d20844cba723
Revises: a7c3e91f0b24
Create Date: 2026-11-30 23:48:53.217021
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'd20844cba723'
down_revision = 'a7c3e91f0b24'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('call_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('conference_name', sa.String(length=100), nullable=False),
    sa.Column('conference_sid', sa.String(length=64), nullable=True),
    sa.Column('call_leg_sid', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('who', sa.String(length=100), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('hold', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', database.UTCDateTime(), nullable=False),
    sa.Column('joined_at', database.UTCDateTime(), nullable=True),
    sa.Column('left_at', database.UTCDateTime(), nullable=True),
    sa.Column('last_sequence', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_participant_call_id_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_participant')),
    sa.UniqueConstraint('conference_name', 'call_leg_sid', name=op.f('uq_call_participant_conference_name_call_leg_sid'))
    )
    with op.batch_alter_table('call_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_participant_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_participant_call_leg_sid'), ['call_leg_sid'], unique=False)

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conference_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('conference_sid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('conference_state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('transfer_department', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_call_conference_sid'), ['conference_sid'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_conference_sid'))
        batch_op.drop_column('transfer_department')
        batch_op.drop_column('conference_state')
        batch_op.drop_column('conference_sid')
        batch_op.drop_column('conference_name')

    with op.batch_alter_table('call_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_participant_call_leg_sid'))
        batch_op.drop_index(batch_op.f('ix_call_participant_call_id'))

    op.drop_table('call_participant')
