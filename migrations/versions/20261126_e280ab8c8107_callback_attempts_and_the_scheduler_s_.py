"""callback attempts and the scheduler's job table

callback_attempt: one row per call placed for a callback, created before
calls.create so that webhooks can find it by id.  apscheduler_jobs: the
persistent job store of the scheduler process (APScheduler 3.x's own
schema), created here rather than by APScheduler at run time.

Revision ID: e280ab8c8107
Revises: c04368d6d51b
Create Date: 2026-11-26 09:57:32.691050
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'e280ab8c8107'
down_revision = 'c04368d6d51b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs'))
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)

    op.create_table('callback_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('callback_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('placed_at', database.UTCDateTime(), nullable=False),
    sa.Column('answered_by', sa.String(length=32), nullable=True),
    sa.Column('result', sa.String(length=32), nullable=True),
    sa.Column('ended_at', database.UTCDateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_callback_attempt_call_id_call'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['callback_id'], ['callback.id'], name=op.f('fk_callback_attempt_callback_id_callback'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_attempt')),
    sa.UniqueConstraint('call_sid', name=op.f('uq_callback_attempt_call_sid')),
    sa.UniqueConstraint('callback_id', 'number', name=op.f('uq_callback_attempt_callback_id_number'))
    )
    with op.batch_alter_table('callback_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_attempt_callback_id'), ['callback_id'], unique=False)
        batch_op.create_index('ix_callback_attempt_status_placed', ['status', 'placed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('callback_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_attempt_status_placed')
        batch_op.drop_index(batch_op.f('ix_callback_attempt_callback_id'))

    op.drop_table('callback_attempt')
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))

    op.drop_table('apscheduler_jobs')
