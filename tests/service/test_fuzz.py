"""Schemathesis fuzzes the HTTP API from its own OpenAPI schema, in process.

Every operation gets schema-valid and schema-breaking requests. The checks: never
a 5xx, every status code and body is one the schema documents, invalid data is
refused with a 4xx, and valid data is accepted. A schema-valid body can still be
over the byte limit, which JSON Schema cannot state, so 413 counts as accepting it.
"""

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from service.main import create_app
from service.schemas import NOT_BLANK
from service.settings import Settings

# Bounded so the whole module runs in well under a minute on two shared cores.
EXAMPLES = 60
LIMITS = {"max_batch": 4, "max_text_chars": 5_000, "max_body_bytes": 64 * 1024}

# The schema only: this app never starts, so no model is loaded at import.
SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(Settings(model_dir=Path("unused"), **LIMITS)),
    config=schemathesis.Config.from_dict(
        {
            "checks": {
                "positive_data_acceptance": {
                    # The fuzzed app keeps its write endpoints off (403), and a
                    # schema-valid job id names no job (404).
                    "expected-statuses": ["2XX", "413", "403", "404"]
                },
                "negative_data_rejection": {
                    # Schemathesis' own list, and 413: a body made invalid by
                    # over-long fields can exceed the body limit, which the
                    # middleware refuses first, while it streams.
                    "expected-statuses": [
                        "400",
                        "401",
                        "403",
                        "404",
                        "405",
                        "406",
                        "409",
                        "413",
                        "415",
                        "422",
                        "428",
                        "429",
                        "5XX",
                    ]
                },
            }
        }
    ),
)


STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module")
def served(
    model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    """The app the cases are sent to, with its model loaded by the lifespan."""
    data = tmp_path_factory.mktemp("fuzz-data")
    app = create_app(Settings(model_dir=model_dir, data_dir=data, **LIMITS))
    with TestClient(app):
        yield app


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, served: FastAPI, model_dir: Path
) -> None:
    response = case.call_and_validate(app=served)
    STATUSES[response.status_code] += 1
    assert response.status_code < 500
    # Nothing internal leaks: no trace, no path of the model or of the code.
    for secret in ("Traceback", str(model_dir), str(Path(__file__).parents[2])):
        assert secret not in response.text


@pytest.mark.slow
def test_fuzz_report(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the fuzzing above: what it sent, by status (never a 5xx)."""
    if not STATUSES:
        pytest.skip("the fuzz test did not run in this session")
    with capsys.disabled():
        print(
            f"\nfuzz: {STATUSES.total()} generated cases, by status "
            f"{dict(sorted(STATUSES.items()))}"
        )
    assert max(STATUSES) < 500 and 200 in STATUSES and 422 in STATUSES


def test_schema_documents_the_configured_limits() -> None:
    schema = create_app(Settings(model_dir=Path("unused"), **LIMITS)).openapi()
    parts = schema["components"]["schemas"]
    text = parts["Article"]["properties"]["text"]
    assert (text["minLength"], text["pattern"], text["maxLength"]) == (
        1,
        NOT_BLANK,
        5_000,
    )
    assert parts["BatchRequest"]["properties"]["articles"]["maxItems"] == 4
    errors = schema["paths"]["/v1/score"]["post"]["responses"]
    assert sorted(errors) == ["200", "413", "415", "422", "503"]
    assert errors["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorDetail"
    }


@pytest.mark.parametrize(
    "blank",
    [
        pytest.param("\x1f", id="unit-separator"),
        pytest.param("\x85\u3000", id="next-line-ideographic-space"),
        pytest.param("\u2028 \t", id="line-separator"),
        # Scored as an empty text before: normalisation removes them all.
        pytest.param("\x00\x07\x7f", id="controls"),
        pytest.param("\u200b\u200d \ufeff", id="zero-width"),
    ],
)
def test_what_the_schema_calls_blank_the_server_refuses(
    client: TestClient, blank: str
) -> None:
    """Found by the fuzzer: ``\\S`` let "\\x1f" through the schema, not the server."""
    assert re.search(NOT_BLANK, blank) is None
    response = client.post("/v1/score", json={"text": blank})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "text must not be empty"},
    )
    assert re.search(NOT_BLANK, blank + "\u0080") is not None
    assert client.post("/v1/score", json={"text": blank + "x"}).status_code == 200
