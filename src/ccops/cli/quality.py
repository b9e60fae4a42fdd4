"""`ccops quality`: the evaluation form, sampling contacts, calibration and the onion review."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ccops.cli.common import DbOption, console, fail

quality_app = typer.Typer(
    help="Quality management: forms, sampling, calibration, the onion review.",
    no_args_is_help=True,
)


def _fmt(x: float | None, spec: str = ".3f") -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise fail(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise fail(
                f"{path}: missing column(s) {', '.join(missing)}; need {', '.join(required)}"
            )
        return list(reader)


def _load_form(path: Path | None):  # type: ignore[no-untyped-def]
    from ccops.quality.forms import DEFAULT_FORM, FormError, from_dict

    if path is None:
        return DEFAULT_FORM
    try:
        return from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, FormError) as exc:
        raise fail(f"--form {path}: {exc}") from None


@quality_app.command("form")
def form_command(
    form: Path | None = typer.Option(None, "--form", help="A form JSON file (default: built in)"),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON definition"),
) -> None:
    """Show an evaluation form: sections, weights and items (critical ones marked)."""
    f = _load_form(form)
    if as_json:
        typer.echo(json.dumps(f.to_dict(), indent=2, ensure_ascii=False))
        return
    table = Table(
        "section", "weight", "item", "kind", "critical", "N/A", title=f"{f.name} v{f.version}"
    )
    for s in f.sections:
        for i, item in enumerate(s.items):
            kind = item.kind.value
            if kind == "scale":
                kind = f"scale {item.scale_min}-{item.scale_max}"
            table.add_row(
                s.title if i == 0 else "",
                f"{s.weight:g}" if i == 0 else "",
                item.text,
                kind,
                "yes" if item.critical else "",
                "yes" if item.allow_na else "no",
            )
    console.print(table)


@quality_app.command("sample")
def sample(
    week: str = typer.Option(..., help="ISO week to sample from, e.g. 2026-W45"),
    per_agent: int = typer.Option(4, min=0, help="Random samples per agent (the quota)"),
    seed: int = typer.Option(1, help="Seed: the same seed and store give the same sample"),
    long_handle: float | None = typer.Option(
        None, help="Also target contacts with handle time >= this many seconds"
    ),
    transfers: bool = typer.Option(False, "--transfers", help="Also target transferred contacts"),
    repeats: bool = typer.Option(False, "--repeats", help="Also target repeat contacts"),
    vip: bool = typer.Option(False, "--vip", help="Also target VIP contacts"),
    targeted_per_agent: int = typer.Option(1, min=1, help="Contacts per agent per targeted rule"),
    evaluator: list[str] = typer.Option([], help="Internal evaluator key (repeatable)"),
    third_party: list[str] = typer.Option([], help="Third-party evaluator key (repeatable)"),
    db: str | None = DbOption,
) -> None:
    """Choose contacts to evaluate for a week and assign them to evaluators."""
    from sqlalchemy.orm import Session

    from ccops.quality import sampling
    from ccops.store import make_engine, quality_repo, upgrade

    try:
        start_day, end_day = sampling.iso_week(week)
    except ValueError as exc:
        raise fail(f"--week: {exc}") from None
    rules: list[sampling.TargetRule] = []
    if long_handle is not None:
        rules.append(sampling.long_handle(long_handle, targeted_per_agent))
    if transfers:
        rules.append(sampling.transfers(targeted_per_agent))
    if repeats:
        rules.append(sampling.repeats(targeted_per_agent))
    if vip:
        rules.append(sampling.vip(targeted_per_agent))
    from datetime import datetime, time

    start = datetime.combine(start_day, time())
    end = datetime.combine(end_day, time())
    engine = make_engine(db)
    upgrade(engine)
    with Session(engine) as session:
        evaluators = [quality_repo.ensure_evaluator(session, k) for k in evaluator] + [
            quality_repo.ensure_evaluator(session, k, kind="third_party") for k in third_party
        ]
        outcome = quality_repo.sample_contacts(
            session,
            start=start,
            end=end,
            period=week.upper(),
            per_agent=per_agent,
            seed=seed,
            rules=rules,
            evaluators=evaluators,
        )
        session.commit()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for s in outcome.run.samples:
        counts[(s.agent, s.reason)] += 1
    table = Table("agent", "reason", "contacts", title=f"samples for {week.upper()} (seed {seed})")
    for (agent, reason), n in sorted(counts.items()):
        table.add_row(agent, reason, str(n))
    console.print(table)
    if outcome.evaluators:
        load: dict[str, int] = defaultdict(int)
        for key in outcome.evaluators.values():
            load[key] += 1
        console.print("assigned: " + ", ".join(f"{k} {n}" for k, n in sorted(load.items())))
    for short in outcome.run.shortfalls:
        console.print(
            f"[yellow]{short.agent}: {short.got} of {short.wanted} (not enough contacts left)[/]"
        )
    console.print(f"{len(outcome.samples)} contact(s) sampled")


@quality_app.command("calibrate")
def calibrate_command(
    path: Path = typer.Argument(..., help="CSV with columns evaluator, contact, item, value"),
    form: Path | None = typer.Option(None, "--form", help="Form JSON (default: built in)"),
    expert: str | None = typer.Option(None, help="Evaluator whose scores are the reference"),
) -> None:
    """Agreement (Krippendorff's alpha) per item and per form, and each evaluator's bias."""
    from ccops.quality.calibration import Rating, calibrate
    from ccops.quality.scoring import ScoringError

    f = _load_form(form)
    rows = _read_csv(path, ("evaluator", "contact", "item", "value"))
    answers: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    known = {i.key for i in f.items()}
    for n, row in enumerate(rows, start=2):
        if row["item"] not in known:
            raise fail(f"{path}:{n}: item {row['item']!r} is not on form {f.key!r} v{f.version}")
        value: Any = row["value"].strip()
        try:
            value = float(value)
        except ValueError:
            pass
        answers[(row["evaluator"], row["contact"])][row["item"]] = value
    ratings = [Rating(e, c, a) for (e, c), a in sorted(answers.items())]
    try:
        report = calibrate(f, ratings, expert=expert)
    except ScoringError as exc:
        raise fail(f"{path}: {exc}") from None
    console.print(
        f"{len(report.evaluators)} evaluators, {len(report.contacts)} contacts; "
        f"form score alpha (interval) = {_fmt(report.form)}"
    )
    table = Table("item", "alpha", title="agreement per item (n/a: no variation)")
    for key, alpha in report.items.items():
        table.add_row(key, _fmt(alpha))
    console.print(table)
    ref = f"expert {expert}" if expert else "the other evaluators' mean"
    bias = Table(
        "evaluator", "contacts", "mean difference", "mean |difference|", title=f"bias vs {ref}"
    )
    for b in report.bias:
        bias.add_row(
            b.evaluator,
            str(b.units),
            _fmt(b.mean_difference, "+.1f"),
            _fmt(b.mean_absolute_difference, ".1f"),
        )
    console.print(bias)


@quality_app.command("alpha")
def alpha_command(
    path: Path = typer.Argument(
        ..., help="CSV: a header row of unit names, then one row per coder (name first)"
    ),
    level: str = typer.Option("nominal", help="nominal, ordinal, interval or ratio"),
) -> None:
    """Krippendorff's alpha of a coders x units matrix (empty cells are missing)."""
    from ccops.quality.calibration import Level, krippendorff_alpha

    try:
        chosen = Level(level)
    except ValueError:
        raise fail(f"--level must be one of {', '.join(x.value for x in Level)}") from None
    if not path.is_file():
        raise fail(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.reader(fh) if r]
    matrix = [[_cell(v) for v in r[1:]] for r in rows[1:]]  # row 1: unit names
    if len({len(r) for r in matrix}) > 1:
        raise fail(f"{path}: every coder's row needs the same number of units")
    try:
        value = krippendorff_alpha(matrix, chosen)
    except ValueError as exc:
        raise fail(str(exc)) from None
    console.print(f"Krippendorff's alpha ({chosen.value}) = {_fmt(value)}")


def _cell(text: str) -> Any:
    text = text.strip()
    if text in ("", ".", "*", "NA", "na"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


@quality_app.command("onion")
def onion_command(
    path: Path | None = typer.Argument(
        None,
        help="CSV per agent: agent, team, adherence, occupancy, utilization, performance, "
        "and productivity_<channel> columns (contacts per day). Without it, the figures come "
        "from the store's metric catalog for --week",
    ),
    previous: Path | None = typer.Option(None, help="The same CSV for the previous period"),
    week: str | None = typer.Option(
        None,
        help="From the catalog: the ISO week to review (e.g. 2026-W45), against the week before",
    ),
    measure: str = typer.Option(
        "productivity", help="From the catalog: the performance measure (a catalog metric id)"
    ),
    share: float = typer.Option(0.2, min=0.0, max=1.0, help="Share of agents in the bottom list"),
    lower_is_better: bool = typer.Option(False, help="The performance measure is lower-better"),
    adherence: float = typer.Option(0.90, help="Adherence target"),
    occupancy: float = typer.Option(0.75, help="Occupancy target (minimum)"),
    utilization: float = typer.Option(0.80, help="Utilization target"),
    productivity: list[str] = typer.Option([], help="Channel minimum per day, e.g. voice=50"),
    db: str | None = DbOption,
) -> None:
    """The onion review per team and agent, and who entered, stayed on or left the bottom list."""
    from ccops.quality import onion

    mins: dict[str, float] = {}
    for spec in productivity:
        channel, _, value = spec.partition("=")
        try:
            mins[channel] = float(value)
        except ValueError:
            raise fail(f"--productivity {spec!r}: use CHANNEL=NUMBER") from None
    targets = onion.Targets(adherence, occupancy, utilization, mins, share, not lower_is_better)
    if path is None:
        if week is None:
            raise fail("give a CSV of figures, or --week to take them from the metric catalog")
        current, before, result, higher, title = _onion_from_catalog(db, week, measure, targets)
    else:
        current = _figures(path)
        result = onion.review(current, targets)
        higher = not lower_is_better
        before = onion.bottom(_figures(previous), share, higher) if previous else None
        title = path.name
    table = Table("team", "agent", "first layer", "all shortfalls", title=f"onion review: {title}")
    for a in result.agents:
        table.add_row(
            a.team or "-",
            a.agent,
            a.first_layer or "ok",
            "; ".join(a.details[k] for k in a.shortfalls),
        )
    console.print(table)
    for layer, needs in result.unavailable.items():
        console.print(f"{layer}: not available — needs {needs}")
    if before is not None:
        rows = onion.track(before, result.bottom, current, higher_is_better=higher)
        watch = Table("agent", "status", "previous", "now", "getting better", title="bottom list")
        for t in rows:
            watch.add_row(
                t.agent,
                t.status,
                _fmt(t.previous, "g"),
                _fmt(t.current, "g"),
                "" if t.getting_better is None else ("yes" if t.getting_better else "no"),
            )
        console.print(watch)
    else:
        console.print(
            "bottom list: " + ", ".join(f"{r.agent} ({r.value:g})" for r in result.bottom)
        )


def _onion_from_catalog(db: str | None, week: str, measure: str, targets: Any) -> Any:
    """This week's review and last week's bottom list, every figure from the metric catalog."""
    from datetime import datetime, time, timedelta

    from ccops.metrics import CATALOG, MetricError
    from ccops.quality import sampling
    from ccops.store import make_engine
    from ccops.web.pages.quality import onion_review

    if measure not in CATALOG:
        raise fail(f"--measure: unknown metric {measure!r}; see `ccops metrics list`")
    try:
        first, last = sampling.iso_week(week)
    except ValueError as exc:
        raise fail(f"--week: {exc}") from None
    start, end = datetime.combine(first, time()), datetime.combine(last, time())
    engine = make_engine(db)
    try:
        now = onion_review(engine, start, end, performance=measure, targets=targets)
        then = onion_review(
            engine, start - timedelta(days=7), start, performance=measure, targets=targets
        )
    except MetricError as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()
    return now.figures, then.review.bottom, now.review, now.higher_is_better, f"{week} ({measure})"


def _figures(path: Path):  # type: ignore[no-untyped-def]
    from ccops.quality.onion import AgentFigures

    rows = _read_csv(path, ("agent", "performance"))

    def num(row: dict[str, str], key: str) -> float | None:
        text = (row.get(key) or "").strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise fail(f"{path}: {key} of {row['agent']!r} is not a number: {text!r}") from None

    out = []
    for row in rows:
        prod = {
            k.removeprefix("productivity_"): v
            for k in row
            if k and k.startswith("productivity_") and (v := num(row, k)) is not None
        }
        out.append(
            AgentFigures(
                agent=row["agent"],
                team=(row.get("team") or None),
                adherence=num(row, "adherence"),
                occupancy=num(row, "occupancy"),
                utilization=num(row, "utilization"),
                productivity=prod,
                performance=num(row, "performance"),
            )
        )
    return out
