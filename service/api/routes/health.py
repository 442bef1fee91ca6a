"""Liveness and readiness."""

from fastapi import APIRouter, HTTPException, Request

from service.schemas import error_responses

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/ready", responses=error_responses(503))
def ready(request: Request) -> dict[str, str]:
    """Readiness: a model is loaded and can score."""
    model = request.app.state.model
    if model is None:
        raise HTTPException(status_code=503, detail="Model not loaded")
    return {"status": "ready", "model_version": model.version}
