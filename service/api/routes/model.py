"""What model is served."""

from fastapi import APIRouter

from service.deps import ModelDep
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
