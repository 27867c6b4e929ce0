"""Channels are thin adapters: they ask the domain services and never query the tables themselves.

An import-graph check over the channel modules (the app API, USSD, SMS keyword handling, the
payment rails' HTTP edge and every CLI): none of them builds a query (`select`, `update`, ...)
or calls a session's query methods; a business decision lives in one domain function they call.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHANNEL_PACKAGES = ("app/api", "ussd", "console", "simulator")
CHANNEL_MODULES = (
    "sms/routes.py", "sms/webhooks.py", "sms/commands.py", "sms/parsing.py", "sms/channel.py",
    "payments/routes.py", "payments/onebill_routes.py", "payments/cli.py", "payments/channel.py",
    "app/auth/cli.py", "app/cli.py", "app/health.py",
    "analytics/routes.py", "analytics/public.py", "analytics/channel.py", "analytics/cli.py",
)
QUERY_BUILDERS = {"select", "update", "insert", "delete", "text"}
SESSION_QUERIES = {"exec", "execute", "get", "query", "scalar", "scalars"}
# Infrastructure a channel may use: the health probe's "SELECT 1".
ALLOWED = {("app/health.py", "text")}


def channel_files() -> list[Path]:
    files = [path for package in CHANNEL_PACKAGES if (ROOT / package).is_dir()
             for path in (ROOT / package).rglob("*.py")]
    return files + [ROOT / module for module in CHANNEL_MODULES]


def _violations(source: str, relative: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlmodel", "sqlalchemy"):
            found += [f"{relative}:{node.lineno} imports {alias.name} from {node.module}" for alias in node.names
                      if alias.name in QUERY_BUILDERS and (relative, alias.name) not in ALLOWED]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SESSION_QUERIES and isinstance(node.func.value, ast.Name)
                and "session" in node.func.value.id):
            found.append(f"{relative}:{node.lineno} calls {node.func.value.id}.{node.func.attr}()")
    return found


def test_no_channel_module_queries_the_database_itself() -> None:
    problems = [problem for path in channel_files()
                for problem in _violations(path.read_text(), path.relative_to(ROOT).as_posix())]
    assert problems == [], "channels must call a domain service:\n" + "\n".join(problems)


def test_the_check_would_catch_a_channel_that_queries() -> None:
    offender = "from sqlmodel import select\n\ndef f(session):\n    return session.exec(select(1))\n"
    assert len(_violations(offender, "ussd/offender.py")) == 2
