"""What model is served, and reloading it."""

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict

from classifier import ModelFileError
from service.deps import ModelDep, WatcherDep, WriteAccess
from service.ratelimit import WriteRateLimit
from service.schemas import ModelInfo, error_responses

router = APIRouter(prefix="/v1", tags=["model"], responses=error_responses(503))


@router.get("/model", response_model=ModelInfo)
def model_info(model: ModelDep) -> ModelInfo:
    """The served model's version, training corpus, metrics and libraries."""
    meta = model.metadata
    return ModelInfo(
        version=model.version,
        created=meta.get("created"),
        corpus=meta.get("corpus", {}),
        metrics=meta.get("metrics", {}),
        libraries=meta.get("libraries", {}),
    )


class ReloadIn(BaseModel):
    """No options: send no body, or ``{}``."""

    model_config = ConfigDict(extra="forbid")


@router.post(
    "/model/reload",
    dependencies=[WriteAccess, WriteRateLimit],
    responses=error_responses(401, 403, 415, 422, 429, 409),
)
def reload_model(
    request: Request, watcher: WatcherDep, body: ReloadIn | None = None
) -> dict[str, str | None]:
    """Load the model the model directory holds now, in this worker at once.

    The other workers' watchers follow the same directory and load it within
    two reload intervals.
    """
    del body  # declared so that a body is read, and checked like any other
    before = request.app.state.model
    try:
        served = watcher.reload()
    except ModelFileError as error:
        still = before.version if before is not None else None
        detail = (
            f"Model refused; still serving {still}"
            if still
            else "Model refused; no model is served"
        )
        raise HTTPException(status_code=409, detail=detail) from error
    return {
        "model_version": served.version,
        "previous_version": before.version if before is not None else None,
    }
