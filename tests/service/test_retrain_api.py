"""Write endpoints: labels, retrain jobs, model reload; hot swap and refusals."""

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import skops.io as sio
from fastapi.testclient import TestClient

from service.exceptions import ServiceConfigError
from service.main import create_app
from service.settings import Settings
from tests.conftest import OPINION_TEXT
from training.registry import Registry

KEY = "k" * 32
AUTH = {"X-API-Key": KEY}


def _settings(registry_dir: Path, tmp_path: Path, **kw: object) -> Settings:
    return Settings(
        model_dir=registry_dir,
        data_dir=tmp_path / "data",
        write_endpoints=True,
        api_key=KEY,
        max_text_chars=5_000,
        max_batch=4,
        reload_interval=0.05,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def writer(registry_dir: Path, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(registry_dir, tmp_path))) as client:
        yield client


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            {"write_endpoints": True},
            "Write endpoints are enabled .* but no API key is set",
            id="no-key",
        ),
        pytest.param(
            {"write_endpoints": True, "api_key": "short"},
            "TONE_API_KEY is 5 characters long; use at least 16",
            id="short-key",
        ),
    ],
)
def test_app_refuses_to_start_unsafe(options: dict[str, object], message: str) -> None:
    with pytest.raises(ServiceConfigError, match=message):
        create_app(Settings(**options))  # type: ignore[arg-type]


def test_insecure_dev_flag_allows_no_key(registry_dir: Path, tmp_path: Path) -> None:
    settings = Settings(
        model_dir=registry_dir,
        data_dir=tmp_path / "data",
        write_endpoints=True,
        insecure_dev=True,
    )
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/v1/labels", json={"text": "We must.", "label": "opinion"}
        )
        assert response.status_code == 200


def test_write_endpoints_disabled_by_default(client: TestClient) -> None:
    for path in ("/v1/labels", "/v1/retrain", "/v1/model/reload"):
        response = client.post(path, json={})
        assert (response.status_code, response.json()) == (
            403,
            {"detail": "Write endpoints are disabled"},
        ), path


@pytest.mark.parametrize(
    "headers",
    [pytest.param({}, id="missing"), pytest.param({"X-API-Key": "x" * 32}, id="wrong")],
)
def test_key_is_required(writer: TestClient, headers: dict[str, str]) -> None:
    response = writer.post(
        "/v1/labels", json={"text": "We must.", "label": "opinion"}, headers=headers
    )
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Invalid or missing API key"},
    )


@pytest.mark.parametrize("path", ["/v1/labels/stats", "/v1/jobs/some-job"])
def test_reads_of_what_writes_store_need_the_key(
    client: TestClient, writer: TestClient, path: str
) -> None:
    # Authors' names and job reports (which may name server paths) are the
    # operators', not the public's.
    assert (client.get(path).status_code, client.get(path).json()) == (
        403,
        {"detail": "Write endpoints are disabled"},
    )
    response = writer.get(path, headers={"X-API-Key": "x" * 32})
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Invalid or missing API key"},
    )
    assert writer.get(path, headers=AUTH).status_code in {200, 404}


def test_a_read_only_server_creates_no_label_database(
    registry_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(model_dir=registry_dir, data_dir=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/labels/stats").status_code == 403
        assert client.get("/v1/jobs/some-job").status_code == 403
    assert not (tmp_path / "data").exists()


def test_wrong_keys_count_against_the_write_rate_limit(
    registry_dir: Path, tmp_path: Path
) -> None:
    settings = _settings(registry_dir, tmp_path, write_rate_per_minute=3)
    with TestClient(create_app(settings)) as client:
        codes = [
            client.get("/v1/labels/stats", headers={"X-API-Key": f"guess-{i}"})
            for i in range(5)
        ]
        assert [r.status_code for r in codes] == [401, 401, 401, 429, 429]
        assert codes[-1].json() == {"detail": "Too many write requests; retry later"}
        # The guesses spent the client's write bucket; reads with the right key
        # are not rate-limited (jobs are polled), writes are.
        assert client.get("/v1/labels/stats", headers=AUTH).status_code == 200
        label = {"text": "We must act.", "label": "opinion"}
        assert client.post("/v1/labels", json=label, headers=AUTH).status_code == 429


@pytest.mark.parametrize("force", ["yes", "true", 1, "1"])
def test_retrain_force_must_be_a_json_boolean(
    writer: TestClient, force: object
) -> None:
    response = writer.post("/v1/retrain", json={"force": force}, headers=AUTH)
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "force: Input should be a valid boolean"},
    )


