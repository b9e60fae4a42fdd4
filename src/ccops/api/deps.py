"""Typed dependencies for routes: a route reads like its signature."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ccops.store.auth_models import User
from ccops.store.writer import StoreWriter
from ccops.web.live import InProcessFanout
from ccops.web.scope import Scope
from ccops.web.security import (
    api_client,
    check_csrf,
    check_csrf_header,
    current_scope,
    current_user,
    get_db,
    optional_user,
)


def get_engine(request: Request) -> Engine:
    """The store's engine for this app."""
    engine: Engine = request.app.state.engine
    return engine


def get_writer(request: Request) -> StoreWriter:
    """The app's store writer (one per process, so its key cache is shared)."""
    writer: StoreWriter = request.app.state.writer
    return writer


def get_live(request: Request) -> InProcessFanout:
    """The app's live fan-out (in-process, or Redis across workers)."""
    live: InProcessFanout = request.app.state.live
    return live


EngineDep = Annotated[Engine, Depends(get_engine)]
WriterDep = Annotated[StoreWriter, Depends(get_writer)]
SessionDep = Annotated[Session, Depends(get_db)]
LiveDep = Annotated[InProcessFanout, Depends(get_live)]
CurrentUser = Annotated[User, Depends(current_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]
ScopeDep = Annotated[Scope, Depends(current_scope)]
CsrfChecked = Annotated[None, Depends(check_csrf)]
CsrfHeaderChecked = Annotated[None, Depends(check_csrf_header)]
ApiClient = Annotated[int, Depends(api_client)]  # the API token's id
