"""Request and response bodies of the HTTP API."""

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from classifier.normalise import NOT_BLANK, is_blank, is_valid_unicode
from classifier.result import ToneResult

__all__ = [
    "Article",
    "BatchRequest",
    "BatchResponse",
    "ErrorDetail",
    "ModelInfo",
    "Name",
    "StoredText",
    "Text",
    "error_responses",
    "validation_detail",
]


def _not_empty(text: str) -> str:
    if is_blank(text):
        raise ValueError("text must not be empty")
    return text


# A text field of any request: refused when it holds nothing but whitespace, control
# and zero-width characters (``NOT_BLANK`` is the schema's word for the same rule).
Text = Annotated[str, AfterValidator(_not_empty)]

#: Longest title, id, event or annotator name, in characters.
MAX_NAME_CHARS = 1_000


def _encodable(value: object) -> object:
    # A field that is echoed back or stored must be writable as UTF-8. Checked
    # before pydantic's own string checks, which refuse it in vaguer words.
    if isinstance(value, str) and not is_valid_unicode(value):
        raise ValueError("must be valid Unicode (it holds a lone surrogate)")
    return value


# A short string that is echoed back or stored: a title, id, event or name.
Name = Annotated[
    str, StringConstraints(max_length=MAX_NAME_CHARS), BeforeValidator(_encodable)
]
# A text that is stored (a label's): not blank, and valid Unicode.
StoredText = Annotated[Text, BeforeValidator(_encodable)]

_EXAMPLE = (
    "The council voted 7-4 on Tuesday to introduce a toll on the harbour bridge, "
    "officials said. The charge may raise about 2 million a year."
)


class Article(BaseModel):
    """One article to score."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": _EXAMPLE, "title": "Bridge toll approved", "id": "a-1"}
            ]
        },
    )

    # The schema states what ``Text`` enforces (one character that is
    # not whitespace to ``str.strip``), so generated clients and fuzzers know an
    # all-blank text is not a valid body. The class is spelt out because ``\S``
    # differs between Python and JSON Schema's ECMA regexes (found by the fuzzer).
    text: Text = Field(
        description="The article's text.",
        json_schema_extra={"minLength": 1, "pattern": NOT_BLANK},
    )
    title: Name | None = Field(default=None, description="Its headline, if any.")
    id: Name | None = Field(default=None, description="Your id, echoed in the result.")


class BatchRequest(BaseModel):
    """Several articles to score, answered in the same order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"articles": [{"text": _EXAMPLE, "id": "a-1"}]}]
        },
    )

    articles: list[Article] = Field(min_length=1)


class BatchResponse(BaseModel):
    """One result per article, in the order sent."""

    results: list[ToneResult]


class ModelInfo(BaseModel):
    """What the served model is and how it was measured."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": "20261125T120000Z-3f2a9c1",
                    "created": "2026-11-25T12:00:00+00:00",
                    "corpus": {
                        "articles": 361,
                        "by_label": {"opinion": 180, "reporting": 181},
                    },
                    "metrics": {"grouped_cv": {"macro_f1": 0.97}},
                    "libraries": {"scikit-learn": "1.9.1"},
                }
            ]
        }
    )

    version: str
    created: str | None = None
    corpus: dict[str, object] = Field(default_factory=dict)
    metrics: dict[str, object] = Field(default_factory=dict)
    libraries: dict[str, str] = Field(default_factory=dict)


class ErrorDetail(BaseModel):
    """Every error the API answers: one short sentence saying what was wrong."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "text must not be empty"}]}
    )

    detail: str


_ERRORS = {
    401: "The `X-API-Key` header is missing or wrong.",
    403: "Write endpoints are disabled on this server (`TONE_WRITE_ENDPOINTS`).",
    404: "No such job.",
    409: "A retrain is already running, or the model was refused.",
    413: "The request body is over the size limit.",
    415: "The body is not `application/json`.",
    422: "The body or a parameter is invalid; `detail` says which and why.",
    429: "Too many requests from this client; retry after `Retry-After` seconds.",
    503: "No model is loaded yet.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for ``codes``, each a JSON :class:`ErrorDetail`.

    Declaring 422 here also replaces FastAPI's default list-shaped validation
    error, which this API never sends.

    Examples
    --------
    >>> sorted(error_responses(422, 503))
    [422, 503]
    >>> error_responses(503)[503]["description"]
    'No model is loaded yet.'
    """
    return {
        code: {"model": ErrorDetail, "description": _ERRORS[code]} for code in codes
    }


# The tags of a body that takes one of two shapes (one item, or many in a list):
# pydantic puts the tag in an error's location, and `validation_detail` leaves it out.
BODY_SHAPES = ("one", "many")


def validation_detail(errors: Sequence[Any]) -> str:
    """One short sentence for the first of pydantic's ``errors`` in a request body.

    Examples
    --------
    >>> validation_detail([{"type": "extra_forbidden", "loc": ("body", "colour")}])
    'Unknown field: colour'
    >>> validation_detail([{"type": "missing", "loc": ("labels", 0, "label")}])
    'Missing field: labels.0.label'
    >>> validation_detail([{"type": "missing", "loc": ("body", "one", "label")}])
    'Missing field: label'
    """
    first = errors[0]
    kind = first.get("type", "")
    where = [str(p) for p in first.get("loc", ()) if p != "body"]
    if where[:1] and where[0] in BODY_SHAPES:
        where = where[1:]
    if kind == "json_invalid":
        return "Invalid JSON"
    if kind == "extra_forbidden":
        return f"Unknown field: {'.'.join(where)}"
    if kind == "missing":
        return f"Missing field: {'.'.join(where)}" if where else "Missing request body"
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if where == ["text"] and message == "text must not be empty":
        return message
    return f"{'.'.join(where) or 'body'}: {message}"
