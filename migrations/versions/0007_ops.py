"""ops: the provider log (every provider HTTP call and webhook, bodies redacted).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.timeutil

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('provider_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('elapsed_ms', sa.Integer(), nullable=False),
    sa.Column('is_error', sa.Boolean(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('request_body', sa.Text(), nullable=False),
    sa.Column('response_body', sa.Text(), nullable=False),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_log'))
    )
    with op.batch_alter_table('provider_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_log_is_error'), ['is_error'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_log_provider'), ['provider'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_log_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provider_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_log_request_id'))
        batch_op.drop_index(batch_op.f('ix_provider_log_provider'))
        batch_op.drop_index(batch_op.f('ix_provider_log_is_error'))
        batch_op.drop_index(batch_op.f('ix_provider_log_created_at'))

    op.drop_table('provider_log')
