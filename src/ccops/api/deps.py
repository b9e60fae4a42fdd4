"""Typed dependencies for routes: a route reads like its signature."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from ccops.store.writer import StoreWriter


def get_engine(request: Request) -> Engine:
    """The store's engine for this app."""
    engine: Engine = request.app.state.engine
    return engine


def get_writer(request: Request) -> StoreWriter:
    """The app's store writer (one per process, so its key cache is shared)."""
    writer: StoreWriter = request.app.state.writer
    return writer


EngineDep = Annotated[Engine, Depends(get_engine)]
WriterDep = Annotated[StoreWriter, Depends(get_writer)]
