"""Publishing the marts to the serving file that BI tools read.

Two real runs of ``python -m pipeline run`` (processes, like the scheduler's) over a copy of
tests/e2e_landing: the first publishes; a landing file with two new TikTok videos is added; the
second rebuilds and republishes while a reader process queries the serving file in a tight loop
and a connection opened before the second publish stays open across it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline import serving
from pipeline.serving import (
    MARTS_SCHEMA,
    PUBLICATION_TABLE,
    REJECTIONS_TABLE,
    publish_marts,
    staging_path,
)
from pipeline.settings import (
    LANDING_DIR_VAR,
    PROJECT_ROOT,
    REPORT_FILE_NAME,
    SERVING_VAR,
    WAREHOUSE_VAR,
    OperatorError,
    Settings,
)
from tests.conftest import E2E_LANDING, MARTS
from tests.test_end_to_end_signals import SIGNALS_EXAMPLES

ANALYST_GUIDE = PROJECT_ROOT / "docs" / "analyst-guide.md"

# Two new videos by bob on a new day: tiktok_videos grows from 3 to 5 rows between the runs.
NEW_DAY_VIDEOS = "tiktok/videos/dt=2026-11-02/videos.jsonl"
NEW_DAY_RECORDS = [
    {
        "id": "7312345678901234601",
        "username": "bob",
        "create_time": 1793404800,
        "view_count": 400000,
        "like_count": 30000,
        "comment_count": 1200,
        "share_count": 900,
        "fetched_at": "2026-11-02T09:00:00Z",
    },
    {
        "id": "7312345678901234602",
        "username": "bob",
        "create_time": 1793491200,
        "view_count": 8000,
        "like_count": 400,
        "comment_count": 20,
        "share_count": 5,
        "fetched_at": "2026-11-02T09:00:00Z",
    },
]

# One query, so one snapshot: the publication row and the marts' actual row counts together.
SNAPSHOT_QUERY = """
select
    p.run_id,
    p.tiktok_videos_rows,
    (select count(*) from marts.tiktok_videos),
    p.instagram_posts_rows,
    (select count(*) from marts.instagram_posts),
    p.campaign_performance_rows,
    (select count(*) from marts.campaign_performance)
from marts.publication as p
"""

# A reader process: a new read-only connection for every query, as fast as it can, until the
# stop file exists (one last query is made after it appears). One JSON line per query.
READER = """
import json, os, sys
import duckdb

serving, stop, out, query = sys.argv[1:5]
with open(out, "w") as results:
    ready = False
    while True:
        stopping = os.path.exists(stop)
        try:
            con = duckdb.connect(serving, read_only=True)
            try:
                rows = con.execute(query).fetchall()
            finally:
                con.close()
            results.write(json.dumps({"rows": [list(row) for row in rows]}) + "\\n")
        except Exception as error:
            results.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\\n")
        if not ready:
            print("ready", flush=True)
            ready = True
        if stopping:
            break
