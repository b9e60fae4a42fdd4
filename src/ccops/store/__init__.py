"""The store: tables, engines and migrations. Nothing outside this package knows table shapes."""

from ccops.store.db import make_engine, upgrade
from ccops.store.models import Base

__all__ = ["Base", "make_engine", "upgrade"]
