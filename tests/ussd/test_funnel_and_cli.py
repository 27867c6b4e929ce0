"""Funnel figures per screen, `rabta ussd funnel`, and the `rabta ussd simulate` terminal over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app.runtime import Runtime
from tests.fixtures.ussd import AYESHA, UssdCall
from tests.support import free_port
from ussd import funnel


def test_the_funnel_counts_arrivals_completions_back_outs_and_timeouts(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    finished = dial(AYESHA)
    finished.send("2", "DOM-2026-000001", "0", "00")
    finished.end("Success")
    dropped = dial(AYESHA)
    dropped.send("1", "not a psid")
    dropped.end("Incomplete")
    figures = funnel.read(runtime.redis)
    assert figures["home"]["arrival"] == 3  # two dials, one 00
    assert figures["home"]["completion"] == 2
    assert figures["status.tracking"]["completion"] == 1 and figures["status.tracking"]["arrival"] == 2
    assert figures["status.show"]["back"] == 1
    assert figures["pay.psid"]["invalid"] == 1 and figures["pay.psid"]["timeout"] == 1
    assert figures[funnel.SESSIONS] == {**figures[funnel.SESSIONS], "success": 1, "incomplete": 1}


def test_rabta_ussd_funnel_prints_the_table(demo: None, app: Flask, dial: Callable[..., UssdCall]) -> None:
    dial(AYESHA).send("2")
    result = app.test_cli_runner().invoke(args=["ussd", "funnel", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "arrival" in result.output and "status.tracking" in result.output


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_simulator_talks_to_a_running_server_like_africas_talking(
        demo: None, app: Flask, runtime: Runtime, live_server: str) -> None:
    result = app.test_cli_runner().invoke(args=["ussd", "simulate", "+923001234567", "--url", live_server],
                                          input="2\nDOM-2026-000001\n")
    assert result.exit_code == 0, result.output
    assert "Rabta govt services" in result.output and "Under review" in result.output
    assert "session cancelled" in result.output  # input ran out: the session ends Incomplete
    assert funnel.read(runtime.redis)[funnel.SESSIONS]["incomplete"] == 1


def test_the_simulator_ends_with_the_server(demo: None, app: Flask, live_server: str) -> None:
    result = app.test_cli_runner().invoke(args=["ussd", "simulate", "03001234567", "--url", live_server],
                                          input="1\n10000000000000001\n1\n1111\n1111\n1111\n")
    assert result.exit_code == 0, result.output
    assert "Too many wrong PINs" in result.output and "session cancelled" not in result.output
