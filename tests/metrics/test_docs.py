"""The definitions page is generated from the catalog and kept in step with it."""

from __future__ import annotations

import re
from pathlib import Path

from ccops.metrics import CATALOG, MEASURES, render_html, render_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_docs_metrics_md_is_the_generated_page() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/metrics.md is stale: run `ccops metrics docs --write docs/metrics.md`"
    )


def test_every_metric_is_on_the_page_with_both_names() -> None:
    page, html = render_markdown(), render_html()
    for metric in CATALOG.values():
        assert f"`{metric.id}` — {metric.name_en} ({metric.name_zh})" in page
        assert f"<code>{metric.id}</code>" in html


def test_every_metric_is_computable_or_says_what_it_requires() -> None:
    for metric in CATALOG.values():
        assert (metric.numerator is None) == (metric.requires is not None), metric.id
        assert all(m in MEASURES for m in metric.measures), metric.id
        assert metric.formula and metric.name_zh and metric.dimensions


def test_every_metric_has_its_formula_in_chinese_too() -> None:
    for metric in CATALOG.values():
        assert re.search(r"[\u4e00-\u9fff]", metric.formula_zh), metric.id
        assert bool(metric.notes) == bool(metric.notes_zh), metric.id
        assert bool(metric.target_note) == bool(metric.target_note_zh), metric.id
