from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client(model_dir: Path) -> Iterator[TestClient]:
    app = create_app(
        Settings(
            model_dir=model_dir,
            max_batch=4,
            max_text_chars=5_000,
            max_body_bytes=64 * 1024,
        )
    )
    with TestClient(app) as test_client:
        yield test_client
