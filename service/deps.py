"""Dependencies shared by the routes."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from classifier import ToneModel
from service.settings import Settings

__all__ = ["ModelDep", "SettingsDep"]


# Both only read app.state, so they are coroutines: a plain ``def`` dependency is
# run on the thread pool, where with TONE_THREADS=1 it queued behind other
# requests' scoring before its own request could start.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_model(request: Request) -> ToneModel:
    model: ToneModel | None = request.app.state.model
    if model is None:
        raise HTTPException(status_code=503, detail="Model not loaded")
    return model


SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelDep = Annotated[ToneModel, Depends(get_model)]
