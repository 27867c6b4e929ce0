"""Wiring of everything operations sees: request ids, access log, HTTP metrics, inbound provider log,
`/metrics`, security headers, trusted proxies, tracing and `rabta providers`.

Per request: take the request id from a trusted proxy's `X-Request-ID` (or make one),
echo it, time the request, count it by endpoint and status, record webhook exchanges
in the provider log, and write one access line (path only: query strings carry tokens).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app import metrics, request_id, security_headers, tracing
from app.providerlog import capture
from app.runtime import Runtime, current

access_log = logging.getLogger("rabta.http.access")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: no access line
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def install_early(app: Flask, runtime: Runtime) -> None:
    """Before the blueprints: process-wide sinks, and hooks that must run around theirs."""
    metrics.configure(runtime.settings.metrics_dir)
    capture.configure(runtime.redis)
    security_headers.install(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)


def install(app: Flask, runtime: Runtime) -> None:
    """After the blueprints: `/metrics`, the CLI, the proxy fix and tracing."""
    from app.metrics_http import bp as metrics_bp
    from app.providerlog.cli import providers_group

    app.register_blueprint(metrics_bp)
    app.cli.add_command(providers_group)
    proxies = runtime.settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore[method-assign]
                                x_port=proxies)
    tracing.install(app, runtime)


def _start_request() -> None:
    # Read only behind a trusted proxy: werkzeug answers an absent header by raising (and catching) a KeyError.
    incoming = request.headers.get(request_id.HEADER) if current().settings.TRUSTED_PROXY_COUNT > 0 else None
    g.rabta_request_id = incoming if incoming and request_id.acceptable(incoming) else request_id.new()
    g.rabta_request_token = request_id.set_current(g.rabta_request_id)
    g.rabta_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    started = g.get("rabta_started")
    elapsed = time.perf_counter() - started if started is not None else 0.0
    rid = request_id.current() or g.get("rabta_request_id")
    if rid:
        response.headers[request_id.HEADER] = rid
    endpoint = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    method = request.method if request.method in KNOWN_METHODS else "OTHER"
    metrics.observe_http(endpoint, method, response.status_code, elapsed)
    provider = capture.inbound_provider(request.path)
    if provider is not None:
        _record_webhook(provider, response, elapsed)
    level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
    access_log.log(level, "%s %s %s %d ms", method, request.path, response.status_code, round(elapsed * 1000),
                   extra={"endpoint": endpoint, "status": response.status_code,
                          "duration_ms": round(elapsed * 1000, 1), "client": request.remote_addr})
    return response


def _record_webhook(provider: str, response: Response, elapsed: float) -> None:
    if request.mimetype in FORM_TYPES:
        body: bytes | list[tuple[str, str]] = list(request.form.items(multi=True))
        body_type = FORM_TYPES[0]
    else:
        body, body_type = request.get_data(cache=True), request.mimetype
    streamed = response.direct_passthrough or response.is_streamed
    capture.record_inbound(
        provider=provider, method=request.method, path=request.path,
        query=request.query_string.decode("utf-8", "replace"), status=response.status_code, elapsed=elapsed,
        request_body=body, request_type=body_type, response_body=b"" if streamed else response.get_data(),
        response_type=response.mimetype or "")


def _end_request(_error: BaseException | None) -> None:
    token = g.pop("rabta_request_token", None)
    if token is not None:
        request_id.reset(token)
