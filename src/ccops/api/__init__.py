"""The HTTP API (FastAPI): translates requests, calls the core and the store, holds no rules."""

from ccops.api.app import create_app

__all__ = ["create_app"]