"""


@dataclass
class Environment:
    root: Path
    landing: Path
    warehouse: Path
    serving: Path
    dagster_home: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            LANDING_DIR_VAR: str(self.landing),
            WAREHOUSE_VAR: str(self.warehouse),
            SERVING_VAR: str(self.serving),
            "DAGSTER_HOME": str(self.dagster_home),
        }


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float

    def assert_succeeded(self) -> None:
        assert self.returncode == 0, self.output[-3000:]


@dataclass
class Republished:
    first_run: Run
    second_run: Run
    first: tuple  # SNAPSHOT_QUERY's row for each publication
    second: tuple
    reader_results: list[dict]
    held_before: tuple  # a connection opened before the second publish ...
    held_after: tuple  # ... read again after it
    held_full_reads: dict[str, int]  # tables first read through that connection after the publish


class Reader:
    """The READER process on ``serving``; ``stop()`` returns its results once it has exited."""

    def __init__(self, serving: Path, workdir: Path) -> None:
        self.stop_file = workdir / "stop-reader"
        self.results_path = workdir / "reader-results.jsonl"
        self.stop_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(serving),
                str(self.stop_file),
                str(self.results_path),
                SNAPSHOT_QUERY,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":  # blocks until the first query
            self.kill()
            raise AssertionError("the reader process did not start")

    def stop(self) -> list[dict]:
        self.stop_file.touch()
        self.process.wait(timeout=120)
        self.kill()
        return [json.loads(line) for line in self.results_path.read_text().splitlines()]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def run_pipeline(environment: Environment) -> Run:
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline", "run"],
        cwd=PROJECT_ROOT,
        env=environment.env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return Run(
        completed.returncode, completed.stdout + completed.stderr, time.monotonic() - started
    )


def snapshot(path: Path) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(SNAPSHOT_QUERY).fetchall()
    assert len(rows) == 1
    return tuple(rows[0])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_new_day(landing: Path) -> None:
    target = landing / NEW_DAY_VIDEOS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(record) + "\n" for record in NEW_DAY_RECORDS))


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Environment:
    root = tmp_path_factory.mktemp("serving")
    landing = root / "landing"
    shutil.copytree(E2E_LANDING, landing)
    return Environment(
        root=root,
        landing=landing,
        warehouse=root / "warehouse.duckdb",
        serving=root / "bi" / "creator_kpis.duckdb",  # CREATOR_KPIS_SERVING, not the default
        dagster_home=root / "dagster_home",
    )


@pytest.fixture(scope="module")
def republished(environment: Environment) -> Iterator[Republished]:
    first_run = run_pipeline(environment)
    first_run.assert_succeeded()
    first = snapshot(environment.serving)

    reader = Reader(environment.serving, environment.root)
    held = duckdb.connect(str(environment.serving), read_only=True)
    try:
        held_before = tuple(held.execute(SNAPSHOT_QUERY).fetchall()[0])

        write_new_day(environment.landing)
        second_run = run_pipeline(environment)

        reader_results = reader.stop()
        held_after = tuple(held.execute(SNAPSHOT_QUERY).fetchall()[0])
        held_full_reads = {
            mart: len(held.execute(f"select * from marts.{mart}").fetchall()) for mart in MARTS
        }
    finally:
        held.close()
        reader.kill()
    second_run.assert_succeeded()
    yield Republished(
        first_run=first_run,
        second_run=second_run,
        first=first,
        second=snapshot(environment.serving),
        reader_results=reader_results,
        held_before=held_before,
        held_after=held_after,
        held_full_reads=held_full_reads,
    )


# --- publishing through the pipeline --------------------------------------------------------


def _files_beside(serving_file: Path) -> list[str]:
    """The files in the serving folder, but the HTML report each publish writes beside it."""
    return sorted(p.name for p in serving_file.parent.iterdir() if p.name != REPORT_FILE_NAME)


def test_each_run_publishes_a_new_consistent_file(
    environment: Environment, republished: Republished
) -> None:
    first_run_id, first_videos, *_ = republished.first
    second_run_id, second_videos, *_ = republished.second
    assert first_run_id != second_run_id
    assert (first_videos, second_videos) == (3, 5)  # the new day's two videos
    for publication in (republished.first, republished.second):
        _, videos, videos_counted, posts, posts_counted, campaigns, campaigns_counted = publication
        assert (videos, posts, campaigns) == (videos_counted, posts_counted, campaigns_counted)
    # nothing but the serving file (and the report built from it) is left next to it: the
    # temporary file was renamed
    assert _files_beside(environment.serving) == [environment.serving.name]
    assert environment.serving.stat().st_mode & 0o777 == 0o444


def test_readers_never_fail_and_never_see_a_mix(republished: Republished) -> None:
    results = republished.reader_results
    errors = [r["error"] for r in results if "error" in r]
    assert errors == []
    seen = [tuple(r["rows"][0]) for r in results]
    assert all(len(r["rows"]) == 1 for r in results)
    assert set(seen) <= {republished.first, republished.second}, set(seen)
    # the reader started on the first publication and, after the run, saw the second
    assert seen[0] == republished.first
    assert seen[-1] == republished.second
    assert len(seen) >= 20, "the reader queried throughout the run"


def publish_under_reader(
    warehouses: list[Path], target: Path, workdir: Path, publishes: int
) -> tuple[list[dict], dict[str, tuple]]:
    """Publish ``publishes`` times to ``target``, cycling through ``warehouses``, while a reader
    process queries it; the reader's results and the expected snapshot of every publication."""
    expected = {}

    def publish(number: int) -> None:
        warehouse = warehouses[number % len(warehouses)]
        done = publish_marts(warehouse, target, f"run-{number}")
        rows = done.mart_rows
        expected[done.run_id] = (
            done.run_id,
            *(rows["tiktok_videos"], rows["tiktok_videos"]),
            *(rows["instagram_posts"], rows["instagram_posts"]),
            *(rows["campaign_performance"], rows["campaign_performance"]),
        )

    publish(0)
    reader = Reader(target, workdir)
    try:
        for number in range(1, publishes):
            publish(number)
        results = reader.stop()
    finally:
        reader.kill()
    return results, expected


