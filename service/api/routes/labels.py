"""Labels sent after the base corpus: stored in the label database."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, Tag

from service.deps import SettingsDep, StoreDep, WriteAccess
from service.ratelimit import WriteRateLimit
from service.schemas import BODY_SHAPES, Name, StoredText, error_responses
from training.exceptions import LabelError
from training.labelstore import NewLabel

router = APIRouter(prefix="/v1", tags=["labels"])

_EXAMPLE: dict[str, Any] = {
    "text": "The council should scrap the toll; it punishes the people who can "
    "least afford it.",
    "label": "opinion",
    "title": "Scrap the toll",
}


class LabelIn(BaseModel):
    """One labeled text."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [_EXAMPLE]}
    )

    text: StoredText
    label: Literal["opinion", "reporting"]
    title: Name | None = None
    event: Name | None = Field(
        default=None,
        description="The event it covers; texts of one event are "
        "kept on the same side of the evaluation split.",
    )


class LabelsIn(BaseModel):
    """Several labeled texts, stored in one transaction."""

    model_config = ConfigDict(extra="forbid")

    labels: list[LabelIn] = Field(min_length=1)
    annotator: Name | None = Field(default=None, description="Who labeled them.")


def _shape(body: Any) -> str:
    one, many = BODY_SHAPES
    return many if isinstance(body, dict) and "labels" in body else one


# A root model, because FastAPI drops the discriminator of a bare union: both shapes
# would then be tried and their errors mixed.
class LabelsBody(
    RootModel[
        Annotated[
            Annotated[LabelIn, Tag(BODY_SHAPES[0])]
            | Annotated[LabelsIn, Tag(BODY_SHAPES[1])],
            Discriminator(_shape),
        ]
    ]
):
    """One labeled text, or several under "labels" (validated as the shape it has)."""


class LabelsOut(BaseModel):
    """What was stored: new labels, duplicates, and conflicts left unwritten."""

    added: int
    duplicates: int
    conflicts: list[dict[str, Any]]
    stored: int


@router.post(
    "/labels",
    response_model=LabelsOut,
    dependencies=[WriteAccess, WriteRateLimit],
    responses=error_responses(401, 403, 415, 422, 429, 413, 503),
)
def add_labels(
    store: StoreDep,
    settings: SettingsDep,
    payload: LabelsBody = Body(
        openapi_examples={
            "one": {"value": _EXAMPLE},
            "many": {"value": {"labels": [_EXAMPLE], "annotator": "desk-3"}},
        }
    ),
) -> LabelsOut:
    """Store one label, or many as {"labels": [...]}; conflicts are reported."""
    body = payload.root
    batch = body if isinstance(body, LabelsIn) else LabelsIn(labels=[body])
    if len(batch.labels) > settings.max_batch:
        raise HTTPException(
            status_code=422,
            detail=f"batch exceeds the maximum of {settings.max_batch} labels",
        )
    items = [
        NewLabel(text=x.text, label=x.label, title=x.title, event=x.event)
        for x in batch.labels
    ]
    try:
        result = store.add(items, author=batch.annotator or "api", source="api")
    except LabelError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return LabelsOut(**result.as_dict(), stored=store.count())


@router.get(
    "/labels/stats",
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 429, 503),
)
def label_stats(store: StoreDep) -> dict[str, Any]:
    """Stored labels by label, source and author, with the first and last dates."""
    return store.stats()
