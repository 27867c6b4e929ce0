"""Log lines: one JSON object per event, numbers and CNICs masked even in tracebacks, the request id on each."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from app import logs, request_id


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Our formatter and record factory on a private logger (pytest owns the root logger here)."""
    logs.configure(level="INFO", json_lines=True)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(json_lines=True))
    logger = logging.getLogger("rabta.test_logs")
    logger.addHandler(handler)
    logger.propagate = False
    yield stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_each_event_is_one_json_line_with_the_request_id_and_numbers_masked(captured: io.StringIO) -> None:
    log = logging.getLogger("rabta.test_logs")
    with request_id.bound("req-abcdef-42"):
        log.info("reply to %s (CNIC %s)", "+923001234567", "35202-1234567-2", extra={"queue": "sms"})
    try:
        raise ValueError("unparsable number 03001234567")
    except ValueError:
        log.exception("failed")
    first, second = (json.loads(line) for line in captured.getvalue().splitlines())
    assert first["message"] == "reply to +92300****567 (CNIC *****-****567-2)"
    assert (first["level"], first["logger"], first["request_id"], first["queue"]) == (
        "INFO", "rabta.test_logs", "req-abcdef-42", "sms")
    assert second["request_id"] is None and "ValueError: unparsable number 0300****567" in second["exc_info"]
    assert "1234567" not in captured.getvalue()
