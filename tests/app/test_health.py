from __future__ import annotations

from flask.testing import FlaskClient

from app import create_app
from app.settings import Settings


def test_healthz_answers_while_the_process_is_alive(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_database_and_redis_ready(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_names_redis_when_it_is_stopped(settings: Settings) -> None:
    unreachable = settings.model_copy(update={"REDIS_URL": "redis://127.0.0.1:1/0"})
    stopped_redis_app = create_app(unreachable)
    response = stopped_redis_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["down"] == ["redis"]
    assert response.json["checks"]["database"] == "ok"


def test_unknown_paths_answer_problem_json_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "not_found"


def test_wrong_method_answers_problem_json_405(client: FlaskClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]
