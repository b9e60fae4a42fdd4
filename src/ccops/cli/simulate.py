"""`ccops simulate`: the M/M/c bridge to the queueing formulas, and scenario runs."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

simulate_app = typer.Typer(
    help="Simulate the center: a single M/M/c(+M) queue, or a scenario TOML (the digital twin).",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _print_json(data: dict[str, Any]) -> None:
    typer.echo(orjson.dumps(_clean(data), option=orjson.OPT_INDENT_2).decode())


@simulate_app.command("mmc")
def mmc(
    arrival_rate: float = typer.Option(..., help="Arrivals per minute (Poisson)."),
    aht: float = typer.Option(..., help="Mean handle time in seconds (exponential)."),
    agents: int = typer.Option(..., help="Number of agents (servers)."),
    patience: float | None = typer.Option(
        None, help="Mean patience in seconds (exponential); omit for no abandonment."
    ),
    answer_within: float = typer.Option(20.0, help="Service-level threshold T in seconds."),
    short_abandon: float = typer.Option(
        0.0, help="Abandons within this many seconds are excluded from SL and abandonment."
    ),
    hours: float = typer.Option(..., help="Simulated hours."),
    seed: int = typer.Option(..., help="Random seed: same seed, same events."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """One queue, Poisson arrivals, exponential handle (and patience); KPIs from the events."""
    from ccops.sim import batch_means, records_kpis, simulate_mmc

    try:
        started = time.perf_counter()
        records = simulate_mmc(arrival_rate / 60.0, aht, agents, hours, seed, patience)
        wall = time.perf_counter() - started
    except ValueError as exc:
        raise _fail(str(exc)) from None
    k = records_kpis(records, answer_within, short_abandon)
    ci = batch_means(records, answer_within, short_abandon)
    result: dict[str, Any] = {
        "offered": k.offered,
        "answered": k.answered,
        "abandoned": k.abandoned,
        "short_abandoned": k.short_abandoned,
        "service_level": k.service_level,
        "asa_seconds": k.asa_seconds,
        "abandon_rate": k.abandon_rate,
        "p_wait": k.p_wait,
        "mean_wait_seconds": k.mean_wait_seconds,
        "ci95": {name: [e.low, e.high] for name, e in ci.items()},
        "contacts_per_wall_second": k.offered / wall if wall > 0 else None,
        "wall_seconds": wall,
        "parameters": {
            "arrival_rate_per_minute": arrival_rate,
            "aht_seconds": aht,
            "agents": agents,
            "patience_seconds": patience,
            "answer_within_seconds": answer_within,
            "short_abandon_seconds": short_abandon,
            "hours": hours,
            "seed": seed,
        },
    }
    if as_json:
        _print_json(result)
        return
    table = Table(title=f"M/M/{agents}{'+M' if patience else ''}, {hours:g} h, seed {seed}")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("95% CI (batch means)", justify="right")
    for name in ("offered", "answered", "abandoned"):
        table.add_row(name, str(result[name]), "")
    for name in ("service_level", "asa_seconds", "abandon_rate", "p_wait"):
        e = ci[name]
        table.add_row(name, f"{result[name]:.4f}", f"[{e.low:.4f}, {e.high:.4f}]")
    table.add_row("contacts/wall-second", f"{result['contacts_per_wall_second']:,.0f}", "")
    Console().print(table)


@simulate_app.command("run")
def run(
    scenario: Path = typer.Argument(..., help="Scenario TOML file (see docs/simulation.md)."),
    days: int = typer.Option(7, help="Simulated days."),
    seed: int = typer.Option(1, help="Random seed (replication r uses seed + r)."),
    replications: int = typer.Option(1, help="Runs with different seeds; >= 2 gives 95% CIs."),
    output: Path | None = typer.Option(
        None, help="Write the (first) run's canonical events to this JSONL file."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Simulate a scenario: write its events as JSONL and/or print KPI means with 95% CIs."""
    from ccops.sim import ScenarioError, load_scenario, replicate, simulate, write_jsonl
    from ccops.sim.kpis import mean_ci
    from ccops.sim.replications import RUN_KPIS, run_kpis

    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    if days < 1 or replications < 1:
        raise _fail("--days and --replications must be >= 1")
    started = time.perf_counter()
    written: list[int] = []

    def keep_first(s: int, records: Any) -> None:
        if output is not None and s == seed:
            try:
                written.append(write_jsonl(records, output))
            except OSError as exc:
                raise _fail(f"{output}: cannot write: {exc}") from None

    per_queue: dict[str, dict[str, Any]] = {}
    report = None
    if replications >= 2:
        report = replicate(sc, days, seed, replications, on_run=keep_first)
        per_queue = {q: dict(v) for q, v in report.overall.items()}
    else:
        rec = simulate(sc, days, seed)
        keep_first(seed, rec)
        for name, kpis in run_kpis(rec, sc).items():
            per_queue[name] = {k: mean_ci([v]) for k, v in kpis.items()}
    wall = time.perf_counter() - started
    result: dict[str, Any] = {
        "scenario": sc.name,
        "file": str(scenario),
        "days": days,
        "seed": seed,
        "replications": replications,
        "wall_seconds": wall,
        "events_written": written[0] if written else None,
        "output": str(output) if output else None,
        "queues": {
            q: {k: {"mean": e.mean, "ci95": [e.low, e.high]} for k, e in kp.items()}
            for q, kp in per_queue.items()
        },
    }
    if report is not None:
        result["intervals"] = report.rows()
    if as_json:
        _print_json(result)
        return
    title = f"{sc.name}: {days} days, seed {seed}, {replications} replication(s)"
    table = Table(title=title)
    table.add_column("queue")
    for k in RUN_KPIS:
        table.add_column(k, justify="right")
    for q, kp in per_queue.items():
        cells = []
        for k in RUN_KPIS:
            e = kp[k]
            ci = f" ±{e.half_width:.3g}" if math.isfinite(e.half_width) else ""
            cells.append(f"{e.mean:.4g}{ci}")
        table.add_row(q, *cells)
    Console().print(table)
    if written:
        Console().print(f"wrote {written[0]:,} events to {output}")


