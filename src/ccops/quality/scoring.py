"""Scoring an evaluation against its form version.

The rule (also in docs/quality.md):

1. Each answered item scores s in [0, 1]: yes = 1, no = 0; a scale value v scores
   (v - min) / (max - min).
2. N/A items drop out. A section scores S = sum(w_i * s_i) / sum(w_i) over its applicable items,
   so the remaining items' weights are renormalised within the section.
3. A section whose items are all N/A drops out too: the form score is
   100 * sum(W_s * S_s) / sum(W_s) over the sections that have an applicable item.
   With nothing applicable at all the evaluation has no score (None).
4. A critical item answered "no" zeroes the evaluation: score = 0 (the raw score is kept).
5. An item fails when answered "no", or, on a scale, below its pass mark. The evaluation has an
   accuracy defect when any item of the accuracy section fails; when that whole section is N/A
   the flag is None and the evaluation does not count towards accuracy.
   Accuracy (metric catalog) = evaluations without a defect / evaluations with the flag set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ccops.quality.forms import ACCURACY, Form, Item, ItemKind

Answer = bool | int | float | str | None
NA = "na"
_YES = {"yes", "y", "true", "1", "pass"}
_NO = {"no", "n", "false", "0", "fail"}


class ScoringError(ValueError):
    """Answers that do not fit the form (missing, unknown item, off-scale, N/A not allowed)."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item's outcome: its score in [0, 1] (None when N/A) and whether it failed."""

    key: str
    section: str
    score: float | None
    failed: bool
    critical: bool


@dataclass(frozen=True, slots=True)
class Result:
    """A scored evaluation: final score 0-100, raw score, sections, critical and accuracy flags."""

    score: float | None
    raw_score: float | None
    sections: dict[str, float | None]
    items: tuple[ItemResult, ...]
    critical_failed: tuple[str, ...]
    accuracy_defect: bool | None

    @property
    def failed_items(self) -> tuple[str, ...]:
        """Keys of every failed item, in form order."""
        return tuple(i.key for i in self.items if i.failed)


def normalise(item: Item, answer: Answer) -> float | None:
    """The answer as a number on the item's own scale (1/0 for yes/no), or None for N/A."""
    if answer is None or (isinstance(answer, str) and answer.strip().lower() in {NA, "n/a", ""}):
        if not item.allow_na:
            raise ScoringError(f"item {item.key!r} cannot be N/A")
        return None
    if item.kind is ItemKind.YES_NO:
        if isinstance(answer, bool):
            return 1.0 if answer else 0.0
        text = str(answer).strip().lower()
        if text in _YES:
            return 1.0
        if text in _NO:
            return 0.0
        raise ScoringError(f"item {item.key!r} is yes/no, got {answer!r}")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise ScoringError(f"item {item.key!r} takes a number, got {answer!r}") from None
    if isinstance(answer, bool) or not math.isfinite(value):
        raise ScoringError(f"item {item.key!r} takes a number, got {answer!r}")
    if not item.scale_min <= value <= item.scale_max:
        raise ScoringError(
            f"item {item.key!r}: {value:g} is off the scale {item.scale_min}..{item.scale_max}"
        )
    return value


def score(form: Form, answers: Mapping[str, Answer]) -> Result:
    """Score `answers` (item key → yes/no, number, or "na") on `form`; see the module rule."""
    unknown = sorted(set(answers) - {i.key for i in form.items()})
    if unknown:
        raise ScoringError(f"form {form.key!r} v{form.version} has no item(s) {unknown}")
    item_results: list[ItemResult] = []
    sections: dict[str, float | None] = {}
    weighted = 0.0
    total_weight = 0.0
    for section in form.sections:
        num = den = 0.0
        for item in section.items:
            if item.key not in answers:
                raise ScoringError(f"item {item.key!r} is not answered ('na' if it does not apply)")
            value = normalise(item, answers[item.key])
            if value is None:
                item_results.append(ItemResult(item.key, section.key, None, False, item.critical))
                continue
            s = (
                value
                if item.kind is ItemKind.YES_NO
                else ((value - item.scale_min) / (item.scale_max - item.scale_min))
            )
            failed = value < item.fails_below()
            item_results.append(ItemResult(item.key, section.key, s, failed, item.critical))
            num += item.weight * s
            den += item.weight
        if den > 0:
            sections[section.key] = num / den
            weighted += section.weight * num / den
            total_weight += section.weight
        else:
            sections[section.key] = None
    raw = 100.0 * weighted / total_weight if total_weight > 0 else None
    critical = tuple(r.key for r in item_results if r.critical and r.failed)
    final = 0.0 if critical else raw
    acc = [r for r in item_results if r.section == ACCURACY and r.score is not None]
    defect = any(r.failed for r in acc) if acc else None
    return Result(final, raw, sections, tuple(item_results), critical, defect)


def accuracy(defects: Iterable[bool | None]) -> float | None:
    """Share of evaluations without an accuracy defect, over those where the flag is set."""
    flags = [d for d in defects if d is not None]
    if not flags:
        return None
    return sum(1 for d in flags if not d) / len(flags)


__all__ = ["NA", "Answer", "ItemResult", "Result", "ScoringError", "accuracy", "normalise", "score"]