def test_readers_never_see_a_partial_file_across_many_publishes(
    environment: Environment, republished: Republished, tmp_path: Path
) -> None:
    # a second warehouse whose marts differ: one video fewer
    other = tmp_path / "other-warehouse.duckdb"
    shutil.copyfile(environment.warehouse, other)
    with duckdb.connect(str(other)) as con:
        con.execute("delete from marts.tiktok_videos where video_id = '7312345678901234602'")
    target = tmp_path / "bi" / "kpis.duckdb"
    results, expected = publish_under_reader(
        [environment.warehouse, other], target, tmp_path, publishes=20
    )
    assert [r["error"] for r in results if "error" in r] == []
    seen = [tuple(r["rows"][0]) for r in results]
    assert all(row == expected.get(row[0]) for row in seen), set(seen) - set(expected.values())
    assert {row[1] for row in seen} == {4, 5}, "the reader saw publications of both warehouses"
    assert seen[-1] == expected["run-19"]


def test_a_connection_held_open_keeps_its_snapshot(republished: Republished) -> None:
    assert republished.held_before == republished.first
    assert republished.held_after == republished.first  # not the second publication
    first_run_rows = {"tiktok_videos": 3, "instagram_posts": 4, "campaign_performance": 2}
    for mart, rows in first_run_rows.items():
        assert republished.held_full_reads[mart] == rows
    # a run never waits for readers: the held connection and the reader did not hold it up
    assert republished.second_run.returncode == 0


def test_serving_file_holds_every_mart_with_its_comments(
    environment: Environment, republished: Republished
) -> None:
    with duckdb.connect(str(environment.warehouse), read_only=True) as wh:
        expected_tables = wh.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
        expected_columns = wh.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns()"
            " where schema_name = 'marts' order by table_name, column_index"
        ).fetchall()
        expected_rows = {
            t: wh.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in MARTS
        }
        expected_videos = wh.execute(
            "select * from marts.tiktok_videos order by video_id"
        ).fetchall()
    with duckdb.connect(str(environment.serving), read_only=True) as con:
        schemas = con.execute(
            "select distinct schema_name from duckdb_tables() where not temporary"
        ).fetchall()
        tables = con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
            " and table_name not like 'publication%' order by 1"
        ).fetchall()
        columns = con.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns()"
            " where schema_name = 'marts' and table_name not like 'publication%'"
            " order by table_name, column_index"
        ).fetchall()
        publication = con.execute("select * from marts.publication").fetchall()
        names = [d[0] for d in con.execute("select * from marts.publication").description]
        publication_comments = con.execute(
            "select column_name, comment from duckdb_columns() where table_name = 'publication'"
        ).fetchall()
        videos = con.execute("select * from marts.tiktok_videos order by video_id").fetchall()
    assert schemas == [("marts",)]
    assert [t for t, _ in tables] == list(MARTS)
    assert tables == expected_tables
    assert columns == expected_columns
    assert all(comment for *_, comment in columns), "every mart column has its description"
    # descriptions with quotes survive the SQL escaping ("Creator's followers at the post. ...")
    assert any("'" in comment for *_, comment in columns)
    assert videos == expected_videos  # values (and the 19-digit ids) exactly as in the warehouse
    assert len(publication) == 1
    row = dict(zip(names, publication[0]))
    assert names[:3] == ["run_id", "published_at", "latest_data_day"]
    assert row["run_id"] == republished.second[0]
    assert row["latest_data_day"] == date(2026, 11, 2)
    assert {name: row[f"{name}_rows"] for name in MARTS} == expected_rows
    assert all(comment for _, comment in publication_comments)


def test_publish_is_a_dagster_asset_with_metadata(
    environment: Environment, republished: Republished
) -> None:
    with dg.DagsterInstance.from_config(str(environment.dagster_home)) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["serving", "marts"]))
    assert event is not None and event.asset_materialization is not None
    assert event.run_id == republished.second[0]
    metadata = event.asset_materialization.metadata
    assert metadata["path"].value == str(environment.serving)
    assert metadata["tiktok_videos_rows"].value == 5
    assert metadata["latest_data_day"].value == "2026-11-02"
    assert "published_at" in metadata


# --- SQL clients ------------------------------------------------------------------------------


