"""analytics: hourly roll-ups, refresh watermarks, the durable USSD funnel log, and indexes on the change and
bucket columns of the raw tables the refresh reads.

Revision ID: 0010
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.timeutil

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analytics_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.DateTime(), nullable=False),
    sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('dim', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('hist', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_rollup')),
    sa.UniqueConstraint('bucket', 'metric', 'agency_id', 'channel', 'dim', name='uq_analytics_rollup_key')
    )
    with op.batch_alter_table('analytics_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_rollup_metric_bucket', ['metric', 'bucket'], unique=False)

    op.create_table('analytics_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('dim', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('hist', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_daily')),
    sa.UniqueConstraint('day', 'metric', 'agency_id', 'channel', 'dim', name='uq_analytics_daily_key')
    )
    with op.batch_alter_table('analytics_daily', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_daily_metric_day', ['metric', 'day'], unique=False)

    op.create_table('analytics_watermark',
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('changed_until', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('refreshed_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_analytics_watermark'))
    )
    op.create_table('ussd_hop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('screen', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('events', sa.SmallInteger(), nullable=False),
    sa.Column('left', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('left_events', sa.SmallInteger(), nullable=False),
    sa.Column('ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ussd_hop'))
    )
    with op.batch_alter_table('ussd_hop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ussd_hop_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ussd_hop_session_id'), ['session_id'], unique=False)

    op.create_table('ussd_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('started_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('hops', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('last_screen', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ussd_session')),
    sa.UniqueConstraint('session_id', name=op.f('uq_ussd_session_session_id'))
    )
    with op.batch_alter_table('ussd_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ussd_session_ended_at'), ['ended_at'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_payment_updated_at', ['updated_at'], unique=False)

    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_last_changed_at', ['last_changed_at'], unique=False)
        batch_op.create_index('ix_service_request_submitted_at', ['submitted_at'], unique=False)

    with op.batch_alter_table('sms_inbound', schema=None) as batch_op:
        batch_op.create_index('ix_sms_inbound_received_at', ['received_at'], unique=False)

    with op.batch_alter_table('sms_outbound', schema=None) as batch_op:
        batch_op.create_index('ix_sms_outbound_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_sms_outbound_updated_at', ['updated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sms_outbound', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_outbound_updated_at')
        batch_op.drop_index('ix_sms_outbound_created_at')

    with op.batch_alter_table('sms_inbound', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_inbound_received_at')

    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_submitted_at')
        batch_op.drop_index('ix_service_request_last_changed_at')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_updated_at')
        batch_op.drop_index('ix_payment_created_at')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_created_at')

    with op.batch_alter_table('ussd_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ussd_session_ended_at'))

    op.drop_table('ussd_session')
    with op.batch_alter_table('ussd_hop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ussd_hop_session_id'))
        batch_op.drop_index(batch_op.f('ix_ussd_hop_at'))

    op.drop_table('ussd_hop')
    op.drop_table('analytics_watermark')
    with op.batch_alter_table('analytics_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_daily_metric_day')

    op.drop_table('analytics_daily')
    with op.batch_alter_table('analytics_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_rollup_metric_bucket')

    op.drop_table('analytics_rollup')
