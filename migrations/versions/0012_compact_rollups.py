"""compact roll-ups: `analytics_rollup` and `analytics_daily` keyed by their natural key as the primary key (no
surrogate id, no unique constraint beside it, no (metric, bucket) index: the key's leading columns serve the
range reads), and WITHOUT ROWID on SQLite so the table is that one B-tree.

Roll-ups are derived data: both tables are rebuilt empty and the watermarks cleared, so the next
`rabta analytics refresh` recomputes them from the raw rows (the downgrade does the same the other way).

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (("analytics_rollup", "bucket", sa.DateTime()), ("analytics_daily", "day", sa.Date()))
KEY = ('metric', 'agency_id', 'channel', 'dim')


def _columns(first: str, first_type: sa.types.TypeEngine) -> list[sa.Column]:
    return [
        sa.Column(first, first_type, nullable=False),
        sa.Column('metric', AutoString(length=32), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('channel', AutoString(length=16), nullable=False),
        sa.Column('dim', AutoString(length=48), nullable=False),
        sa.Column('count', sa.BigInteger(), nullable=False),
        sa.Column('total', sa.BigInteger(), nullable=False),
        sa.Column('hist', sa.JSON(), nullable=True),
    ]


def upgrade() -> None:
    for table, first, first_type in TABLES:
        short = 'bucket' if first == 'bucket' else 'day'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_metric_{short}')
        op.drop_table(table)
        op.create_table(table, *_columns(first, first_type),
                        sa.PrimaryKeyConstraint(first, *KEY, name=op.f(f'pk_{table}')),
                        sqlite_with_rowid=False)
    op.execute("DELETE FROM analytics_watermark")


def downgrade() -> None:
    for table, first, first_type in TABLES:
        short = 'bucket' if first == 'bucket' else 'day'
        key = 'rollup' if first == 'bucket' else 'daily'
        op.drop_table(table)
        op.create_table(table, sa.Column('id', sa.Integer(), nullable=False), *_columns(first, first_type),
                        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
                        sa.UniqueConstraint(first, *KEY, name=f'uq_analytics_{key}_key'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_metric_{short}', ['metric', first], unique=False)
    op.execute("DELETE FROM analytics_watermark")
