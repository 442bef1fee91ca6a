"""Schemathesis fuzzes the HTTP API from its own OpenAPI schema, in process.

Every operation gets schema-valid and schema-breaking requests. The checks: never
a 5xx, every status code and body is one the schema documents, invalid data is
refused with a 4xx, and valid data is accepted. A schema-valid body can still be
over the byte limit, which JSON Schema cannot state, so 413 counts as accepting it.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from service.main import create_app
from service.settings import Settings

# Bounded so the whole module runs in well under a minute on two shared cores.
EXAMPLES = 60
LIMITS = {"max_batch": 4, "max_text_chars": 5_000, "max_body_bytes": 64 * 1024}

# The schema only: this app never starts, so no model is loaded at import.
SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(Settings(model_dir=Path("unused"), **LIMITS)),
    config=schemathesis.Config.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", "413"]}}}
    ),
)


@pytest.fixture(scope="module")
def served(model_dir: Path) -> Iterator[FastAPI]:
    """The app the cases are sent to, with its model loaded by the lifespan."""
    app = create_app(Settings(model_dir=model_dir, **LIMITS))
    with TestClient(app):
        yield app


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, served: FastAPI) -> None:
    response = case.call_and_validate(app=served)
    assert response.status_code < 500


def test_schema_documents_the_configured_limits() -> None:
    schema = create_app(Settings(model_dir=Path("unused"), **LIMITS)).openapi()
    parts = schema["components"]["schemas"]
    text = parts["Article"]["properties"]["text"]
    assert (text["minLength"], text["pattern"], text["maxLength"]) == (1, r"\S", 5_000)
    assert parts["BatchRequest"]["properties"]["articles"]["maxItems"] == 4
    errors = schema["paths"]["/v1/score"]["post"]["responses"]
    assert sorted(errors) == ["200", "413", "415", "422", "503"]
    assert errors["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorDetail"
    }
