"""cnic at rest: citizen.cnic and pending_cnic_link.cnic hold a sealed token (app.citizens.cnic_vault) and a keyed
`cnic_hash` does the equality lookups (unique for citizens). Existing rows are sealed here with the key the app's
settings give (CNIC_ENCRYPTION_KEY, else SECRET_KEY outside production): run it with the app's environment.
The downgrade opens them again, so it needs the same key.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from app.citizens import cnic_vault

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED = sa.String(length=cnic_vault.SEALED_LENGTH)
CLEAR = sa.String(length=13)
HASH = sa.String(length=64)


def _convert(table: str, change: Callable[[str], str], with_hash: bool) -> None:
    """Rewrite every stored CNIC of `table` with `change` (seal or open), one row at a time by primary key."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, cnic FROM {table} WHERE cnic IS NOT NULL")).all()  # noqa: S608
    for row_id, stored in rows:
        value = change(stored)
        if with_hash:  # the clear digits are `stored` when sealing
            bind.execute(sa.text(f"UPDATE {table} SET cnic = :cnic, cnic_hash = :hash WHERE id = :id"),  # noqa: S608
                         {"cnic": value, "hash": cnic_vault.lookup_hash(stored), "id": row_id})
        else:
            bind.execute(sa.text(f"UPDATE {table} SET cnic = :cnic WHERE id = :id"),  # noqa: S608
                         {"cnic": value, "id": row_id})


def upgrade() -> None:
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.drop_constraint('uq_citizen_cnic', type_='unique')  # a unique ciphertext says nothing
        batch_op.alter_column('cnic', existing_type=CLEAR, type_=SEALED, existing_nullable=True)
        batch_op.add_column(sa.Column('cnic_hash', HASH, nullable=True))
    with op.batch_alter_table('pending_cnic_link', schema=None) as batch_op:
        batch_op.drop_index('ix_pending_cnic_link_cnic')
        batch_op.alter_column('cnic', existing_type=CLEAR, type_=SEALED, existing_nullable=False)
        batch_op.add_column(sa.Column('cnic_hash', HASH, nullable=False, server_default=''))

    _convert('citizen', cnic_vault.seal, with_hash=True)
    _convert('pending_cnic_link', cnic_vault.seal, with_hash=True)

    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.create_index('ix_citizen_cnic_hash', ['cnic_hash'], unique=True)
    with op.batch_alter_table('pending_cnic_link', schema=None) as batch_op:
        batch_op.alter_column('cnic_hash', existing_type=HASH, existing_nullable=False, server_default=None)
        batch_op.create_index('ix_pending_cnic_link_cnic_hash', ['cnic_hash'], unique=False)


def downgrade() -> None:
    _convert('citizen', cnic_vault.open_, with_hash=False)
    _convert('pending_cnic_link', cnic_vault.open_, with_hash=False)

    with op.batch_alter_table('pending_cnic_link', schema=None) as batch_op:
        batch_op.drop_index('ix_pending_cnic_link_cnic_hash')
        batch_op.drop_column('cnic_hash')
        batch_op.alter_column('cnic', existing_type=SEALED, type_=CLEAR, existing_nullable=False)
        batch_op.create_index('ix_pending_cnic_link_cnic', ['cnic'], unique=False)
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.drop_index('ix_citizen_cnic_hash')
        batch_op.drop_column('cnic_hash')
        batch_op.alter_column('cnic', existing_type=SEALED, type_=CLEAR, existing_nullable=True)
        batch_op.create_unique_constraint('uq_citizen_cnic', ['cnic'])
