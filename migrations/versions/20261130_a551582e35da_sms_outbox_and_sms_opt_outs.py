"""sms outbox and sms opt-outs

sms_message: the SMS owed to complainants, sent by the scheduler (sms.sender);
sms_opt_out: numbers that texted 退订 / TD / STOP.

Revision ID: a551582e35da
Revises: f3c1a9d2b7e4
Create Date: 2026-11-30 20:22:44.760596
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'a551582e35da'
down_revision = 'f3c1a9d2b7e4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sms_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_e164', sa.String(length=32), nullable=False),
    sa.Column('created_at', database.UTCDateTime(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_opt_out')),
    sa.UniqueConstraint('phone_e164', name=op.f('uq_sms_opt_out_phone_e164'))
    )
    op.create_table('sms_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('purpose_key', sa.String(length=120), nullable=False),
    sa.Column('phone_e164', sa.String(length=32), nullable=False),
    sa.Column('line_id', sa.String(length=32), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', database.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', database.UTCDateTime(), nullable=True),
    sa.Column('message_sid', sa.String(length=64), nullable=True),
    sa.Column('delivery_status', sa.String(length=16), nullable=True),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', database.UTCDateTime(), nullable=False),
    sa.Column('sent_at', database.UTCDateTime(), nullable=True),
    sa.Column('updated_at', database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_sms_message_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_id'], ['line.id'], name=op.f('fk_sms_message_line_id_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_message')),
    sa.UniqueConstraint('message_sid', name=op.f('uq_sms_message_message_sid')),
    sa.UniqueConstraint('purpose_key', name=op.f('uq_sms_message_purpose_key'))
    )
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_message_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_sms_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_message_phone_e164'), ['phone_e164'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_message_phone_e164'))
        batch_op.drop_index('ix_sms_message_due')
        batch_op.drop_index(batch_op.f('ix_sms_message_case_id'))

    op.drop_table('sms_message')
    op.drop_table('sms_opt_out')
