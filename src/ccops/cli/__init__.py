"""The `ccops` command line (Typer). Commands translate arguments and call the core; no rules here."""

from __future__ import annotations

from ccops.cli.app import app, main

__all__ = ["app", "main"]