def test_post_one_and_many_labels_with_conflicts(writer: TestClient) -> None:
    one = writer.post(
        "/v1/labels",
        json={"text": "Police said so.", "label": "reporting"},
        headers=AUTH,
    )
    assert one.json() == {"added": 1, "duplicates": 0, "conflicts": [], "stored": 1}
    many = writer.post(
        "/v1/labels",
        json={
            "labels": [
                {"text": "We must act.", "label": "opinion", "event": "e1"},
                {"text": "police said SO.", "label": "reporting"},
                {"text": "Police said so.", "label": "opinion"},
            ],
            "annotator": "desk-3",
        },
        headers=AUTH,
    ).json()
    assert (many["added"], many["duplicates"], many["stored"]) == (1, 1, 2)
    [conflict] = many["conflicts"]
    assert (conflict["index"], conflict["stored"], conflict["given"]) == (
        2,
        "reporting",
        "opinion",
    )
    stats = writer.get("/v1/labels/stats", headers=AUTH).json()
    assert stats["by_label"] == {"opinion": 1, "reporting": 1}
    assert stats["by_author"] == {"api": 1, "desk-3": 1}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        pytest.param(
            {"text": " ", "label": "opinion"},
            "text must not be empty",
            id="empty",
        ),
        pytest.param(
            {"text": "x", "label": "news"},
            "label: Input should be 'opinion' or 'reporting'",
            id="unknown-label",
        ),
        pytest.param(
            {"text": "x" * 5_001, "label": "opinion"},
            "labels[0]: text has 5001 characters; the maximum is 5000 "
            "(TONE_MAX_TEXT_CHARS)",
            id="too-long",
        ),
        pytest.param(
            {"labels": [{"text": "x", "label": "opinion"}] * 5},
            "batch exceeds the maximum of 4 labels",
            id="batch-too-big",
        ),
        pytest.param(
            {"text": "We must \ud800 act.", "label": "opinion"},
            "text: must be valid Unicode (it holds a lone surrogate)",
            id="surrogate-text",
        ),
        pytest.param(
            {"labels": [{"text": "x", "label": "opinion", "event": "\udc00"}]},
            "labels.0.event: must be valid Unicode (it holds a lone surrogate)",
            id="surrogate-event",
        ),
        pytest.param(
            {"labels": [{"text": "x", "label": "opinion"}], "annotator": "\ud800"},
            "annotator: must be valid Unicode (it holds a lone surrogate)",
            id="surrogate-annotator",
        ),
        pytest.param(
            {"text": "x", "label": "opinion", "title": "t" * 1_001},
            "title: String should have at most 1000 characters",
            id="title-too-long",
        ),
        pytest.param(
            {"labels": []},
            "labels: List should have at least 1 item after validation, not 0",
            id="batch-empty",
        ),
        pytest.param(
            {"text": "x", "label": "opinion", "colour": "red"},
            "Unknown field: colour",
            id="unknown-field",
        ),
        pytest.param(
            {"labels": [{"text": "x", "label": "opinion", "colour": "red"}]},
            "Unknown field: labels.0.colour",
            id="unknown-field-in-many",
        ),
        pytest.param(
            ["x"],
            "body: Input should be a valid dictionary or object to extract fields from",
            id="not-an-object",
        ),
    ],
)
def test_bad_labels_get_exact_details(
    writer: TestClient, body: object, detail: str
) -> None:
    # Dumped here, as JSON escapes a lone surrogate where httpx would not.
    response = writer.post(
        "/v1/labels",
        content=json.dumps(body),
        headers={**AUTH, "content-type": "application/json"},
    )
    assert (response.status_code, response.json()) == (422, {"detail": detail})
    assert writer.get("/v1/labels/stats", headers=AUTH).json()["labels"] == 0


