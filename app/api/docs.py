"""`GET /openapi.json` and the `GET /docs` page; the page's JS and CSS are served from here (no CDN)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response

from app.api.openapi import build_openapi

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_VERSION = "1.0.0"

docs_bp = Blueprint("api_docs", __name__, static_folder=str(STATIC_DIR), static_url_path="/docs/static")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rabta API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/static/docs.css">
<script src="/docs/static/docs.js" defer></script>
</head>
<body>
<header><h1>Rabta API</h1><p id="intro">Loading the OpenAPI document&hellip;</p>
<p class="auth"><label for="token">Bearer token or agency key</label>
<input id="token" type="password" autocomplete="off" placeholder="paste a token to try requests"></p></header>
<nav id="toc" aria-label="Operations"></nav>
<main id="operations"></main>
<noscript>The interactive page needs JavaScript; the raw contract is at <a href="/openapi.json">/openapi.json</a>.
</noscript>
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
