"""`ccops report`, `ccops export --parquet`, `ccops metrics` and GET /api/v1/report, /metrics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
import typer
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ccops.api import create_app
from ccops.cli.report import export, metrics_app, report
from ccops.store.models import Agent, Team
from ccops.web import create_user
from tests.web.conftest import PASSWORD, sign_in

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
runner = CliRunner()
cli = typer.Typer()
cli.command("report")(report)
cli.command("export")(export)
cli.add_typer(metrics_app, name="metrics")

ARGS = ["--metrics", "service_level,asa_seconds,aht_seconds,abandon_rate", "--by", "day,queue"]
DAY = ["--from", "2026-11-02", "--to", "2026-11-02"]


@pytest.fixture
def db(center_store: Engine) -> str:
    """The handmade center's store URL."""
    return center_store.url.render_as_string(hide_password=False)


def test_report_prints_json_rows_keyed_by_dimensions_and_metric_ids(db: str) -> None:
    result = runner.invoke(cli, ["report", *ARGS, *DAY, "--format", "json", "--db", db])
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.output)
    assert rows[0] == {
        "day": "2026-11-02",
        "queue": "sales",
        "service_level": 0.5,
        "asa_seconds": 15.0,
        "aht_seconds": 140.0,
        "abandon_rate": 0.25,
    }
    assert rows[1]["queue"] == "support"


def test_report_prints_a_table_and_csv(db: str) -> None:
    table = runner.invoke(cli, ["report", *ARGS, *DAY, "--db", db])
    assert table.exit_code == 0, table.output
    assert "sales" in table.output and "50.0%" in table.output
    csv = runner.invoke(cli, ["report", *ARGS, *DAY, "--format", "csv", "--db", db])
    assert csv.output.splitlines()[:2] == [
        "day,queue,service_level,asa_seconds,aht_seconds,abandon_rate",
        "2026-11-02,sales,0.5,15.0,140.0,0.25",
    ]


def test_report_writes_xlsx_and_parquet_files(db: str, tmp_path: Path) -> None:
    xlsx, parquet = tmp_path / "r.xlsx", tmp_path / "r.parquet"
    for fmt, path in (("xlsx", xlsx), ("parquet", parquet)):
        result = runner.invoke(cli, ["report", *ARGS, *DAY, "-f", fmt, "-o", str(path), "--db", db])
        assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["day", "queue", "service_level"]
    assert sheet.cell(2, 3).value == 0.5
    assert pq.read_table(parquet).column("aht_seconds").to_pylist() == [140.0, 300.0]


def test_report_explains_a_row_with_its_contacts(db: str) -> None:
    result = runner.invoke(
        cli, ["report", "-m", "offered", "--by", "queue", *DAY, "-f", "json", "--explain",
              "--db", db],
    )  # fmt: skip
    rows = {r["queue"]: r for r in orjson.loads(result.output)}
    assert rows["support"]["contacts"] == ["p1", "p2", "p3", "p4", "p5"]


