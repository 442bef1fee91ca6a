"""The result objects every scoring path returns (CLI, HTTP and batch alike)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Feature",
    "HedgeCue",
    "HedgingResult",
    "SentenceResult",
    "ToneResult",
    "TopFeatures",
]

Label = Literal["opinion", "reporting"]
HedgeCategory = Literal[
    "modal",
    "epistemic_verb",
    "epistemic_adjective",
    "adverb",
    "attribution",
    "approximator",
    "weasel",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HedgeCue(_Frozen):
    """One hedge cue found in the text; offsets index the text as it was sent."""

    text: str = Field(examples=["reportedly"])
    start: int = Field(ge=0, examples=[112])
    end: int = Field(ge=0, examples=[122])
    category: HedgeCategory = Field(examples=["adverb"])


class HedgingResult(_Frozen):
    """How much a text hedges: the share of its sentences that carry a hedge cue."""

    score: float = Field(ge=0.0, le=1.0, examples=[0.25])
    hedged_sentences: int = Field(ge=0, examples=[2])
    sentences: int = Field(ge=0, examples=[8])
    cues: list[HedgeCue] = Field(default_factory=list)


class SentenceResult(_Frozen):
    """One sentence: where it is, how opinionated it reads, whether it hedges."""

    start: int = Field(ge=0, examples=[0])
    end: int = Field(ge=0, examples=[57])
    opinion_probability: float = Field(ge=0.0, le=1.0, examples=[0.81])
    hedged: bool = Field(examples=[False])


class Feature(_Frozen):
    """A model feature and how far it moved this text's log-odds."""

    feature: str = Field(examples=["should"])
    weight: float = Field(examples=[0.42])


class TopFeatures(_Frozen):
    """The features that pushed this text towards each label, strongest first."""

    opinion: list[Feature] = Field(default_factory=list)
    reporting: list[Feature] = Field(default_factory=list)


class ToneResult(_Frozen):
    """Everything tone says about one text."""

    id: str | None = Field(default=None, examples=["article-17"])
    label: Label = Field(examples=["opinion"])
    opinion_probability: float = Field(ge=0.0, le=1.0, examples=[0.87])
    hedging: HedgingResult
    sentences: list[SentenceResult] = Field(default_factory=list)
    top_features: TopFeatures = Field(default_factory=TopFeatures)
    model_version: str = Field(examples=["20261125T120000Z-3f2a9c1"])
