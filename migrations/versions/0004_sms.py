"""SMS: inbound texts (deduplicated per provider message id) and outbound texts with delivery state.

Revision ID: 0004
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.timeutil

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sms_inbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('provider_message_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('msisdn', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('to_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=1600), nullable=False),
    sa.Column('link_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('command', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('received_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_sms_inbound_citizen_id_citizen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_inbound')),
    sa.UniqueConstraint('provider', 'provider_message_id', name='uq_sms_inbound_provider_message')
    )
    with op.batch_alter_table('sms_inbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_inbound_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_inbound_msisdn'), ['msisdn'], unique=False)

    op.create_table('sms_outbound',
    sa.Column('to', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('provider_message_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('error_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('error_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('encoding', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('essential', sa.Boolean(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('in_reply_to', sa.Integer(), nullable=True),
    sa.Column('failure_class', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('provider_status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('claimed_until', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_sms_outbound_citizen_id_citizen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbound')),
    sa.UniqueConstraint('notification_id', name=op.f('uq_sms_outbound_notification_id'))
    )
    with op.batch_alter_table('sms_outbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_outbound_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_outbound_provider_message_id'), ['provider_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_outbound_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sms_outbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_outbound_status'))
        batch_op.drop_index(batch_op.f('ix_sms_outbound_provider_message_id'))
        batch_op.drop_index(batch_op.f('ix_sms_outbound_citizen_id'))

    op.drop_table('sms_outbound')
    with op.batch_alter_table('sms_inbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_inbound_msisdn'))
        batch_op.drop_index(batch_op.f('ix_sms_inbound_citizen_id'))

    op.drop_table('sms_inbound')