def test_export_then_report_on_duckdb_gives_the_same_rows(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "pq"
    exported = runner.invoke(cli, ["export", "--parquet", str(folder), "--db", db])
    assert exported.exit_code == 0, exported.output
    assert (folder / "contacts.parquet").is_file()
    on_store = runner.invoke(cli, ["report", *ARGS, "-f", "json", "--db", db])
    on_duckdb = runner.invoke(cli, ["report", *ARGS, "-f", "json", "--parquet", str(folder)])
    assert orjson.loads(on_duckdb.output) == orjson.loads(on_store.output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "nope"], "unknown metric 'nope'"),
        (["-m", "occupancy", "--by", "queue"], "occupancy cannot be cut by queue"),
        (["-m", "csat"], "surveys"),
        (["--by", "day,week"], "at most one time grain"),
        (["-f", "xlsx"], "--output"),
        (["--tz", "Mars/Olympus"], "unknown time zone"),
    ],
)
def test_report_errors_say_what_is_wrong(db: str, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["report", *args, "--db", db])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["report", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 2 and "no such store file" in " ".join(result.output.split())


def test_metrics_list_and_docs_check(tmp_path: Path) -> None:
    listed = runner.invoke(cli, ["metrics", "list", "--json"])
    ids = [m["id"] for m in orjson.loads(listed.output)]
    assert {"service_level", "fcr_rate", "adherence"} <= set(ids)
    assert runner.invoke(cli, ["metrics", "docs", "--check", str(DOCS)]).exit_code == 0
    stale = tmp_path / "metrics.md"
    stale.write_text("old")
    assert runner.invoke(cli, ["metrics", "docs", "--check", str(stale)]).exit_code == 1


@pytest.fixture
def client(center_store: Engine) -> Iterator[TestClient]:
    """The app on the handmade center's store, with a manager, t1's lead and agent a1 as users."""
    with Session(center_store) as db:
        team = db.scalar(select(Team.id).where(Team.key == "t1"))
        a1 = db.scalar(select(Agent.id).where(Agent.key == "a1"))
        create_user(db, "manager", PASSWORD, "manager")
        create_user(db, "lead", PASSWORD, "team_lead", team_id=team)
        create_user(db, "a1", PASSWORD, "agent", agent_id=a1)
        db.commit()
    url = center_store.url.render_as_string(hide_password=False)
    with TestClient(create_app(url)) as c:
        yield c


def signed_in(client: TestClient, username: str) -> TestClient:
    """The client signed in as `username` through the sign-in form."""
    return sign_in(client, username, PASSWORD)


def test_get_report_returns_the_same_rows_as_the_cli(client: TestClient, db: str) -> None:
    params = {"metrics": "service_level,asa_seconds,aht_seconds,abandon_rate", "by": "day,queue",
              "from": "2026-11-02", "to": "2026-11-02"}  # fmt: skip
    response = signed_in(client, "manager").get("/api/v1/report", params=params)
    assert response.status_code == 200, response.text
    cli_rows = runner.invoke(cli, ["report", *ARGS, *DAY, "-f", "json", "--db", db]).output
    assert response.json() == orjson.loads(cli_rows)


def test_get_report_needs_a_signed_in_user(client: TestClient) -> None:
    assert client.get("/api/v1/report").status_code == 401


def test_get_report_covers_only_the_people_a_user_may_see(client: TestClient) -> None:
    params = {"metrics": "answered,occupancy", "by": "agent"}
    every = {r["agent"] for r in signed_in(client, "manager").get("/api/v1/report", params=params)
             .json()}  # fmt: skip
    assert {"a1", "a2", "a3"} <= every
    client.cookies.clear()
    team = {r["agent"] for r in signed_in(client, "lead").get("/api/v1/report", params=params)
            .json()}  # fmt: skip
    assert team == {"a1", "a2"}
    client.cookies.clear()
    rows = signed_in(client, "a1").get("/api/v1/report", params=params).json()
    assert [r["agent"] for r in rows] == ["a1"]
    assert rows[0]["answered"] == 5  # s1, s3, s7, s10 and s12: the contacts a1 answered


def test_get_report_refuses_what_it_cannot_compute_with_422(client: TestClient) -> None:
    response = signed_in(client, "manager").get("/api/v1/report", params={"metrics": "csat"})
    assert response.status_code == 422
    assert "surveys" in response.json()["detail"]


def test_get_metrics_lists_the_catalog(client: TestClient) -> None:
    catalog = {m["id"]: m for m in client.get("/api/v1/metrics").json()}
    assert catalog["service_level"]["name"] == {"en": "Service level", "zh": "服务水平"}
    assert catalog["csat"]["requires"] == "surveys"
    html = client.get("/api/v1/metrics/definitions")
    assert html.status_code == 200 and "<code>aht_seconds</code>" in html.text