def test_the_labels_body_is_documented_as_one_label_or_many(
    writer: TestClient,
) -> None:
    schema = writer.get("/openapi.json").json()
    body = schema["paths"]["/v1/labels"]["post"]["requestBody"]["content"]
    (ref,) = body["application/json"]["schema"].values()
    shapes = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["oneOf"]
    assert shapes == [
        {"$ref": "#/components/schemas/LabelIn"},
        {"$ref": "#/components/schemas/LabelsIn"},
    ]
    label = schema["components"]["schemas"]["LabelIn"]
    assert set(label["required"]) == {"text", "label"}


def test_unknown_job(writer: TestClient) -> None:
    response = writer.get("/v1/jobs/nope", headers=AUTH)
    assert (response.status_code, response.json()) == (404, {"detail": "Job not found"})


def _wait_for_job(client: TestClient, job_id: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()
        if job["state"] in {"succeeded", "failed"}:
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not finish in {seconds} s")


@pytest.mark.slow
def test_retrain_job_409_then_verdict_and_hot_swap(
    registry_dir: Path, tmp_path: Path, small_labels: Path
) -> None:
    settings = _settings(
        registry_dir,
        tmp_path,
        labels_file=small_labels,
        retrain_folds=2,
        retrain_corpora=[],
    )
    with TestClient(create_app(settings)) as client:
        started = client.post("/v1/retrain", json={"force": True}, headers=AUTH)
        assert started.status_code == 202
        job_id = started.json()["job_id"]
        busy = client.post("/v1/retrain", json={}, headers=AUTH)
        assert (busy.status_code, busy.json()) == (
            409,
            {"detail": "A retrain is already running"},
        )
        job = _wait_for_job(client, job_id)
        assert job["state"] == "succeeded", job
        assert job["progress"] == 1.0 and job["verdict"] == "promoted"
        new = job["result"]["candidate"]
        deadline = time.monotonic() + 10
        while client.get("/ready").json()["model_version"] != new:
            assert time.monotonic() < deadline, "the new model was never served"
            time.sleep(0.05)
        scored = client.post("/v1/score", json={"text": OPINION_TEXT}).json()
        assert scored["model_version"] == new


@pytest.mark.parametrize("damage", ["corrupted", "untrusted"])
def test_broken_current_is_refused_and_serving_goes_on(
    writer: TestClient, registry_dir: Path, damage: str
) -> None:
    """A tampered CURRENT target is refused by the watcher and by reload."""
    bad = shutil.copytree(registry_dir / "test-model", registry_dir / "bad")
    meta = json.loads((bad / "metadata.json").read_text())
    (bad / "metadata.json").write_text(json.dumps({**meta, "version": "bad"}))
    if damage == "corrupted":
        data = (bad / "model.skops").read_bytes()
        (bad / "model.skops").write_bytes(data[: len(data) // 3])
    else:
        sio.dump({"payload": Path("/etc/passwd")}, bad / "model.skops")
    (registry_dir / "CURRENT").write_text("bad\n")  # as an attacker would
    time.sleep(0.3)  # several watcher checks
    assert writer.get("/ready").json()["model_version"] == "test-model"
    reload = writer.post("/v1/model/reload", json={}, headers=AUTH)
    assert (reload.status_code, reload.json()) == (
        409,
        {"detail": "Model refused; still serving test-model"},
    )
    scored = writer.post("/v1/score", json={"text": OPINION_TEXT})
    assert scored.status_code == 200
    assert scored.json()["model_version"] == "test-model"


def test_reload_and_promotion_switch_the_served_model(
    writer: TestClient, registry_dir: Path
) -> None:
    shutil.copytree(registry_dir / "test-model", registry_dir / "v2")
    meta = json.loads((registry_dir / "v2" / "metadata.json").read_text())
    (registry_dir / "v2" / "metadata.json").write_text(
        json.dumps({**meta, "version": "v2"})
    )
    Registry(registry_dir).promote("v2")
    reload = writer.post("/v1/model/reload", json={}, headers=AUTH)
    assert reload.json()["model_version"] == "v2"
    Registry(registry_dir).rollback()
    deadline = time.monotonic() + 10
    while writer.get("/ready").json()["model_version"] != "test-model":
        assert time.monotonic() < deadline, "rollback was never served"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("kwargs", "status", "detail"),
    [
        pytest.param(
            {"json": {"force": True}}, 422, "Unknown field: force", id="field"
        ),
        pytest.param(
            {"content": b"x=1", "headers": {"content-type": "text/plain"}},
            415,
            "Content-Type must be application/json",
            id="not-json",
        ),
        pytest.param(
            {"content": b"{", "headers": {"content-type": "application/json"}},
            422,
            "Invalid JSON",
            id="invalid-json",
        ),
    ],
)
def test_reload_checks_its_body_like_any_other(
    writer: TestClient, kwargs: dict[str, Any], status: int, detail: str
) -> None:
    # It answered 200 to any body, since it never read one.
    headers = {**AUTH, **kwargs.pop("headers", {})}
    response = writer.post("/v1/model/reload", headers=headers, **kwargs)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert writer.post("/v1/model/reload", headers=AUTH).status_code == 200


def test_a_failing_retrain_job_reports_its_error(
    registry_dir: Path, tmp_path: Path
) -> None:
    settings = _settings(
        registry_dir,
        tmp_path,
        labels_file=tmp_path / "missing.jsonl",
        retrain_corpora=[],
    )
    with TestClient(create_app(settings)) as client:
        started = client.post("/v1/retrain", json={}, headers=AUTH)
        job = _wait_for_job(client, started.json()["job_id"], seconds=60)
        assert job["state"] == "failed" and job["verdict"] is None
        assert "missing.jsonl" in job["error"]
        assert client.get("/ready").json()["model_version"] == "test-model"
        # The failed job does not block the next one.
        again = client.post("/v1/retrain", json={}, headers=AUTH)
        assert again.status_code == 202
        assert _wait_for_job(client, again.json()["job_id"])["state"] == "failed"


def _unwritable(mode: str):  # type: ignore[no-untyped-def]
    """A ``LabelStore._connect`` whose database refuses writes like a full or
    read-only disk would (as root, file permissions cannot make it refuse)."""
    from contextlib import contextmanager

    from training.labelstore import LabelStore

    original = LabelStore._connect

    @contextmanager
    def connect(self: LabelStore):  # type: ignore[no-untyped-def]
        with original(self) as db:
            if mode == "full":
                pages = db.execute("PRAGMA page_count").fetchone()[0]
                db.execute(f"PRAGMA max_page_count = {pages}")
            else:
                db.execute("PRAGMA query_only = ON")
            yield db

    return connect


@pytest.mark.parametrize(
    "mode",
    [pytest.param("full", id="disk-full"), pytest.param("readonly", id="read-only")],
)
def test_unwritable_label_store_is_a_503_and_keeps_nothing(
    writer: TestClient, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    from training.labelstore import LabelStore

    assert (
        writer.post(
            "/v1/labels", json={"text": "We must.", "label": "opinion"}, headers=AUTH
        ).status_code
        == 200
    )
    before = writer.get("/v1/labels/stats", headers=AUTH).json()
    many = {
        "labels": [
            {"text": f"A long new text number {i}. " * 150, "label": "reporting"}
            for i in range(4)
        ]
    }
    with monkeypatch.context() as patch:
        patch.setattr(LabelStore, "_connect", _unwritable(mode))
        response = writer.post("/v1/labels", json=many, headers=AUTH)
    assert (response.status_code, response.json()) == (
        503,
        {"detail": "Label store unavailable"},
    )
    assert writer.get("/v1/labels/stats", headers=AUTH).json() == before
    # Space (or write access) is back: the same request now succeeds.
    again = writer.post("/v1/labels", json=many, headers=AUTH)
    assert again.status_code == 200 and again.json()["added"] == 4


def test_write_endpoints_are_rate_limited(registry_dir: Path, tmp_path: Path) -> None:
    settings = _settings(registry_dir, tmp_path, write_rate_per_minute=2)
    with TestClient(create_app(settings)) as client:
        codes = [
            client.post(
                "/v1/labels",
                json={"text": f"We must {i}.", "label": "opinion"},
                headers=AUTH,
            )
            for i in range(4)
        ]
    assert [r.status_code for r in codes][-1] == 429
    assert codes[-1].json() == {"detail": "Too many write requests; retry later"}
    assert int(codes[-1].headers["Retry-After"]) >= 1
