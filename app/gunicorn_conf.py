"""gunicorn settings: `gunicorn -c python:app.gunicorn_conf app.wsgi:app` (Procfile, `rabta dev`).

- The master checks the settings first, so a production misconfiguration is one message, not a
  traceback per worker.
- It clears the metrics files of processes that are gone (see `app.metrics`).
- No gunicorn access log: the app writes one line per request with its request id and without the
  query string (webhook tokens travel there). gunicorn's own lines use our formatter (JSON in
  production), and an access log turned on with `--access-logfile` has its secrets redacted.
"""

from __future__ import annotations

import sys
from typing import Any

from app import logs, metrics
from app.accesslog import RedactingLogger
from app.settings import ConfigurationError, Settings

accesslog = None


def _settings() -> Settings | None:
    try:
        return Settings()
    except ConfigurationError:
        return None


def on_starting(server: Any) -> None:
    try:
        settings = Settings()
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    if settings.metrics_dir.is_dir():
        metrics.remove_dead_process_files(settings.metrics_dir)


class Logger(RedactingLogger):
    """Our formatter on gunicorn's lines; an access log, if an operator turns one on, hides secrets."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        logs.install_record_factory()
        settings = _settings()
        formatter = logs.formatter(settings.json_logs if settings else True)
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)


logger_class = Logger

# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl), which every
# gunicorn on the host then fights over; Rabta does not use it.
control_socket_disable = True
