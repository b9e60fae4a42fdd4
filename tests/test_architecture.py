"""The layering in docs/architecture.md holds: the core imports no edge, the store no adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ccops"

FORBIDDEN = {
    "queueing": ("ccops.", "sqlalchemy", "fastapi", "typer", "ibis", "rich"),
    "sim": (
        "ccops.store",
        "ccops.api",
        "ccops.web",
        "ccops.cli",
        "ccops.ingest",
        "ccops.metrics",
        "sqlalchemy",
        "fastapi",
        "typer",
        "ibis",
    ),
    "events": (
        "ccops.store",
        "ccops.api",
        "ccops.web",
        "ccops.cli",
        "ccops.ingest",
        "sqlalchemy",
        "fastapi",
        "typer",
    ),
    "wfm": (
        "ccops.store",
        "ccops.api",
        "ccops.web",
        "ccops.cli",
        "ccops.ingest",
        "ccops.metrics",
        "sqlalchemy",
        "fastapi",
        "typer",
        "ibis",
    ),
    "quality": (
        "ccops.store",
        "ccops.api",
        "ccops.web",
        "ccops.cli",
        "ccops.ingest",
        "sqlalchemy",
        "fastapi",
        "typer",
        "ibis",
    ),
    "store": ("ccops.api", "ccops.web", "ccops.cli", "fastapi", "typer"),
    "metrics": ("ccops.api", "ccops.web", "ccops.cli", "ccops.ingest", "fastapi", "typer"),
    "ingest": ("ccops.api", "ccops.web", "ccops.cli", "fastapi", "typer"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _forbidden(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(
        name == p.rstrip(".") or name.startswith(p if p.endswith(".") else p + ".")
        for p in prefixes
    )


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(package: str) -> None:
    folder = SRC / package
    if not folder.is_dir():
        pytest.skip(f"ccops.{package} does not exist yet")
    own = f"ccops.{package}"
    offences = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in folder.rglob("*.py")
        for name in _imports(path)
        if not (name == own or name.startswith(own + ".")) and _forbidden(name, FORBIDDEN[package])
    ]
    assert offences == []