@simulate_app.command("schedule")
def try_schedule(
    scenario: Path = typer.Argument(..., help="Scenario TOML file: the center's queues and teams."),
    schedule: Path = typer.Argument(
        ...,
        help="CSV with columns agent, team, activity, start, end (as publish-schedule, + team).",
    ),
    tz: str = typer.Option("UTC", "--tz", help="Zone of times written without an offset."),
    seed: int = typer.Option(1, help="Random seed (replication r uses seed + r)."),
    replications: int = typer.Option(5, min=2, help="Runs with different seeds (>= 2)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (every interval) instead."),
) -> None:
    """Try a schedule on the twin before publishing it: each queue's expected service level per
    interval with a 95% CI, and the share of open intervals meeting the queue's target.

    Each agent works its team's skills (a team of the scenario); the schedule starts at the
    scenario's start date. Intervals are judged where the scenario expects at least one contact.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    import numpy as np

    from ccops.cli.publish import read_activities
    from ccops.sim import ScenarioError, load_scenario
    from ccops.sim.arrivals import expected_per_interval
    from ccops.sim.rota import rota_from_activities
    from ccops.wfm.plan import check_rota

    try:
        sc = load_scenario(scenario)
        zone = ZoneInfo(tz)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(f"--tz {tz!r} is not a time zone name (e.g. Asia/Shanghai)") from None
    activities, extras = read_activities(schedule, zone, ("team",), "nothing was simulated")
    if not activities:
        raise _fail(f"{schedule}: no activities")
    teams: dict[str, str] = {}
    known = {t.name for t in sc.teams}
    for act, extra in zip(activities, extras, strict=True):
        team = extra["team"]
        if team not in known:
            raise _fail(f"{act.where}: no team {team!r} in {scenario} (one of {', '.join(known)})")
        if teams.setdefault(act.agent, team) != team:
            raise _fail(f"{act.where}: agent {act.agent!r} is also in team {teams[act.agent]!r}")
    origin = sc.start
    spans = [
        (a.agent, a.activity, (a.start - origin).total_seconds(), (a.end - origin).total_seconds())
        for a in activities
    ]
    if min(s for _, _, s, _ in spans) < 0:
        raise _fail(f"{schedule}: activities before the scenario's start {origin:%Y-%m-%d}")
    days = max(1, math.ceil(max(e for *_, e in spans) / 86400.0))
    try:
        rota = rota_from_activities(spans, teams)
        expected = np.stack([expected_per_interval(sc, q, days) >= 1.0 for q in sc.queues])
        started = time.perf_counter()
        check = check_rota(sc, rota, days, replications=replications, seed=seed, expected=expected)
    except (ScenarioError, ValueError) as exc:
        raise _fail(str(exc)) from None
    shares = check.share_met_by_queue()
    if as_json:
        rows = [
            {
                "queue": q,
                "interval_start": check.interval_starts[i].isoformat(),
                "offered": float(check.offered[qi, i]),
                "service_level": float(check.service_level[qi, i]),
                "ci95": [
                    float(check.service_level[qi, i] - check.half_width[qi, i]),
                    float(check.service_level[qi, i] + check.half_width[qi, i]),
                ],
                "target": float(check.targets[qi]),
                "met": bool(check.met[qi, i]),
            }
            for qi, q in enumerate(check.queues)
            for i in np.flatnonzero(check.judged[qi])
        ]
        _print_json(
            {"days": days, "replications": replications, "share_met": shares, "intervals": rows}
        )
        return
    table = Table(
        title=f"{schedule.name} on {sc.name}: {days} days × {replications} replications "
        f"({time.perf_counter() - started:.1f} s)"
    )
    for col in ("queue", "target", "intervals judged", "meeting target", "worst interval (SL)"):
        table.add_column(col, justify="left" if col == "queue" else "right")
    for qi, q in enumerate(check.queues):
        judged = np.flatnonzero(check.judged[qi])
        if judged.size == 0:
            table.add_row(q, f"{check.targets[qi]:.0%}", "0", "—", "—")
            continue
        worst = judged[np.argmin(check.service_level[qi, judged])]
        table.add_row(
            q,
            f"{check.targets[qi]:.0%}",
            str(judged.size),
            f"{shares[q]:.1%}",
            f"{check.interval_starts[worst]:%a %H:%M} "
            f"({check.service_level[qi, worst]:.0%} ± {check.half_width[qi, worst]:.0%})",
        )
    Console().print(table)
