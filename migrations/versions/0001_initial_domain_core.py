"""Initial domain core: citizens, catalogue, applications, bills, notification outbox.

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 22:05:41.385246
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.timeutil

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('name_ur', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('name_ur_latn', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
    sa.UniqueConstraint('code', name=op.f('uq_agency_code'))
    )
    op.create_table('citizen',
    sa.Column('msisdn', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cnic', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
    sa.Column('pin_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('pin_failed_attempts', sa.Integer(), nullable=False),
    sa.Column('pin_locked_until', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sms_opt_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen')),
    sa.UniqueConstraint('cnic', name=op.f('uq_citizen_cnic')),
    sa.UniqueConstraint('msisdn', name=op.f('uq_citizen_msisdn'))
    )
    op.create_table('tracking_sequence',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_tracking_sequence'))
    )
    op.create_table('bill',
    sa.Column('psid', sqlmodel.sql.sqltypes.AutoString(length=17), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('amount_within_due', sa.BigInteger(), nullable=False),
    sa.Column('amount_after_due', sa.BigInteger(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('billing_month', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('paid_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_amount', sa.BigInteger(), nullable=True),
    sa.Column('settled_by_payment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_bill_agency_id_agency')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_bill_citizen_id_citizen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill')),
    sa.UniqueConstraint('psid', name=op.f('uq_bill_psid'))
    )
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bill_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_settled_by_payment_id'), ['settled_by_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bill_status'), ['status'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('msisdn', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('essential', sa.Boolean(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_notification_citizen_id_citizen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_dedupe_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_status'), ['status'], unique=False)

    op.create_table('service',
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('name_ur', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('name_ur_latn', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('fee_paisa', sa.Integer(), nullable=False),
    sa.Column('sla_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('required_fields', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_service_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service')),
    sa.UniqueConstraint('code', name=op.f('uq_service_code'))
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_agency_id'), ['agency_id'], unique=False)

    op.create_table('service_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('submitted_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sla_due_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_changed_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_service_request_agency_id_agency')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_service_request_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_request_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_request')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_service_request_tracking_number'))
    )
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_request_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_request_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_request_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_request_status'), ['status'], unique=False)

    op.create_table('status_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_status_event_request_id_service_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_event'))
    )
    with op.batch_alter_table('status_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_event_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_event_request_id'))

    op.drop_table('status_event')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_request_status'))
        batch_op.drop_index(batch_op.f('ix_service_request_service_id'))
        batch_op.drop_index(batch_op.f('ix_service_request_citizen_id'))
        batch_op.drop_index(batch_op.f('ix_service_request_agency_id'))

    op.drop_table('service_request')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_agency_id'))

    op.drop_table('service')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_status'))
        batch_op.drop_index(batch_op.f('ix_notification_citizen_id'))

    op.drop_table('notification')
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bill_status'))
        batch_op.drop_index(batch_op.f('ix_bill_settled_by_payment_id'))
        batch_op.drop_index(batch_op.f('ix_bill_citizen_id'))
        batch_op.drop_index(batch_op.f('ix_bill_agency_id'))

    op.drop_table('bill')
    op.drop_table('tracking_sequence')
    op.drop_table('citizen')
    op.drop_table('agency')
