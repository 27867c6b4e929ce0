"""`GET /openapi.json` and the `GET /docs` page: Swagger UI, vendored unmodified from the pinned npm package
swagger-ui-dist (see `static/swagger-ui/VERSION`) and served from here, never from a CDN. The page has no
inline script (the CSP forbids it): `static/docs.js` starts Swagger UI against /openapi.json, so "try it"
calls this same origin."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response

from app.api.openapi import build_openapi

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_VERSION = "1.0.0"
SWAGGER_UI_VERSION = "5.35.0"

docs_bp = Blueprint("api_docs", __name__, static_folder=str(STATIC_DIR), static_url_path="/docs/static")

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rabta API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/static/swagger-ui/swagger-ui.css?v={SWAGGER_UI_VERSION}">
<link rel="stylesheet" href="/docs/static/docs.css">
<script src="/docs/static/swagger-ui/swagger-ui-bundle.js?v={SWAGGER_UI_VERSION}" defer></script>
<script src="/docs/static/docs.js" defer></script>
</head>
<body>
<main id="swagger-ui" aria-label="Rabta API reference"></main>
<noscript><p>The interactive reference needs JavaScript; the contract itself is at
<a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></noscript>
</body>
</html>
"""


@cache
def _document() -> str:
    """Built once per process: the operations are fixed at import time."""
    return json.dumps(build_openapi(title="Rabta API", version=API_VERSION))


@docs_bp.get("/openapi.json")
def openapi_json() -> Response:
    return Response(_document(), mimetype="application/json")


@docs_bp.get("/docs")
def docs_page() -> Response:
    return Response(PAGE, mimetype="text/html")
