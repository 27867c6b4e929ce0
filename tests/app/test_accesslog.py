from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from app.accesslog import RedactingLogger, redact_query


def test_secret_query_values_are_replaced_and_the_rest_kept() -> None:
    assert redact_query("GET /ussd/africastalking?token=s3cret&x=1 HTTP/1.1") == \
        "GET /ussd/africastalking?token=***&x=1 HTTP/1.1"
    assert redact_query("a=1&TOKEN=s3cret&otp=123456") == "a=1&TOKEN=***&otp=***"
    assert redact_query("GET /docs HTTP/1.1") == "GET /docs HTTP/1.1"


def test_gunicorns_access_log_line_carries_no_token() -> None:
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/sms/africastalking?token=s3cret", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/sms/africastalking", "QUERY_STRING": "token=s3cret", "REMOTE_ADDR": "127.0.0.1"}
    response = SimpleNamespace(status="200 OK", headers=[], sent=2)
    request = SimpleNamespace(headers=[("X-RABTA-TOKEN", "s3cret"), ("AUTHORIZATION", "Bearer abc")])
    atoms = RedactingLogger(Config()).atoms(response, request, environ, timedelta(seconds=0))
    assert "s3cret" not in repr(atoms) and "Bearer abc" not in repr(atoms)
    assert atoms["r"] == "POST /sms/africastalking?token=*** HTTP/1.1"


def test_the_procfile_web_process_uses_rabtas_gunicorn_config_and_its_redacting_logger() -> None:
    from pathlib import Path

    from app import gunicorn_conf

    web = next(line for line in (Path(__file__).parents[2] / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    assert "--config python:app.gunicorn_conf" in web
    assert gunicorn_conf.accesslog is None  # the app writes the access lines, without query strings
    assert issubclass(gunicorn_conf.logger_class, RedactingLogger) and gunicorn_conf.control_socket_disable
