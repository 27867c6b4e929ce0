"""Who is signed in to the agency console, as every browser page outside `console/` needs to know it.

The console owns sign-in; other packages (analytics dashboards, the phone simulator in production) only ask
`current_officer()`. The console installs the loader at `app.extensions[OFFICER_LOADER]` in its channel setup,
so those packages never import the console and their tests can install a loader of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

OFFICER_LOADER = "rabta.current_officer"
ROLES = ("officer", "supervisor", "admin")


@dataclass(frozen=True)
class OfficerScope:
    """A signed-in officer: `agency_id` is None for a platform admin, who sees every agency."""

    officer_id: int
    email: str
    role: str
    agency_id: int | None
    language: str = "en"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def current_officer() -> OfficerScope | None:
    """The officer of this request, or None when nobody is signed in (or no console is installed)."""
    loader: Callable[[], OfficerScope | None] | None = current_app.extensions.get(OFFICER_LOADER)
    return loader() if loader is not None else None
