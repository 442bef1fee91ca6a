"""Dependencies shared by the routes."""

import secrets
import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader

from classifier import ToneModel
from service.hotswap import ModelWatcher
from service.ratelimit import RateLimit
from service.settings import Settings
from training.labelstore import LabelStore

__all__ = ["ModelDep", "SettingsDep", "StoreDep", "WatcherDep", "WriteAccess"]

_store_lock = threading.Lock()
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)
# A wrong key takes a token from the client's write bucket, so keys cannot be
# guessed faster than writes are allowed (429 once the bucket is empty).
_count_failure = RateLimit()


# Both only read app.state, so they are coroutines: a plain ``def`` dependency is
# run on the thread pool, where with TONE_THREADS=1 it queued behind other
# requests' scoring before its own request could start.
def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_settings(request: Request) -> Settings:
    return _settings(request)


async def get_model(request: Request) -> ToneModel:
    # Read the reference once: a swap during this request does not affect it.
    model: ToneModel | None = request.app.state.model
    if model is None:
        raise HTTPException(status_code=503, detail="Model not loaded")
    return model


def get_watcher(request: Request) -> ModelWatcher:
    watcher: ModelWatcher = request.app.state.watcher
    return watcher


def get_store(request: Request) -> LabelStore:
    """The label store, opened on first use (so read-only servers never create it)."""
    store: LabelStore | None = getattr(request.app.state, "store", None)
    if store is None:
        with _store_lock:
            store = getattr(request.app.state, "store", None)
            if store is None:
                settings = _settings(request)
                store = LabelStore(settings.data_dir, max_chars=settings.max_text_chars)
                request.app.state.store = store
    return store


def require_write_access(
    request: Request, key: Annotated[str | None, Depends(_api_key)]
) -> None:
    """Write endpoints (and the reads of what they store): enabled, and the right key.

    A missing or wrong ``X-API-Key`` is refused with 401, and counts against the
    client's write rate limit: past it, 429 instead.
    """
    settings = _settings(request)
    if not settings.write_endpoints:
        raise HTTPException(status_code=403, detail="Write endpoints are disabled")
    if settings.api_key is None:
        return  # only reachable with insecure_dev; create_app refuses otherwise
    expected = settings.api_key.get_secret_value().encode()
    if key is None or not secrets.compare_digest(key.encode(), expected):
        _count_failure(request)
        raise HTTPException(status_code=401, detail="Invalid or missing API key")


SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelDep = Annotated[ToneModel, Depends(get_model)]
StoreDep = Annotated[LabelStore, Depends(get_store)]
WatcherDep = Annotated[ModelWatcher, Depends(get_watcher)]
WriteAccess = Depends(require_write_access)
