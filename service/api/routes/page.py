"""The page for people: ``GET /`` and its CSS and JavaScript, served from the package.

The page is plain static files in ``service/static/``: no build step, nothing fetched
from elsewhere. ``GET /`` fills in the served limits so the page can split a file of
articles into batches the API accepts.
"""

from functools import cache
from html import escape
from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

from service.deps import SettingsDep

__all__ = ["router"]

router = APIRouter(tags=["page"], include_in_schema=False)

# The only files served, each with its type: a fixed list rather than a directory
# mount, so nothing else in the package can be fetched and the types do not depend
# on the platform's mimetypes table.
ASSETS = {
    "page.css": "text/css; charset=utf-8",
    "page.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Everything the page loads comes from this server; nothing inline, nothing external.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@cache
def _read(name: str) -> bytes:
    return resources.files("service").joinpath("static", name).read_bytes()


def render_index(*, max_batch: int, max_text_chars: int, max_body_bytes: int) -> str:
    """The page's HTML with the served limits filled in.

    Parameters
    ----------
    max_batch : int
        Most articles the batch endpoint takes in one request.
    max_text_chars : int
        Longest text, in characters, the API scores.
    max_body_bytes : int
        Largest request body, in bytes, the API reads.

    Returns
    -------
    str
        The HTML of ``GET /``.

    Examples
    --------
    >>> html = render_index(max_batch=8, max_text_chars=100, max_body_bytes=2048)
    >>> 'data-max-batch="8"' in html and "{{" not in html
    True
    """
    html = _read("index.html").decode("utf-8")
    for key, value in {
        "max_batch": max_batch,
        "max_text_chars": max_text_chars,
        "max_body_bytes": max_body_bytes,
    }.items():
        html = html.replace("{{" + key + "}}", escape(str(value)))
    return html


@router.get("/", response_class=HTMLResponse)
def index(settings: SettingsDep) -> HTMLResponse:
    """The page: paste an article, or a file of them, and see how they score."""
    html = render_index(
        max_batch=settings.max_batch,
        max_text_chars=settings.max_text_chars,
        max_body_bytes=settings.max_body_bytes,
    )
    return HTMLResponse(html, headers=_HEADERS)


@router.get("/static/{name}")
def asset(name: str) -> Response:
    """One of the page's CSS or JavaScript files."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return Response(_read(name), media_type=media_type, headers=_HEADERS)
