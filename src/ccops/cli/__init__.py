"""The `ccops` command line (Typer): commands translate arguments and call the core."""

from __future__ import annotations

from ccops.cli.app import app, main

__all__ = ["app", "main"]
