"""CORS off unless configured, and no stack trace or path in any error response."""

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.routes import score as score_routes
from service.main import create_app
from service.settings import Settings

ORIGIN = "https://newsroom.example"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


def test_cors_is_off_by_default(model_dir: Path) -> None:
    with TestClient(create_app(Settings(model_dir=model_dir))) as client:
        simple = client.get("/health", headers={"Origin": ORIGIN})
        assert simple.status_code == 200
        assert "access-control-allow-origin" not in simple.headers
        preflight = client.options("/v1/score", headers=PREFLIGHT)
        assert preflight.status_code == 405
        assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize(
    ("configured", "origin", "allowed"),
    [
        pytest.param(ORIGIN, ORIGIN, True, id="listed-origin"),
        pytest.param(f"https://other.example, {ORIGIN}", ORIGIN, True, id="in-a-list"),
        pytest.param(ORIGIN, "https://evil.example", False, id="unlisted-origin"),
    ],
)
def test_cors_when_configured(
    model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    configured: str,
    origin: str,
    allowed: bool,
) -> None:
    monkeypatch.setenv("TONE_CORS_ORIGINS", configured)
    settings = Settings(model_dir=model_dir)
    with TestClient(create_app(settings)) as client:
        preflight = client.options("/v1/score", headers={**PREFLIGHT, "Origin": origin})
        simple = client.get("/health", headers={"Origin": origin})
    if allowed:
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        assert simple.headers["access-control-allow-origin"] == origin
    else:
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in simple.headers


def test_unexpected_error_is_a_bare_500_and_is_logged(
    model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = f"{model_dir}/model.skops"

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"cannot read {secret}")

    monkeypatch.setattr(score_routes, "score_frame", explode)
    app = create_app(Settings(model_dir=model_dir))
    with (
        caplog.at_level(logging.ERROR, logger="tone.service"),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        response = client.post("/v1/score", json={"text": "Anything at all."})
    assert (response.status_code, response.json()) == (
        500,
        {"detail": "Internal server error"},
    )
    assert secret not in response.text and "Traceback" not in response.text
    assert "unexpected error on /v1/score" in caplog.text
    assert secret in caplog.text  # the operator still sees what went wrong


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        pytest.param("get", "/nowhere", None, 404, "Not Found", id="unknown-path"),
        pytest.param(
            "put", "/health", None, 405, "Method Not Allowed", id="unknown-method"
        ),
        pytest.param(
            "post",
            "/v1/score",
            '{"text": "café"}'.encode("latin-1"),
            422,
            "Invalid JSON: not UTF-8",
            id="latin-1-body",
        ),
        pytest.param("post", "/v1/score", b"{", 422, "Invalid JSON", id="json"),
    ],
)
def test_errors_are_short_and_leak_nothing(
    client: TestClient,
    model_dir: Path,
    method: str,
    path: str,
    body: bytes | None,
    status: int,
    detail: str,
) -> None:
    response = client.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert str(model_dir) not in response.text and "Traceback" not in response.text


def test_model_info_holds_no_file_path(client: TestClient, model_dir: Path) -> None:
    text = client.get("/v1/model").text
    assert str(model_dir) not in text and str(Path.cwd()) not in text
