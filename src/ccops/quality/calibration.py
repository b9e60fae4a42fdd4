"""Calibration: how far evaluators agree (Krippendorff's alpha) and who scores high or low.

Krippendorff's alpha = 1 - D_o / D_e, computed from the coincidence matrix of pairable values as in
K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), which works the example that
the tests reproduce (4 observers x 12 units: nominal 0.743, ordinal 0.815, interval 0.849,
ratio 0.797). Missing values are allowed; units with fewer than two values are not pairable.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from ccops.quality.forms import Form, ItemKind
from ccops.quality.scoring import Answer, ScoringError, normalise, score


class Level(StrEnum):
    """The level of measurement, which fixes the difference function of alpha."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"
    RATIO = "ratio"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def coincidences(data: Sequence[Sequence[Any]]) -> tuple[list[Any], np.ndarray]:
    """The values seen and their coincidence matrix o_ck (coders x units input, None missing)."""
    units = list(zip(*data, strict=True)) if data else []
    seen = sorted({v for unit in units for v in unit if not _missing(v)}, key=_order_key)
    index = {v: i for i, v in enumerate(seen)}
    o = np.zeros((len(seen), len(seen)))
    for unit in units:
        values = [index[v] for v in unit if not _missing(v)]
        m = len(values)
        if m < 2:
            continue
        counts = np.bincount(values, minlength=len(seen)).astype(float)
        o += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    return seen, o


def _order_key(value: Any) -> tuple[int, Any]:
    return (0, float(value)) if isinstance(value, int | float) else (1, str(value))


def _delta2(level: Level, values: list[Any], n_c: np.ndarray) -> np.ndarray:
    k = len(values)
    if level is Level.NOMINAL:
        return 1.0 - np.eye(k)
    if level is Level.ORDINAL:
        cum = np.concatenate(([0.0], np.cumsum(n_c)))
        d = np.zeros((k, k))
        for c in range(k):
            for e in range(c, k):
                d[c, e] = d[e, c] = (cum[e + 1] - cum[c] - (n_c[c] + n_c[e]) / 2) ** 2
        return d
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{level.value} alpha needs numbers, got {values!r}") from None
    if level is Level.INTERVAL:
        squared: np.ndarray = (v[:, None] - v[None, :]) ** 2
        return squared
    total = v[:, None] + v[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(total == 0, 0.0, ((v[:, None] - v[None, :]) / total) ** 2)
    return d


def krippendorff_alpha(data: Sequence[Sequence[Any]], level: Level | str = Level.NOMINAL) -> float:
    """Alpha for a coders x units matrix with None (or NaN) for missing; NaN when undefined."""
    level = Level(level)
    values, o = coincidences(data)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1 or len(values) < 2:
        return math.nan
    d2 = _delta2(level, values, n_c)
    observed = float((o * d2).sum())
    expected = float((np.outer(n_c, n_c) * d2).sum())
    if expected == 0:
        return math.nan
    return float(1.0 - (n - 1) * observed / expected)


@dataclass(frozen=True, slots=True)
class Bias:
    """An evaluator's mean difference from the reference (panel or expert) over shared units."""

    evaluator: str
    units: int
    mean_difference: float
    mean_absolute_difference: float


def evaluator_bias(
    scores: Mapping[str, Mapping[Hashable, float]],
    reference: Mapping[Hashable, float] | None = None,
) -> list[Bias]:
    """Each evaluator's bias against `reference` (an expert) or the other evaluators' mean."""
    out: list[Bias] = []
    for evaluator in sorted(scores):
        diffs: list[float] = []
        for unit, value in scores[evaluator].items():
            if _missing(value):
                continue
            if reference is not None:
                ref = reference.get(unit)
                if ref is None or _missing(ref):
                    continue
            else:
                others = [
                    s[unit]
                    for e, s in scores.items()
                    if e != evaluator and unit in s and not _missing(s[unit])
                ]
                if not others:
                    continue
                ref = sum(others) / len(others)
            diffs.append(value - ref)
        if diffs:
            mean = sum(diffs) / len(diffs)
            mad = sum(abs(d) for d in diffs) / len(diffs)
        else:
            mean = mad = math.nan
        out.append(Bias(evaluator, len(diffs), mean, mad))
    return out


@dataclass(frozen=True, slots=True)
class Rating:
    """One evaluator's answers for one contact in a calibration session."""

    evaluator: str
    contact: str
    answers: Mapping[str, Answer]


@dataclass(frozen=True, slots=True)
class Report:
    """Agreement per item and for the form score, and each evaluator's bias on the score."""

    items: dict[str, float]
    form: float
    bias: list[Bias]
    evaluators: tuple[str, ...]
    contacts: tuple[str, ...]


def calibrate(form: Form, ratings: Sequence[Rating], expert: str | None = None) -> Report:
    """Agreement per item (nominal for yes/no, interval for scales) and per form (interval)."""
    evaluators = tuple(sorted({r.evaluator for r in ratings}))
    contacts = tuple(sorted({r.contact for r in ratings}))
    by = {(r.evaluator, r.contact): r for r in ratings}
    items: dict[str, float] = {}
    for item in form.items():
        matrix = [
            [_value(item, by[(e, c)].answers) if (e, c) in by else None for c in contacts]
            for e in evaluators
        ]
        level = Level.NOMINAL if item.kind is ItemKind.YES_NO else Level.INTERVAL
        items[item.key] = krippendorff_alpha(matrix, level)
    totals: dict[str, dict[Hashable, float]] = defaultdict(dict)
    for r in ratings:
        try:
            result = score(form, r.answers)
        except ScoringError:
            continue  # an incomplete rating still counts per item, not for the form score
        if result.score is not None:
            totals[r.evaluator][r.contact] = result.score
    matrix = [[totals[e].get(c) for c in contacts] for e in evaluators]
    form_alpha = krippendorff_alpha(matrix, Level.INTERVAL)
    if expert is not None:
        reference: Mapping[Hashable, float] | None = totals.get(expert, {})
        panel = {e: s for e, s in totals.items() if e != expert}
    else:
        reference, panel = None, dict(totals)
    return Report(items, form_alpha, evaluator_bias(panel, reference), evaluators, contacts)


def _value(item: Any, answers: Mapping[str, Answer]) -> float | None:
    if item.key not in answers:
        return None
    return normalise(item, answers[item.key])


__all__ = [
    "Bias",
    "Level",
    "Rating",
    "Report",
    "calibrate",
    "coincidences",
    "evaluator_bias",
    "krippendorff_alpha",
]
