"""The OpenAPI 3.1 document, generated from the registered operations and their pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from app.api.framework import OPERATIONS, Operation
from app.api.schemas.common import Problem

REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"
SECURITY_SCHEMES = {
    "citizen": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "Access token from POST /api/v1/auth/token (15 minutes)."},
    "agency": {"type": "http", "scheme": "bearer",
               "description": "Agency API key (`rabta agency create-key CODE`), starts with `rbk_`."},
}
_STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}


def build_openapi(*, title: str, version: str, server_url: str | None = None) -> dict[str, Any]:
    models = _models(OPERATIONS)
    _, schema = models_json_schema([(model, "validation" if is_input else "serialization")
                                    for model, is_input in models], ref_template=REF)
    components = schema.get("$defs", {})
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Rabta app and agency API. Errors are application/problem+json with a stable "
                                "`code` and a `detail` in the language of Accept-Language (en, ur)."},
        "paths": {},
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in OPERATIONS)],
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    for op in OPERATIONS:
        document["paths"].setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return document


def _models(operations: list[Operation]) -> list[tuple[type[BaseModel], bool]]:
    seen: dict[tuple[type[BaseModel], bool], None] = {(Problem, False): None}
    for op in operations:
        for model, is_input in ((op.body, True), (op.query, True), (op.response, False)):
            if model is not None:
                seen[(model, is_input)] = None
    return list(seen)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _operation(op: Operation) -> dict[str, Any]:
    spec: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                            "parameters": _parameters(op), "responses": _responses(op)}
    if op.description:
        spec["description"] = op.description
    spec["security"] = [{op.auth: []}] if op.auth else []
    if op.body is not None:
        spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body)}}}
    return spec


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": TypeAdapter(kind).json_schema()}
        for name, kind in op.path_params.items()
    ]
    if op.query is not None:
        query_schema = op.query.model_json_schema(ref_template=REF)
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                param["description"] = prop["description"]
            params.append(param)
    for header in op.headers:
        params.append({"name": header.name, "in": "header", "required": header.required,
                       "description": header.description,
                       "schema": {"type": "string", "minLength": 1, "maxLength": header.max_length,
                                  "pattern": "^[\\x21-\\x7e]+$"}})
    params.append({"name": "Accept-Language", "in": "header", "required": False,
                   "description": "en or ur (ur-Latn for Roman Urdu) for localised texts and errors",
                   "schema": {"type": "string", "maxLength": 200, "pattern": "^[\\x20-\\x7e]*$",
                              "examples": ["ur", "en"]}})
    return params


def _responses(op: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": _STATUS_TEXT.get(op.status, "Success")}
    if op.response is not None and op.status != 204:
        success["content"] = {"application/json": {"schema": _ref(op.response)}}
    problem = {"content": {PROBLEM_JSON: {"schema": _ref(Problem)}}}
    responses: dict[str, Any] = {str(op.status): success}
    if op.auth:
        responses["401"] = {"description": "Missing, expired or invalid credentials", **problem}
    responses["429"] = {"description": "Rate limited; see Retry-After",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}}, **problem}
    responses["default"] = {"description": "A problem (application/problem+json)", **problem}
    return responses
