"""One settings object, read from the environment (``TONE_`` prefix) or arguments."""

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from training.corpora import DEFAULT_CORPORA_DIR, GATE_CORPORA
from training.holdout import HOLDOUT_SHARE

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the CLI and the service can be told; nothing is read at import."""

    model_config = SettingsConfigDict(env_prefix="TONE_", extra="ignore")

    model_dir: Path = Field(
        default=Path("models/default"),
        description="The model directory to serve and score with.",
    )
    corpora: Path = Field(
        default=DEFAULT_CORPORA_DIR,
        description="Where the published corpora (Brown, CheckThat!, CoNLL-2010) are.",
    )
    max_text_chars: int = Field(default=200_000, ge=1)
    max_batch: int = Field(default=256, ge=1)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    threads: int = Field(
        default=1,
        ge=1,
        description="Requests scored at once per worker process; add workers instead.",
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    # Retraining (issue 5): the label store, the registry's gate, the write API.
    data_dir: Path = Field(
        default=Path("data"),
        description="Where the label database (labels.db) and job records live.",
    )
    labels_file: Path | None = Field(
        default=None,
        description="Base corpus for retraining [default: labels/articles.jsonl].",
    )
    retrain_folds: int = Field(default=5, ge=2, description="Grouped CV folds.")
    retrain_holdout: float = Field(
        default=HOLDOUT_SHARE,
        gt=0,
        lt=1,
        description="Share of events frozen out of training to compare models on.",
    )
    retrain_tolerance: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="How much lower a candidate's macro-F1 may be and still pass.",
    )
    retrain_corpora: Annotated[list[str], NoDecode] = Field(
        default=list(GATE_CORPORA),
        description=(
            "Published corpora the gate also compares on, when present, "
            "comma-separated (TONE_RETRAIN_CORPORA=brown,checkthat; empty for none)."
        ),
    )
    api_key: SecretStr | None = Field(
        default=None, description="Key the write endpoints require in X-API-Key."
    )
    write_endpoints: bool = Field(
        default=False,
        description="Serve POST /v1/labels, /v1/retrain and /v1/model/reload.",
    )
    insecure_dev: bool = Field(
        default=False,
        description="Development only: allow write endpoints with no API key.",
    )
    reload_interval: float = Field(
        default=1.0,
        ge=0,
        description="Seconds between checks of the registry's CURRENT (0: never).",
    )
    worker_healthcheck_seconds: int = Field(
        default=30,
        ge=1,
        description=(
            "How long uvicorn's supervisor waits for a worker to answer its health "
            "ping before killing it as hung. uvicorn's own 5 s killed workers that "
            "were still importing, or busy scoring, on a loaded 2-core machine."
        ),
    )
    keep_alive_seconds: int = Field(
        default=65,
        ge=1,
        description=(
            "How long an idle keep-alive connection stays open. A client that sends "
            "on a connection just as the server closes it gets a reset, so the "
            "default outlasts the 60 s idle timeout of common load balancers and "
            "the proxy closes first; uvicorn's own is 5 s."
        ),
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Origins browsers may call the API from, comma-separated "
            "(TONE_CORS_ORIGINS=https://a.example,https://b.example). "
            "Empty (the default): no CORS headers, so browsers on other origins "
            "cannot read responses."
        ),
    )
    write_rate_per_minute: int = Field(
        default=30,
        ge=1,
        description="Write requests each client may make per minute (token bucket).",
    )

    @field_validator("cors_origins", "retrain_corpora", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):  # a JSON list, as before
                try:
                    return json.loads(value)
                except json.JSONDecodeError as error:
                    raise ValueError(f"not a JSON list ({error.msg})") from error
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("retrain_corpora")
    @classmethod
    def _known_corpora(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(GATE_CORPORA))
        if unknown:
            raise ValueError(
                f"unknown corpus {', '.join(unknown)}; "
                f"use {', '.join(GATE_CORPORA)} or both"
            )
        return value
