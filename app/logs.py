"""Logging for web and worker: one event per line, JSON in production, readable in development.

Every record gets the current `request_id` (see `app.request_id`) and has phone
numbers and CNICs masked on creation (`app.redaction.mask_text`), whichever handler
ends up writing it: a safety net under the masking the code already does.
RQ's own per-job and idle chatter is turned down; our worker writes one line per job.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from app import request_id
from app.redaction import mask_text

HANDLER_NAME = "rabta"
# RQ logs three lines per job and more while idle; ours is one line per job (app.worker).
QUIET_LOGGERS = ("rq.worker", "rq.job", "rq.scheduler", "rq.queue", "twilio.http_client", "urllib3")
CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"
JSON_FIELDS = "{asctime}{levelname}{name}{message}{request_id}"
JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}

_factory_installed = False


def configure(*, level: str, json_lines: bool) -> None:
    """Install our handler on the root logger, unless someone else (pytest, an embedding app) owns it."""
    _install_record_factory()
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("rabta").setLevel(level)
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if handler.get_name() == HANDLER_NAME]
    if root.handlers and not ours:
        return
    for handler in ours:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter(json_lines))
    root.addHandler(handler)
    root.setLevel(level)


class _MaskedTracebacks:
    """Exception messages can quote input (a number that did not parse): mask tracebacks too."""

    def formatException(self, ei: Any) -> str:
        return mask_text(super().formatException(ei))  # type: ignore[misc]


class _JsonFormatter(_MaskedTracebacks, JsonFormatter):
    pass


class _ConsoleFormatter(_MaskedTracebacks, logging.Formatter):
    pass


def formatter(json_lines: bool) -> logging.Formatter:
    if json_lines:
        return _JsonFormatter(JSON_FIELDS, style="{", rename_fields=JSON_RENAMES, json_ensure_ascii=False,
                              reserved_attrs=[*RESERVED_ATTRS, "request_tag"])
    return _ConsoleFormatter(CONSOLE_FORMAT, defaults={"request_tag": ""})  # records made before our factory


def install_record_factory() -> None:
    """For processes that log before (or without) building the app, e.g. gunicorn's master."""
    _install_record_factory()


def _install_record_factory() -> None:
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _enrich(record)
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def _enrich(record: logging.LogRecord) -> None:
    rid = request_id.current()
    record.request_id = rid
    record.request_tag = f" [{rid[:12]}]" if rid else ""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is logging's problem to report, not ours
        return
    record.msg, record.args = mask_text(message), None