def test_sqlalchemy_lists_the_marts_with_table_comments(
    environment: Environment, republished: Republished
) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(
        f"duckdb:///{environment.serving}", connect_args={"read_only": True}
    )
    try:
        inspector = sqlalchemy.inspect(engine)
        assert inspector.get_table_names(schema=MARTS_SCHEMA) == sorted(
            [*MARTS, PUBLICATION_TABLE, REJECTIONS_TABLE]
        )
        comment = inspector.get_table_comment("tiktok_videos", schema=MARTS_SCHEMA)["text"]
        assert comment.startswith("**One row per TikTok video**")
        with engine.connect() as con:
            rows = con.execute(sqlalchemy.text("select count(*) from marts.tiktok_videos"))
            assert rows.scalar() == 5
    finally:
        engine.dispose()


def test_sqlalchemy_column_comments(environment: Environment, republished: Republished) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(
        f"duckdb:///{environment.serving}", connect_args={"read_only": True}
    )
    try:
        with engine.connect() as con:
            comments = dict(
                con.execute(
                    sqlalchemy.text(
                        "select column_name, comment from duckdb_columns()"
                        " where schema_name = 'marts' and table_name = 'tiktok_videos'"
                    )
                ).fetchall()
            )
        assert comments["interaction_rate"].startswith("(likes + comments + shares) / views")
        # SQLAlchemy 2.1 breaks duckdb-engine 0.17's column reflection (pg_collation): the dev
        # extras pin SQLAlchemy below 2.1, as Superset does (it runs on 1.4)
        columns = sqlalchemy.inspect(engine).get_columns("tiktok_videos", schema=MARTS_SCHEMA)
        assert {c["name"]: c["comment"] for c in columns} == comments
    finally:
        engine.dispose()


