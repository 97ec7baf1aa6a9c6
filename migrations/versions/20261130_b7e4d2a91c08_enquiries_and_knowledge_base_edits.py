"""enquiries, the knowledge base's edits, and the tracking page's throttle

enquiry: every question a caller asked and how it was answered (直办率);
knowledge_article: a supervisor's version of an article, over the YAML's;
knowledge_change: the history of every edit;
tracking_failure: /track/ lookups that found nothing, for throttling guesses.

Revision ID: b7e4d2a91c08
Revises: a551582e35da
Create Date: 2026-11-30 20:40:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

import database


revision = 'b7e4d2a91c08'
down_revision = 'a551582e35da'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'enquiry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.String(length=32), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('article_id', sa.String(length=80), nullable=True),
        sa.Column('lead', sa.Float(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('asked_at', database.UTCDateTime(), nullable=False),
        sa.Column('escalated_at', database.UTCDateTime(), nullable=True),
        sa.Column('sms_to', sa.String(length=32), nullable=True),
        sa.Column('sms_requested_at', database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_enquiry_call_id_call'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['line_id'], ['line.id'], name=op.f('fk_enquiry_line_id_line')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry')),
    )
    op.create_index('ix_enquiry_line_id_asked_at', 'enquiry', ['line_id', 'asked_at'], unique=False)
    op.create_table(
        'knowledge_article',
        sa.Column('article_id', sa.String(length=80), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('updated_at', database.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint('article_id', name=op.f('pk_knowledge_article')),
    )
    op.create_table(
        'knowledge_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.String(length=80), nullable=False),
        sa.Column('at', database.UTCDateTime(), nullable=False),
        sa.Column('actor', sa.String(length=120), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_change')),
    )
    op.create_index('ix_knowledge_change_article_id_at', 'knowledge_change', ['article_id', 'at'], unique=False)
    op.create_table(
        'tracking_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', database.UTCDateTime(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('case_number', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_failure')),
    )
    op.create_index('ix_tracking_failure_address_at', 'tracking_failure', ['address', 'at'], unique=False)
    op.create_index('ix_tracking_failure_case_number_at', 'tracking_failure', ['case_number', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tracking_failure_case_number_at', table_name='tracking_failure')
    op.drop_index('ix_tracking_failure_address_at', table_name='tracking_failure')
    op.drop_table('tracking_failure')
    op.drop_index('ix_knowledge_change_article_id_at', table_name='knowledge_change')
    op.drop_table('knowledge_change')
    op.drop_table('knowledge_article')
    op.drop_index('ix_enquiry_line_id_asked_at', table_name='enquiry')
    op.drop_table('enquiry')
