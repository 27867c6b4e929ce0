"""The sandbox wallet's charges on disk (SQLite), so a restarted wallet still knows every charge it
approved or declined, as a real provider would."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import astuple, fields
from pathlib import Path
from typing import Any

SCHEMA = """CREATE TABLE IF NOT EXISTS charge (
    charge_id TEXT PRIMARY KEY, merchant_reference TEXT NOT NULL UNIQUE, amount INTEGER NOT NULL,
    currency TEXT NOT NULL, msisdn TEXT NOT NULL, scenario TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT, created_at TEXT NOT NULL, decided_at TEXT, request_id TEXT)"""
# Columns added since the first version of the file: an older wallet file gains them on start.
ADDED_COLUMNS = {"request_id": "TEXT"}


class ChargeStore:
    """Write-through copy of the charges; the wallet keeps serving from memory."""

    def __init__(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute(SCHEMA)
        present = {row[1] for row in self._connection.execute("PRAGMA table_info(charge)")}
        for name, kind in ADDED_COLUMNS.items():
            if name not in present:
                self._connection.execute(f"ALTER TABLE charge ADD COLUMN {name} {kind}")
        self._lock = threading.Lock()

    def load(self, charge_type: type) -> list[Any]:
        columns = ", ".join(f.name for f in fields(charge_type))
        with self._lock:
            rows = self._connection.execute(f"SELECT {columns} FROM charge ORDER BY created_at").fetchall()
        return [charge_type(*row) for row in rows]

    def save(self, charge: Any) -> None:
        names = [f.name for f in fields(charge)]
        sql = (f"INSERT OR REPLACE INTO charge ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})")
        with self._lock:
            self._connection.execute(sql, astuple(charge))

    def close(self) -> None:
        with self._lock:
            self._connection.close()
