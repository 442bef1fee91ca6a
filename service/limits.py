"""ASGI middleware: refuse oversized bodies as they stream in, and non-JSON posts.

Starlette's own ``RequestBodyLimitMiddleware`` answers some oversized requests in
plain text; every error of this API is JSON with a short ``detail``, so the limit
is enforced here, raising an ``HTTPException`` that FastAPI renders like any other.
Both checks run when a route first reads the body, so a method or path the API
does not have still gets its 405 or 404 rather than a 415.
"""

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestLimits"]


class _Refused(HTTPException):
    """Raised from ``receive``; the middleware answers with its status and detail."""


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """413 past ``max_body_bytes`` (counted as it streams); 415 for non-JSON bodies
    and for compressed ones."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # Starlette reads the first of repeated headers and this dict the last: two
        # Content-Types could pass this check as JSON and be parsed as another type.
        types = [v for k, v in scope["headers"] if k == b"content-type"]
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        declared = headers.get(b"content-length")
        # A POST with no body at all (no length, or 0, and not chunked) has no
        # media type to check: ``POST /v1/retrain`` takes its options as optional.
        has_body = b"transfer-encoding" in headers or declared not in (None, b"0")
        not_json = has_body and content_type != b"application/json"
        # The body is read as it was sent: a compressed one would only fail as
        # invalid JSON, and its size limit would count the compressed bytes.
        encodings = [
            part.strip().lower()
            for k, v in scope["headers"]
            if k == b"content-encoding"
            for part in v.split(b",")
        ]
        encoded = has_body and any(e not in (b"", b"identity") for e in encodings)
        too_large = f"Request body exceeds the maximum of {self.max_body_bytes} bytes"
        # Refused at the first read, like the other checks, so that an unknown
        # path or method still gets its 404 or 405, and the 413 is counted in
        # /metrics; nothing of the body has been read by then.
        declared_too_large = (
            declared is not None
            and declared.isdigit()
            and int(declared) > self.max_body_bytes
        )
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            if declared_too_large:
                raise _Refused(413, too_large)
            if len(types) > 1:
                raise _Refused(400, "Send one Content-Type header, not several")
            if not_json:
                raise _Refused(415, "Content-Type must be application/json")
            if encoded:
                raise _Refused(
                    415, "Content-Encoding is not supported; send the body uncompressed"
                )
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _Refused(413, too_large)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _Refused as refused:
            if not started:
                await _reply(send, refused.status_code, refused.detail)