def analyst_guide_examples() -> list[tuple[str, str]]:
    """(heading, sql) of every ```sql block in the analyst guide, under its nearest heading."""
    examples: list[tuple[str, str]] = []
    heading, sql = "", None
    for line in ANALYST_GUIDE.read_text().splitlines():
        if sql is not None:
            if line.strip() == "```":
                examples.append((heading, "\n".join(sql)))
                sql = None
            else:
                sql.append(line)
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```sql":
            sql = []
    return examples


EXAMPLES = analyst_guide_examples()
# the guide's questions about trends, the roster and quality flags need a landing zone that has
# them: they run on tests/e2e_signals_landing (tests/test_end_to_end_signals.py)
E2E_EXAMPLES = [example for example in EXAMPLES if example not in SIGNALS_EXAMPLES]


def test_analyst_guide_has_example_questions() -> None:
    headings = [heading for heading, _ in EXAMPLES]
    assert len(EXAMPLES) >= 8
    assert len(set(headings)) == len(headings), "one query per question"
    for heading, sql in EXAMPLES:
        assert heading.endswith("?"), heading
        relations = re.findall(r"\b(?:from|join)\s+([a-z_][\w.]*)", sql, flags=re.IGNORECASE)
        assert relations, heading
        for relation in relations:
            assert relation.startswith(f"{MARTS_SCHEMA}.") or relation.startswith("duckdb_"), (
                f"{heading}: {relation} is not in the serving file's marts schema"
            )


@pytest.mark.parametrize(("heading", "sql"), E2E_EXAMPLES, ids=[h for h, _ in E2E_EXAMPLES])
def test_analyst_guide_example_returns_rows(
    environment: Environment, republished: Republished, heading: str, sql: str
) -> None:
    with duckdb.connect(str(environment.serving), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"{heading}: no rows"


# --- failures ---------------------------------------------------------------------------------


def test_a_failed_publish_leaves_the_previous_file_byte_identical(
    environment: Environment, republished: Republished, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sha256(environment.serving)
    copied: list[str] = []
    real_copy = serving._copy_mart

    def copy_then_fail(con: duckdb.DuckDBPyConnection, mart: str) -> int:
        if len(copied) == 2:
            raise duckdb.IOException("disk full (simulated)")
        copied.append(mart)
        return real_copy(con, mart)

    monkeypatch.setattr(serving, "_copy_mart", copy_then_fail)
    with pytest.raises(duckdb.IOException, match="simulated"):
        publish_marts(environment.warehouse, environment.serving, "failing-run")
    assert len(copied) == 2  # it failed halfway through the marts
    assert sha256(environment.serving) == before
    assert _files_beside(environment.serving) == [environment.serving.name]
    assert snapshot(environment.serving) == republished.second


def test_comment_texts_and_names_are_quoted() -> None:
    hostile = "it's -- '); drop table marts.victim; --"
    with duckdb.connect() as con:
        con.execute('create schema marts; create table marts."odd ""name" ("a\'b" int)')
        con.execute("create table marts.victim (x int)")
        serving._comment(con, 'odd "name', hostile, {"a'b": hostile})
        assert con.execute(
            "select comment from duckdb_tables() where table_name = 'odd \"name'"
        ).fetchall() == [(hostile,)]
        assert con.execute(
            "select comment from duckdb_columns() where column_name = 'a''b'"
        ).fetchall() == [(hostile,)]
        assert con.execute("select count(*) from marts.victim").fetchall() == [(0,)]


def test_publish_refuses_a_missing_warehouse_and_a_marts_named_file(
    environment: Environment, republished: Republished, tmp_path: Path
) -> None:
    with pytest.raises(OperatorError, match="does not exist"):
        publish_marts(tmp_path / "missing.duckdb", environment.serving, "run")
    # DuckDB would name the catalog "marts": every marts.<table> reference would be ambiguous
    with pytest.raises(OperatorError, match="ambiguous"):
        publish_marts(environment.warehouse, tmp_path / "marts.duckdb", "run")
    assert not (tmp_path / "marts.duckdb").exists()
    assert snapshot(environment.serving) == republished.second


def test_publish_in_process_replaces_the_file_under_a_reader(
    environment: Environment, republished: Republished, tmp_path: Path
) -> None:
    target = tmp_path / "served" / "kpis.duckdb"
    first = publish_marts(environment.warehouse, target, "run-a")
    assert first.mart_rows["tiktok_videos"] == 5
    reader = duckdb.connect(str(target), read_only=True)
    try:
        second = publish_marts(environment.warehouse, target, "run-b")
        # the open connection still reads run-a's file; the rename did not disturb it
        assert reader.execute("select run_id from marts.publication").fetchall() == [("run-a",)]
        assert reader.execute("select count(*) from marts.instagram_posts").fetchall() == [(4,)]
    finally:
        reader.close()
    assert snapshot(target)[0] == second.run_id == "run-b"
    assert not staging_path(target, "run-b").exists()


# --- definitions and settings -----------------------------------------------------------------


def test_serving_asset_is_downstream_of_every_mart(dbt_manifest: Path, tmp_path: Path) -> None:
    from pipeline.definitions import BUILD_ALL_JOB, build_definitions

    settings = Settings(landing_dir=tmp_path, warehouse=tmp_path / "wh.duckdb")
    defs = build_definitions(settings)
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey(["serving", "marts"]))
    assert node.group_name == "serving"
    assert {k.to_user_string() for k in node.parent_keys} == {f"marts/{m}" for m in MARTS}
    job = defs.resolve_job_def(BUILD_ALL_JOB)
    assert dg.AssetKey(["serving", "marts"]) in job.asset_layer.selected_asset_keys
    # next to the warehouse when not set: never the repository's data/ for a test warehouse
    assert defs.resources["serving"].path == str(tmp_path / "serving" / "creator_kpis.duckdb")


def test_serving_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SERVING_VAR, raising=False)
    monkeypatch.delenv(WAREHOUSE_VAR, raising=False)
    default = Settings.from_env().serving
    assert default == PROJECT_ROOT / "data" / "serving" / "creator_kpis.duckdb"
    monkeypatch.setenv(WAREHOUSE_VAR, str(tmp_path / "wh.duckdb"))
    assert Settings.from_env().serving == tmp_path.resolve() / "serving" / "creator_kpis.duckdb"
    monkeypatch.setenv(SERVING_VAR, str(tmp_path / "bi" / "kpis.duckdb"))
    assert Settings.from_env().serving == tmp_path.resolve() / "bi" / "kpis.duckdb"


def test_only_the_marts_of_the_dbt_project_are_published(tmp_path: Path) -> None:
    """A table left in the warehouse's marts schema by a dropped or renamed model never reaches
    BI; a mart of the project missing from the warehouse is an operator error."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.tiktok_videos as select 1 as video_id")
        con.execute("create table marts.old_model as select 'stale' as what")
    serving = tmp_path / "serving" / "creator_kpis.duckdb"
    serving.parent.mkdir()
    publication = publish_marts(warehouse, serving, "run-1", marts=["tiktok_videos"])
    assert publication.mart_rows == {"tiktok_videos": 1}
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
    assert tables == [("publication",), ("publication_rejections",), ("tiktok_videos",)]
    with pytest.raises(OperatorError, match="lacks the mart\\(s\\) tiktok_creators of the dbt"):
        publish_marts(warehouse, serving, "run-2", marts=["tiktok_videos", "tiktok_creators"])


def test_the_serving_asset_publishes_exactly_the_dbt_marts() -> None:
    from pipeline.defs.dbt.assets import MART_KEYS

    assert sorted(key.path[1] for key in MART_KEYS) == sorted(MARTS)
