"""Optional OpenTelemetry tracing (`OTEL_ENABLED=1`, the `otel` extra installed).

Off by default and free when off: nothing from opentelemetry is imported. When on, the
Flask app, SQLAlchemy engine(s), Redis and `requests` (SDKs, the sandbox adapter) are
instrumented and spans go to the OTLP exporter, which reads the standard
`OTEL_EXPORTER_OTLP_*` variables itself.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from app.runtime import Runtime
from app.settings import ConfigurationError

log = logging.getLogger("rabta.tracing")

_provider: Any = None


def install(app: Flask, runtime: Runtime, exporter: Any = None) -> bool:
    """Instrument this process; `exporter` replaces the OTLP one (tests pass an in-memory exporter)."""
    if not runtime.settings.OTEL_ENABLED:
        return False
    try:
        from opentelemetry.instrumentation.flask import FlaskInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor
        from opentelemetry.instrumentation.requests import RequestsInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    except ImportError as exc:
        raise ConfigurationError("OTEL_ENABLED is on but OpenTelemetry is not installed: "
                                 "pip install 'rabta[otel]'") from exc
    _ensure_provider(runtime.settings.OTEL_SERVICE_NAME, exporter)
    FlaskInstrumentor().instrument_app(app)
    # skip_dep_check: the instrumentation pins SQLAlchemy < 2.1 but works with the engine events of 2.1.
    SQLAlchemyInstrumentor().instrument(engine=runtime.db.engine, skip_dep_check=True)
    if not RedisInstrumentor().is_instrumented_by_opentelemetry:
        RedisInstrumentor().instrument()
    if not RequestsInstrumentor().is_instrumented_by_opentelemetry:
        RequestsInstrumentor().instrument()
    return True


def _ensure_provider(service_name: str, exporter: Any) -> None:
    """One tracer provider per process (OpenTelemetry allows setting it once)."""
    global _provider
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        trace.set_tracer_provider(_provider)
    if exporter is not None:
        _provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif not getattr(_provider, "_rabta_otlp", False):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        _provider._rabta_otlp = True
