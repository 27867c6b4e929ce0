"""The audit log: an append-only record of who did what in the console and the agency API."""
