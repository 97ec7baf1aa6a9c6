"""catalogue rows keep only their keys

line, department and category rows exist so that other tables' foreign keys
have something to point at; the configuration (YAML) is the one run-time
representation of what they are.  Every column but the key and ``active``
goes, with the category's own foreign key to its default department.

Downgrading gives the columns back with neutral values (the category's
department empty); ``flask --app app init`` of the older code fills them in.

Revision ID: cf78eea00eb1
Revises: a76973845cd2
Create Date: 2026-11-30 17:11:33.314800
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'cf78eea00eb1'
down_revision = 'a76973845cd2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_category_department_code_department'), type_='foreignkey')
        for column in ('kind', 'name', 'names', 'department_code', 'priority', 'time_limit', 'verify_first',
                       'lines'):
            batch_op.drop_column(column)

    with op.batch_alter_table('department', schema=None) as batch_op:
        for column in ('name', 'names', 'calendar', 'duty_number', 'district'):
            batch_op.drop_column(column)

    with op.batch_alter_table('line', schema=None) as batch_op:
        for column in ('name', 'numbers', 'time_zone'):
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table('line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('numbers', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False,
                                      server_default='Asia/Shanghai'))

    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('names', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('calendar', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('duty_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('district', sa.String(length=64), nullable=True))

    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('names', sa.JSON(), nullable=False, server_default='{}'))
        # No department to name until the older code's init runs: empty, not a broken reference.
        batch_op.add_column(sa.Column('department_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('priority', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('time_limit', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('verify_first', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('lines', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_foreign_key(batch_op.f('fk_category_department_code_department'), 'department',
                                    ['department_code'], ['code'])
