"""`ccops quality`: the form, alpha of the published example, calibration, onion and sampling."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from ccops.cli.quality import quality_app
from ccops.quality.forms import DEFAULT_FORM, ItemKind
from tests.factories import contact_events

runner = CliRunner()


def test_form_shows_the_default_weights_and_its_json() -> None:
    result = runner.invoke(quality_app, ["form"])
    assert result.exit_code == 0, result.output
    assert "Accuracy" in result.output and "40" in result.output
    as_json = runner.invoke(quality_app, ["form", "--json"])
    assert orjson.loads(as_json.output)["sections"][0]["weight"] == 40


def test_alpha_reproduces_krippendorffs_worked_example(tmp_path: Path) -> None:
    path = tmp_path / "matrix.csv"
    path.write_text(
        "coder,1,2,3,4,5,6,7,8,9,10,11,12\n"
        "A,1,2,3,3,2,1,4,1,2,,,\n"
        "B,1,2,3,3,2,2,4,1,2,5,,3\n"
        "C,,3,3,3,2,3,4,2,2,5,1,\n"
        "D,1,2,3,3,2,4,4,1,2,5,1,\n"
    )
    nominal = runner.invoke(quality_app, ["alpha", str(path)])
    assert "= 0.743" in nominal.output, nominal.output
    interval = runner.invoke(quality_app, ["alpha", str(path), "--level", "interval"])
    assert "= 0.849" in interval.output
    bad = runner.invoke(quality_app, ["alpha", str(path), "--level", "cardinal"])
    assert bad.exit_code == 2


def test_calibrate_reads_long_csv_and_reports_bias(tmp_path: Path) -> None:
    lines = ["evaluator,contact,item,value"]
    for evaluator, extra in (("ann", 0), ("bob", 0), ("cat", 1)):
        for contact in ("c1", "c2", "c3"):
            for item in DEFAULT_FORM.items():
                if item.kind is ItemKind.SCALE:
                    value = str(min(5, 3 + extra + (contact == "c1")))
                else:
                    value = (
                        "no" if (item.key == "acc_correct_record" and contact == "c2") else "yes"
                    )
                lines.append(f"{evaluator},{contact},{item.key},{value}")
    path = tmp_path / "session.csv"
    path.write_text("\n".join(lines))
    result = runner.invoke(quality_app, ["calibrate", str(path), "--expert", "ann"])
    assert result.exit_code == 0, result.output
    assert "3 evaluators, 3 contacts" in result.output
    assert "bias vs expert ann" in result.output
    path.write_text("evaluator,contact,item,value\nann,c1,nonsense,yes\n")
    assert runner.invoke(quality_app, ["calibrate", str(path)]).exit_code == 2


def test_onion_lists_layers_and_the_bottom_list_with_its_trend(tmp_path: Path) -> None:
    header = "agent,team,adherence,occupancy,utilization,performance,productivity_voice\n"
    now = tmp_path / "now.csv"
    now.write_text(
        header
        + "late,t1,0.80,0.9,0.9,0.9,60\n"
        + "idle,t1,0.95,0.6,0.9,0.95,60\n"
        + "weak,t2,0.95,0.9,0.9,0.5,60\n"
        + "ok1,t2,0.95,0.9,0.9,0.97,60\n"
        + "ok2,t2,0.95,0.9,0.9,0.98,60\n"
    )
    before = tmp_path / "before.csv"
    before.write_text(
        header
        + "late,t1,0.80,0.9,0.9,0.4,60\n"
        + "idle,t1,0.95,0.6,0.9,0.95,60\n"
        + "weak,t2,0.95,0.9,0.9,0.9,60\n"
        + "ok1,t2,0.95,0.9,0.9,0.97,60\n"
        + "ok2,t2,0.95,0.9,0.9,0.98,60\n"
    )
    result = runner.invoke(quality_app, ["onion", str(now), "--previous", str(before)])
    assert result.exit_code == 0, result.output
    assert "adherence" in result.output and "occupancy" in result.output
    assert "entered" in result.output and "improved" in result.output


def test_sample_draws_from_the_store_and_never_twice(tmp_path: Path) -> None:
    from ccops.ingest.pipeline import ingest_jsonl
    from ccops.store import make_engine, upgrade

    db = f"sqlite:///{tmp_path / 's.db'}"
    events = tmp_path / "e.jsonl"
    events.write_bytes(b"\n".join(orjson.dumps(e) for e in contact_events(300)))
    engine = make_engine(db)
    upgrade(engine)
    ingest_jsonl(engine, events)
    args = ["sample", "--week", "2026-W45", "--per-agent", "2", "--seed", "3", "--db", db]
    first = runner.invoke(quality_app, [*args, "--transfers", "--evaluator", "qa-1"])
    assert first.exit_code == 0, first.output
    assert "contact(s) sampled" in first.output and "assigned: qa-1" in first.output
    second = runner.invoke(quality_app, args)
    assert second.exit_code == 0, second.output
    with engine.connect() as conn:
        n, distinct = conn.exec_driver_sql(
            "SELECT count(*), count(DISTINCT contact_id) FROM qa_samples"
        ).one()
    assert n == distinct > 0
    assert runner.invoke(quality_app, ["sample", "--week", "45", "--db", db]).exit_code == 2


def test_onion_from_the_catalog_says_adherence_is_unavailable(tmp_path: Path) -> None:
    from ccops.ingest.pipeline import ingest_jsonl
    from ccops.metrics import run_report
    from ccops.store import make_engine, upgrade

    db = f"sqlite:///{tmp_path / 'o.db'}"
    events = tmp_path / "e.jsonl"
    events.write_bytes(b"\n".join(orjson.dumps(e) for e in contact_events(300)))
    engine = make_engine(db)
    upgrade(engine)
    ingest_jsonl(engine, events)
    engine.dispose()
    args = ["onion", "--week", "2026-W45", "--measure", "aht_seconds", "--db", db]
    result = runner.invoke(quality_app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "adherence: not available — needs published agent schedules" in result.output
    rows = run_report(db, "aht_seconds", "agent", "2026-11-02", "2026-11-08").rows
    worst = max((r for r in rows if r["agent"]), key=lambda r: r["aht_seconds"])["agent"]
    assert "bottom list" in result.output and worst in result.output.split("bottom list")[-1]
    bad = runner.invoke(quality_app, ["onion", "--week", "2026-W45", "--measure", "x", "--db", db])
    assert bad.exit_code != 0 and "unknown metric" in bad.output
