"""Builds the FastAPI app; the model is loaded in the lifespan, never at import."""

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Counter, Info
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.exceptions import HTTPException as StarletteHTTPException
from threadpoolctl import threadpool_limits

from classifier import ToneModel
from classifier.result import ToneResult
from service.api.routes import health, labels, model, page, retrain, score
from service.exceptions import ServiceConfigError
from service.hotswap import ModelWatcher
from service.limits import RequestLimits
from service.ratelimit import RateLimiter
from service.schemas import validation_detail
from service.settings import Settings
from training.exceptions import LabelStoreUnavailableError

__all__ = ["check_serving_settings", "create_app"]

log = logging.getLogger("tone.service")


_UNPARSED = {
    UnicodeDecodeError: "Invalid JSON: not UTF-8",
    RecursionError: "Invalid JSON: nested too deeply",
}


def check_serving_settings(settings: Settings) -> None:
    """Refuse write endpoints without a key (outside development), or a short key.

    Raises
    ------
    ServiceConfigError
        Saying which setting to change.
    """
    if settings.write_endpoints and settings.api_key is None:
        if not settings.insecure_dev:
            raise ServiceConfigError(
                "Write endpoints are enabled (TONE_WRITE_ENDPOINTS) but no API key "
                "is set: set TONE_API_KEY, or TONE_INSECURE_DEV=1 on a development "
                "machine only."
            )
        log.warning("write endpoints accept requests without a key (insecure dev)")
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if key is not None and len(key) < 16:
        raise ServiceConfigError(
            f"TONE_API_KEY is {len(key)} characters long; use at least 16 "
            "(for example: python -c 'import secrets; print(secrets.token_hex())')."
        )


def _document_limits(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Write the configured text and batch limits into the OpenAPI schema.

    The limits are settings, not constants of the models, so the schema learns
    them here; a client (or a fuzzer) then knows a longer text is not valid.
    """
    components = schema.get("components", {}).get("schemas", {})
    if "Article" in components:
        text = components["Article"]["properties"]["text"]
        text["maxLength"] = settings.max_text_chars
    if "BatchRequest" in components:
        articles = components["BatchRequest"]["properties"]["articles"]
        articles["maxItems"] = settings.max_batch
    return schema


def create_app(settings: Settings | None = None) -> FastAPI:
    """The tone HTTP API, configured by ``settings`` (default: the environment).

    Raises
    ------
    ServiceConfigError
        If write endpoints are enabled with no API key outside development.
    """
    settings = settings or Settings()
    check_serving_settings(settings)
    registry = CollectorRegistry()
    predictions = Counter(
        "tone_predictions",
        "Articles scored, by predicted label.",
        ["label"],
        registry=registry,
    )
    model_info = Info("tone_model", "The served model.", registry=registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests already run in parallel on the thread pool; native BLAS/OpenMP
        # pools on top of that oversubscribe the cores (measured: throughput at
        # concurrency 16 fell below that at concurrency 1).
        threadpool_limits(limits=1)
        # Scoring takes and releases the GIL in many small steps, so threads convoy:
        # measured, one worker served fewer requests/s at concurrency 4 than at 1.
        # Concurrency comes from worker processes instead.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads

        def on_swap(served: ToneModel) -> None:
            model_info.info({"version": served.version})

        # The model directory may be a registry: follow its CURRENT pointer.
        watcher = ModelWatcher(
            app.state,
            settings.model_dir,
            interval=settings.reload_interval,
            on_swap=on_swap,
        )
        watcher.load_initial()
        watcher.start()
        app.state.watcher = watcher
        yield
        watcher.stop()
        app.state.model = None

    # FastAPI's own /docs and /redoc load their scripts from a CDN; these pages
    # serve them from the package, as nothing here may need the internet.
    app = FastAPIOffline(
        title="tone",
        summary="Tell opinion writing from news reporting, and measure hedging.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.write_limiter = RateLimiter(per_minute=settings.write_rate_per_minute)
    openapi = app.openapi

    def openapi_with_limits() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document_limits(openapi(), settings)
        return app.openapi_schema

    app.openapi = openapi_with_limits  # type: ignore[method-assign]
    app.state.model = None

    def count_predictions(results: Sequence[ToneResult]) -> None:
        for result in results:
            predictions.labels(label=result.label).inc()

    app.state.count_predictions = count_predictions

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": validation_detail(error.errors())}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        # FastAPI answers a body it cannot parse other than by a JSONDecodeError
        # with a bare 400: one that is not UTF-8 (found by the schema fuzzer), or
        # nested past Python's recursion limit. Both are invalid JSON, so 422.
        reason = _UNPARSED.get(type(error.__cause__))
        if error.status_code == 400 and reason is not None:
            return JSONResponse(status_code=422, content={"detail": reason})
        return await http_exception_handler(request, error)

    @app.exception_handler(LabelStoreUnavailableError)
    async def _store_down(
        request: Request, error: LabelStoreUnavailableError
    ) -> JSONResponse:
        # The message names the database's path: logged, never sent.
        log.error("label store unavailable on %s: %s", request.url.path, error)
        return JSONResponse(
            status_code=503, content={"detail": "Label store unavailable"}
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            status_code=500, content={"detail": "Internal server error"}
        )

    app.include_router(health.router)
    app.include_router(score.router)
    app.include_router(model.router)
    app.include_router(labels.router)
    app.include_router(retrain.router)
    app.include_router(page.router)
    Instrumentator(registry=registry).instrument(app).expose(
        app, include_in_schema=False
    )
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        # Off unless configured: without these headers a browser page on another
        # origin can send a request but never read the answer.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
        )
    return app
