"""monthly assessment figures and indexes

For the monthly assessment (reports/):

- ``assessment_month``: the figures of months that have ended, counted once for the trend charts
  (reports/models.py ``MonthFigures``).
- ``ix_case_event_at_case_id``: the cases moved in a month, read from the index alone.
- ``ix_case_event_due_at`` (PostgreSQL): the disposal deadline each event set (``data["due_at"]``),
  so that the cases falling due in a month are found without reading every event. Written by
  hand, as autogenerate does not write expression indexes; it is declared on the models
  (reports/models.py) so that the drift check knows it. The expression must stay exactly the
  one reports/statement.py filters on.

Revision ID: adbe49ea12f2
Revises: e280ab8c8107
Create Date: 2026-11-26 10:36:55.776818
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'adbe49ea12f2'
down_revision = 'e280ab8c8107'
branch_labels = None
depends_on = None

# PostgreSQL only: the embedded SQLite set-up is small enough to read the deadlines without it
# (and SQLAlchemy warns when reflecting an expression index on SQLite).
_DUE_AT = {"postgresql": "(data ->> 'due_at')"}


def upgrade() -> None:
    op.create_table('assessment_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('computed_at', database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_month')),
    sa.UniqueConstraint('month', 'fingerprint', name=op.f('uq_assessment_month_month_fingerprint'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_at_case_id', ['at', 'case_id'], unique=False)

    expression = _DUE_AT.get(op.get_bind().dialect.name)
    if expression is not None:
        op.create_index("ix_case_event_due_at", "case_event", [sa.text(expression)],
                        postgresql_where=sa.text(f"{expression} IS NOT NULL"))


def downgrade() -> None:
    if op.get_bind().dialect.name in _DUE_AT:
        op.drop_index("ix_case_event_due_at", table_name="case_event")
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_at_case_id')

    op.drop_table('assessment_month')
