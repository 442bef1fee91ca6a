"""Retraining as a background job, and the jobs' progress."""

import json
import logging
import os
import subprocess
import sys
import threading
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, StrictBool

from service.deps import SettingsDep, StoreDep, WriteAccess
from service.ratelimit import WriteRateLimit
from service.schemas import error_responses
from service.settings import Settings
from training.labelstore import LabelStore
from training.registry import Registry

router = APIRouter(prefix="/v1", tags=["retrain"])
log = logging.getLogger("tone.service")


class RetrainIn(BaseModel):
    """Options of one retrain."""

    model_config = ConfigDict(extra="forbid")

    force: StrictBool = False


class JobOut(BaseModel):
    """A background job: its state, progress and, when done, the gate's verdict."""

    id: str
    kind: str
    state: str
    stage: str
    progress: float
    verdict: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: str
    updated_at: str


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process these same settings."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is None or name == "api_key":
            continue
        env[f"TONE_{name.upper()}"] = (
            json.dumps(value) if isinstance(value, list) else str(value)
        )
    env.pop("TONE_API_KEY", None)  # the trainer needs no key
    return env


def _watch(process: subprocess.Popen[bytes], store: LabelStore, job_id: str) -> None:
    code = process.wait()
    # A job still active here died without reporting (killed, crashed).
    store.fail_if_active(job_id, f"the retrain process exited with code {code}")


@router.post(
    "/retrain",
    status_code=202,
    dependencies=[WriteAccess, WriteRateLimit],
    responses=error_responses(401, 403, 415, 422, 429, 409, 503),
)
def start_retrain(
    settings: SettingsDep, store: StoreDep, body: RetrainIn | None = None
) -> dict[str, str]:
    """Start a retrain in the background; returns its job id (409 while one runs)."""
    if Registry(settings.model_dir).is_locked():
        raise HTTPException(status_code=409, detail="A retrain is already running")
    job_id = uuid.uuid4().hex
    if not store.create_job(job_id, "retrain"):
        raise HTTPException(status_code=409, detail="A retrain is already running")
    command = [
        sys.executable,
        "-m",
        "service.cli",
        "retrain",
        "--job-id",
        job_id,
        "--model",
        str(settings.model_dir),
    ]
    if body is not None and body.force:
        command.append("--force")
    # Training runs in its own process: it cannot take the server down with it,
    # and it runs at a lower priority than the requests being served.
    process = subprocess.Popen(
        command,
        env=settings_env(settings),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store.update_job(job_id, pid=process.pid)
    threading.Thread(target=_watch, args=(process, store, job_id), daemon=True).start()
    log.info("retrain job %s started (pid %d)", job_id, process.pid)
    return {"job_id": job_id, "state": "queued"}


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 404, 429, 503),
)
def job(job_id: str, store: StoreDep) -> JobOut:
    """A job's state, stage, progress and, once finished, the gate's verdict."""
    found = store.job(job_id)
    if found is None:
        raise HTTPException(status_code=404, detail="Job not found")
    result = found["result"]
    if result is not None:
        result = {k: v for k, v in result.items() if k != "evaluations"}
    return JobOut(
        id=found["id"],
        kind=found["kind"],
        state=found["state"],
        stage=found["stage"],
        progress=found["progress"],
        verdict=result.get("verdict") if result else None,
        result=result,
        error=found["error"],
        created_at=found["created_at"],
        updated_at=found["updated_at"],
    )
