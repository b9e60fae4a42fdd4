"""A report written out: CSV, JSON, Excel (xlsx) or Parquet; columns are dimensions then metrics."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson

from ccops.metrics.report import Report

FORMATS = ("table", "csv", "json", "xlsx", "parquet")
BINARY_FORMATS = ("xlsx", "parquet")


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def to_json(report: Report) -> bytes:
    """A JSON list of rows keyed by dimension ids and metric ids (ISO time buckets)."""
    return orjson.dumps(report.json_rows(), option=orjson.OPT_INDENT_2)


def to_csv(report: Report) -> str:
    """CSV with a header row; explained contacts are space-separated keys."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(report.columns)
    for row in report.json_rows():
        writer.writerow(["" if row[c] is None else _cell(row[c]) for c in report.columns])
    return out.getvalue()


def write_xlsx(report: Report, path: Path) -> None:
    """An Excel workbook with one sheet of rows (needs openpyxl)."""
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise RuntimeError("xlsx output needs openpyxl (pip install openpyxl)") from None
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "report"
    sheet.append(report.columns)
    for row in report.rows:
        sheet.append([_cell(row[c]) for c in report.columns])
    book.save(path)


def write_parquet(report: Report, path: Path) -> None:
    """A Parquet file of the report's Arrow table (time buckets as dates/timestamps)."""
    import pyarrow.parquet as pq

    pq.write_table(report.table, path)


def write(report: Report, fmt: str, path: Path) -> None:
    """Write `report` to `path` in `fmt` (csv, json, xlsx or parquet)."""
    if fmt == "csv":
        path.write_text(to_csv(report), encoding="utf-8")
    elif fmt == "json":
        path.write_bytes(to_json(report))
    elif fmt == "xlsx":
        write_xlsx(report, path)
    elif fmt == "parquet":
        write_parquet(report, path)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS[1:])}")
