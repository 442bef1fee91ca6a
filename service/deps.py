"""Dependencies shared by the routes."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from classifier import ToneModel
from service.settings import Settings

__all__ = ["ModelDep", "SettingsDep"]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_model(request: Request) -> ToneModel:
    model: ToneModel | None = request.app.state.model
    if model is None:
        raise HTTPException(status_code=503, detail="Model not loaded")
    return model


SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelDep = Annotated[ToneModel, Depends(get_model)]
