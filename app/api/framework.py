"""A thin layer over Flask routes: typed inputs and outputs that also describe themselves.

`@operation(...)` registers a Flask view and records an `Operation`; the OpenAPI
document is generated from those records and the pydantic models they name, so the
contract and the code cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Blueprint, Response, request
from pydantic import BaseModel, TypeAdapter, ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from app.api.auth import authenticate
from app.errors import MalformedJson, ValidationFailed

AuthKind = Literal["citizen", "agency"] | None
JSON = "application/json"
PREFIX = "/api/v1"
_FLASK_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass(frozen=True)
class HeaderParam:
    name: str
    description: str
    required: bool = True
    max_length: int = 255


@dataclass
class Operation:
    method: str
    rule: str
    operation_id: str
    summary: str
    tag: str
    auth: AuthKind = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_params: dict[str, Any] = field(default_factory=dict)
    response: type[BaseModel] | None = None
    status: int = 200
    headers: tuple[HeaderParam, ...] = ()
    description: str = ""

    @property
    def path(self) -> str:
        return PREFIX + _FLASK_PARAM.sub(r"{\1}", self.rule)


OPERATIONS: list[Operation] = []


def operation(bp: Blueprint, method: str, rule: str, *, summary: str, tag: str, auth: AuthKind = None,
              body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
              path_params: dict[str, Any] | None = None, response: type[BaseModel] | None = None,
              status: int = 200, headers: tuple[HeaderParam, ...] = (),
              description: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        op = Operation(method=method.upper(), rule=rule, operation_id=func.__name__, summary=summary, tag=tag,
                       auth=auth, body=body, query=query, path_params=path_params or {}, response=response,
                       status=status, headers=headers, description=description or (func.__doc__ or "").strip())
        OPERATIONS.append(op)
        adapters = {name: TypeAdapter(kind) for name, kind in op.path_params.items()}

        def view(**path_values: str) -> Response:
            authenticate(op.auth)
            kwargs: dict[str, Any] = {name: _validate_path(name, adapters[name], value)
                                      for name, value in path_values.items()}
            if op.query is not None:
                kwargs["query"] = validate_model(op.query, request.args.to_dict())
            if op.body is not None:
                kwargs["body"] = parse_body(op.body)
            return to_response(func(**kwargs), op.status)

        bp.add_url_rule(rule, endpoint=func.__name__, view_func=view, methods=[op.method])
        return func

    return decorator


def _validate_path(name: str, adapter: TypeAdapter[Any], value: str) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise ValidationFailed(f"The {name} in the path is not valid.", field_errors={name: "invalid format"}) from exc


def parse_body(model: type[BaseModel]) -> BaseModel:
    raw = request.get_data(cache=True)  # werkzeug refuses bodies over MAX_CONTENT_LENGTH with 413
    if raw.strip() and request.mimetype != JSON and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise MalformedJson("The body is not valid JSON.", field_errors={"body": "not valid JSON"}) from exc
        raise validation_failed(exc) from exc


def validate_model(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc) from exc


_ERROR_WORDS = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "string_pattern_mismatch": "invalid format",
    "string_too_long": "too long",
    "string_too_short": "too short",
}


def validation_failed(exc: ValidationError) -> ValidationFailed:
    """pydantic's errors as `{field: short stable reason}` (dotted paths for nested fields)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "body"
        errors.setdefault(where, _ERROR_WORDS.get(error["type"], error["msg"]))
    return ValidationFailed("Some fields are missing or invalid.", field_errors=errors)


def to_response(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        return Response(result.model_dump_json(), status=status, mimetype=JSON)
    if result is None:
        return Response(status=204)
    raise TypeError(f"an API view returned {type(result).__name__}")


def json_response(model: BaseModel, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(model.model_dump_json(), status=status, mimetype=JSON, headers=headers)
