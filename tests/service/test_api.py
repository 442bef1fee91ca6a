import gzip
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import Settings
from tests.conftest import OPINION_TEXT, REPORTING_TEXT

JSON = {"content-type": "application/json"}


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["model_version"] == "test-model"


def test_a_lone_surrogate_in_the_text_is_scored(client: TestClient) -> None:
    body = b'{"text": "We must act \\ud800 now.", "title": "Now"}'
    response = client.post("/v1/score", content=body, headers=JSON)
    assert response.status_code == 200, response.text


def test_not_ready_without_a_model(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(model_dir=tmp_path / "none"))) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/ready").json() == {"detail": "Model not loaded"}
        assert client.get("/ready").status_code == 503
        response = client.post("/v1/score", json={"text": "Anything."})
        assert (response.status_code, response.json()) == (
            503,
            {"detail": "Model not loaded"},
        )


def test_score_one(client: TestClient) -> None:
    response = client.post(
        "/v1/score", json={"text": OPINION_TEXT, "id": "op-1", "title": "Vote yes"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "op-1" and body["label"] == "opinion"
    assert body["model_version"] == "test-model"
    assert body["sentences"] and body["top_features"]["opinion"]
    for cue in body["hedging"]["cues"]:
        assert OPINION_TEXT[cue["start"] : cue["end"]] == cue["text"]


def test_detail_false_drops_lists(client: TestClient) -> None:
    body = client.post("/v1/score?detail=false", json={"text": REPORTING_TEXT}).json()
    assert body["label"] == "reporting"
    assert body["sentences"] == [] and body["hedging"]["cues"] == []
    assert body["hedging"]["sentences"] > 0


def test_batch_keeps_order_and_ids(client: TestClient) -> None:
    articles = [
        {"text": t, "id": str(i)}
        for i, t in enumerate([OPINION_TEXT, REPORTING_TEXT, OPINION_TEXT])
    ]
    body = client.post("/v1/score/batch", json={"articles": articles}).json()
    assert [r["id"] for r in body["results"]] == ["0", "1", "2"]
    assert [r["label"] for r in body["results"]] == ["opinion", "reporting", "opinion"]


def test_model_info(client: TestClient) -> None:
    body = client.get("/v1/model").json()
    assert body["version"] == "test-model"


def test_metrics(client: TestClient) -> None:
    client.post("/v1/score", json={"text": REPORTING_TEXT})
    text = client.get("/metrics").text
    assert 'tone_predictions_total{label="reporting"}' in text
    assert 'tone_model_info{version="test-model"}' in text
    assert "http_request_duration_seconds" in text


def test_openapi_has_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["Article"]["examples"]
    assert "/v1/score/batch" in schema["paths"]


@pytest.mark.parametrize(
    ("kwargs", "status", "detail"),
    [
        pytest.param({"json": {"text": ""}}, 422, "text must not be empty", id="empty"),
        pytest.param(
            {"json": {"text": " \n\t "}}, 422, "text must not be empty", id="whitespace"
        ),
        pytest.param(
            {"json": {"text": "x" * 5_001}},
            422,
            "text exceeds the maximum of 5000 characters",
            id="too-long",
        ),
        pytest.param(
            {"json": {"text": "ok", "colour": "red"}},
            422,
            "Unknown field: colour",
            id="unknown-field",
        ),
        pytest.param({"json": {}}, 422, "Missing field: text", id="missing-text"),
        pytest.param(
            {"json": {"text": 5}},
            422,
            "text: Input should be a valid string",
            id="not-a-string",
        ),
        pytest.param(
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            "Invalid JSON",
            id="invalid-json",
        ),
        pytest.param(
            {"content": b"text=hi", "headers": {"content-type": "text/plain"}},
            415,
            "Content-Type must be application/json",
            id="wrong-type",
        ),
        pytest.param(
            {"content": b"{}", "headers": {}},
            415,
            "Content-Type must be application/json",
            id="no-type",
        ),
        pytest.param(
            {"content": b'{"text": "ok", "id": "a\\ud800"}', "headers": JSON},
            422,
            "id: must be valid Unicode (it holds a lone surrogate)",
            id="surrogate-id",
        ),
        pytest.param(
            {"content": b'{"text": "ok", "title": "\\udc00"}', "headers": JSON},
            422,
            "title: must be valid Unicode (it holds a lone surrogate)",
            id="surrogate-title",
        ),
        pytest.param(
            {"json": {"text": "ok", "title": "t" * 1_001}},
            422,
            "title: String should have at most 1000 characters",
            id="title-too-long",
        ),
        pytest.param(
            {"json": {"text": "ok", "id": "i" * 1_001}},
            422,
            "id: String should have at most 1000 characters",
            id="id-too-long",
        ),
        pytest.param(
            {"content": b"[" * 5_000 + b"]" * 5_000, "headers": JSON},
            422,
            "Invalid JSON: nested too deeply",
            id="nested-too-deeply",
        ),
        pytest.param(
            {
                "content": gzip.compress(b'{"text": "ok"}'),
                "headers": {**JSON, "content-encoding": "gzip"},
            },
            415,
            "Content-Encoding is not supported; send the body uncompressed",
            id="gzip",
        ),
        pytest.param(
            {
                "content": gzip.compress(b'{"text": "ok"}'),
                # The dict of headers kept the last one only, and let this through.
                "headers": [
                    ("content-type", "application/json"),
                    ("content-encoding", "gzip"),
                    ("content-encoding", "identity"),
                ],
            },
            415,
            "Content-Encoding is not supported; send the body uncompressed",
            id="gzip-then-identity",
        ),
        pytest.param(
            {
                "content": b'{"text": "ok"}',
                "headers": [
                    ("content-type", "application/json"),
                    ("content-type", "text/plain"),
                ],
            },
            400,
            "Send one Content-Type header, not several",
            id="two-content-types",
        ),
        pytest.param(
            {
                "content": b'{"text": "' + b"a" * 70_000 + b'"}',
                "headers": {"content-type": "application/json"},
            },
            413,
            "Request body exceeds the maximum of 65536 bytes",
            id="body-too-large",
        ),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client: TestClient, kwargs: dict, status: int, detail: str
) -> None:
    response = client.post("/v1/score", **kwargs)
    assert (response.status_code, response.json()) == (status, {"detail": detail})


def test_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks():
        yield b'{"text": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}'

    response = client.post(
        "/v1/score", content=chunks(), headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.json()) == (
        413,
        {"detail": "Request body exceeds the maximum of 65536 bytes"},
    )


def test_batch_limits(client: TestClient) -> None:
    too_many = {"articles": [{"text": "Fine."}] * 5}
    response = client.post("/v1/score/batch", json=too_many)
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "batch exceeds the maximum of 4 articles"},
    )
    empty_item = client.post(
        "/v1/score/batch", json={"articles": [{"text": "ok"}, {"text": ""}]}
    )
    assert empty_item.json() == {"detail": "articles.1.text: text must not be empty"}
    long_item = client.post(
        "/v1/score/batch", json={"articles": [{"text": "ok"}, {"text": "x" * 5_001}]}
    )
    assert (long_item.status_code, long_item.json()) == (
        422,
        {"detail": "articles.1.text: text exceeds the maximum of 5000 characters"},
    )


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_need_no_internet(client: TestClient, page: str) -> None:
    html = client.get(page).text
    assert "http://" not in html and "https://" not in html
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_an_unknown_path_or_method_wins_over_the_body_limit(client: TestClient) -> None:
    big = b'{"text": "' + b"a" * 70_000 + b'"}'
    assert client.post("/nope", content=big, headers=JSON).status_code == 404
    assert client.put("/health", content=big, headers=JSON).status_code == 405

    # Refused inside the app, so the instrumentator counts it. Its registry is
    # shared by every app in the process: compare counts, not presence.
    def refused_scores() -> float:
        counted = re.search(
            r'http_requests_total\{handler="/v1/score",method="POST",status="4xx"\} '
            r"(\S+)",
            client.get("/metrics").text,
        )
        return float(counted.group(1)) if counted else 0.0

    before = refused_scores()
    assert client.post("/v1/score", content=big, headers=JSON).status_code == 413
    assert refused_scores() == before + 1
