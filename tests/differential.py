"""The differential test's machinery (tests/test_differential.py, test_differential_slow.py):
random delivery sequences, the incremental side (the real ingest step, the incremental models
run by real dbt) and the reference (a from-scratch build of the same landing zone), compared
value for value after every delivery.

What it costs (per delivery, measured on 2 loaded cores: the real ingest of every landing
file on the reference side, the marts' SQL on both sides and the dbt run, about a third each):

- tiny landing zones (a handful of creators and posts over a few days), written by the test;
- the ingest step is the real one (``discover`` + ``ingest_files`` over the days of the
  sensor's run request, computed by the sensor's own functions);
- dbt only where it matters: the two incremental models, the only models that keep state
  between runs, are run by real dbt (``dbtRunner`` in this process, with the manifest parsed
  once, writing no JSON artifacts and no log file) after every delivery that loaded something.
  Every other model is a pure function of the ingest tables and the latest-observation tables:
  the views are created once per warehouse from the SQL that ``dbt compile`` produced (DuckDB
  binds a view's query when it is read, so a view always shows what the tables hold now), and
  the models dbt materializes as tables (the marts) are created again from their compiled SQL,
  in dependency order, after every build;
- the reference is one in-memory database per sequence, its views created once: for each new
  content of the landing zone, its ``ingest`` schema is dropped and created afresh
  (``ensure_ingest_schema``, as a new warehouse), every landing file is ingested, and the
  incremental models are created by their first-build SQL, then the marts. A delivery that
  leaves every file's content as it was (a touch) has the same reference: it is taken from a
  cache keyed by the landing zone's content.

``test_compiled_build_equals_a_dbt_build`` checks once that this reference equals what a real
``dbt build`` makes of a landing zone. A difference fails naming the seed and the delivery.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from pipeline.defs.ingest.sensors import fingerprints, request_for_changes
from pipeline.ingest import ingest_files
from pipeline.landing.contract import ENTITIES
from pipeline.landing.discovery import discover
from pipeline.landing.records import DEFAULT_LIMITS, ReadLimits
from pipeline.settings import DBT_PROJECT_DIR, WAREHOUSE_VAR
from pipeline.warehouse import INGEST_SCHEMA, ensure_ingest_schema, latest_load_id

# dbt's manifest names the database (DuckDB catalog = file stem) of the warehouse it was parsed
# for: every warehouse the parsed runner builds into is a file of that name in its own folder
COMPILE_CATALOG = "warehouse"
INCREMENTAL_MODELS = ("int_tiktok_videos_latest", "int_instagram_posts_latest")
# process state, not data: when and in which load a row was written, and a touched file's mtime
# (the sensor starts no run for a touch, so the ledger learns the new mtime only on a later run)
VOLATILE = {"_loaded_at", "loaded_at", "rejected_at", "_load_id", "load_id", "modified_ns"}
FIRST_DAY = date(2026, 10, 1)
DAYS = [FIRST_DAY + timedelta(days=i) for i in range(6)]
USERS = ["ana", "ben", "cy"]
VIDEOS = {"71": "ana", "72": "ana", "73": "ben", "74": "cy"}
POSTS = {"17901": "ana", "17902": "ben", "17903": "cy"}
# what dbt need not do in a test run: write manifest.json and run_results.json, log to a file
DBT_QUIET = ["--quiet", "--no-write-json", "--log-level-file", "none"]


# --- the dbt project, compiled once ---------------------------------------------------------------


@dataclass
class CompiledProject:
    nodes: list[dict]  # models and seeds in dependency order
    runner: object  # dbtRunner with the parsed manifest
    target_path: Path

    def __post_init__(self) -> None:
        downstream: set[str] = set()
        for node in self.nodes:
            parents = set(node.get("depends_on", {}).get("nodes", []))
            if node["name"] in INCREMENTAL_MODELS or parents & downstream:
                downstream.add(node["unique_id"])
        # what reads the incremental models, directly or not (created after their first build)
        self.upstream = [n for n in self.nodes if n["unique_id"] not in downstream]
        self.downstream = [n for n in self.nodes if n["unique_id"] in downstream]

    def create_views(self, con: duckdb.DuckDBPyConnection, nodes: list[dict]) -> None:
        """The seed as a table, every view of ``nodes`` from its compiled SQL, in dependency
        order: created once per warehouse (a view's query is bound when it is read)."""
        for node in nodes:
            con.execute(f'create schema if not exists "{node["schema"]}"')
            if node["resource_type"] == "seed":
                types = node["config"].get("column_types") or {}
                con.execute(
                    f'create or replace table "{node["schema"]}"."{node["alias"]}" as'
                    " select * from read_csv(?, header = true, types = ?)",
                    [str(DBT_PROJECT_DIR / node["original_file_path"]), types],
                )
            elif node["config"]["materialized"] == "view":
                self._create(con, node, "view")

    def build_tables(
        self, con: duckdb.DuckDBPyConnection, incremental_too: bool, nodes: list[dict] | None = None
    ) -> None:
        """Every model materialized as a table (the marts) from its compiled SQL, in
        dependency order; the incremental models too when ``incremental_too``, as their first
        build makes them (the SQL ``dbt compile`` produced before they existed: every
        observation, no stored rows). Only those of ``nodes`` if given."""
        for node in self.nodes if nodes is None else nodes:
            materialized = node["config"].get("materialized")
            if materialized == "table" or (materialized == "incremental" and incremental_too):
                self._create(con, node, "table")

    def _create(self, con: duckdb.DuckDBPyConnection, node: dict, kind: str) -> None:
        sql = node["compiled_code"].replace(f'"{COMPILE_CATALOG}".', "")
        con.execute(f'create schema if not exists "{node["schema"]}"')
        con.execute(f'create or replace {kind} "{node["schema"]}"."{node["alias"]}" as {sql}')

    def run_incremental_models(self, warehouse: Path) -> None:
        os.environ[WAREHOUSE_VAR] = str(warehouse)
        self.invoke(["run", "--select", *INCREMENTAL_MODELS])

    def invoke(self, args: list[str]) -> None:
        """One dbt command in this process, then dbt-duckdb's cached connection is closed (it
        outlives the command otherwise, and the test opens the same file itself)."""
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        try:
            result = self.runner.invoke([*args, *DBT_QUIET, *self._project_args()])  # type: ignore[attr-defined]
        finally:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None
        assert result.success, result.exception

    def _project_args(self) -> list[str]:
        return [
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(self.target_path),
        ]


def _dependency_order(manifest: dict) -> list[dict]:
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    }
    ordered: list[dict] = []
    done: set[str] = set()

    def visit(uid: str) -> None:
        if uid in done:
            return
        done.add(uid)
        for parent in nodes[uid].get("depends_on", {}).get("nodes", []):
            if parent in nodes:
                visit(parent)
        ordered.append(nodes[uid])

    for uid in sorted(nodes):
        visit(uid)
    return ordered


def compile_project(root: Path) -> CompiledProject:
    """``dbt parse`` and ``dbt compile`` once, over an empty warehouse (so the incremental
    models compile to their first-build SQL); the runner keeps the parsed manifest."""
    from dbt.cli.main import dbtRunner

    warehouse = root / f"{COMPILE_CATALOG}.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_ingest_schema(con)
    os.environ[WAREHOUSE_VAR] = str(warehouse)
    target = root / "target"
    args = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    args += ["--target-path", str(target), "--quiet"]
    parsed = dbtRunner().invoke(["parse", *args])
    assert parsed.success, parsed.exception
    runner = dbtRunner(manifest=parsed.result)
    compiled_run = runner.invoke(["compile", "--select", "resource_type:model", *args])
    assert compiled_run.success, compiled_run.exception
    manifest = json.loads((target / "manifest.json").read_text())
    return CompiledProject(_dependency_order(manifest), runner, target)


# --- comparing warehouses ------------------------------------------------------------------------


def compared_relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What the comparison reads: every ingest table, the incremental models and every mart;
    name -> select statement."""
    relations = con.execute(
        "select schema_name, table_name from duckdb_tables()"
        " where schema_name in ('ingest', 'marts') or table_name in ?"
        " order by 1, 2",
        [list(INCREMENTAL_MODELS)],
    ).fetchall()
    selects = {}
    for schema, table in relations:
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ?"
                " order by column_index",
                [schema, table],
            ).fetchall()
            if name not in VOLATILE
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        selects[f"{schema}.{table}"] = f'select {select} from "{schema}"."{table}"'
    return selects


def snapshot(
    con: duckdb.DuckDBPyConnection, relations: dict[str, str] | None = None
) -> dict[str, list[tuple]]:
    """Every compared relation's rows (but the volatile columns), sorted."""
    relations = compared_relations(con) if relations is None else relations
    return {
        name: sorted(con.execute(select).fetchall(), key=repr) for name, select in relations.items()
    }


def differences(incremental: dict, full: dict) -> list[str]:
    problems = []
    for table in sorted(set(incremental) | set(full)):
        a, b = incremental.get(table), full.get(table)
        if a != b:
            only_a = [r for r in (a or []) if r not in (b or [])][:3]
            only_b = [r for r in (b or []) if r not in (a or [])][:3]
            problems.append(f"{table}: only incremental {only_a}, only full {only_b}")
    return problems


# --- deliveries ----------------------------------------------------------------------------------


def stamp(day: date, hour: int, days_later: int = 0) -> str:
    moment = datetime.combine(day, datetime.min.time()) + timedelta(days=days_later, hours=hour)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Landing:
    """The landing zone a sequence of deliveries builds, file contents kept as records."""

    root: Path
    rng: random.Random
    files: dict[str, list[dict]] = field(default_factory=dict)

    def write(self, relpath: str, records: list[dict]) -> None:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        before = path.stat().st_mtime_ns if path.exists() else None
        if relpath.endswith(".json"):  # a JSON array, one element per line, as exports write it
            path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")
        else:
            path.write_text("".join(json.dumps(r) + "\n" for r in records))
        if before is not None:  # a rewrite always moves the mtime on, as a real delivery does
            os.utime(path, ns=(before + 10**9, before + 10**9))
        self.files[relpath] = list(records)

    # records -------------------------------------------------------------------------------
    def tiktok_creator(self, day: date, fetched_at: str | None = None) -> dict:
        return {
            "username": self.rng.choice(USERS),
            "follower_count": self.rng.choice([500, 12_000, 60_000, self.rng.randint(0, 99_999)]),
            "fetched_at": fetched_at or stamp(day, self.rng.choice([8, 12, 20])),
        }

    def video(self, day: date, fetched_at: str | None = None) -> dict:
        video_id = self.rng.choice(list(VIDEOS))
        return {
            "id": video_id,
            "username": VIDEOS[video_id],
            "create_time": "2026-09-28T00:00:00Z",
            "view_count": self.rng.randint(0, 300_000),
            "like_count": self.rng.randint(0, 900),
            "comment_count": self.rng.randint(0, 90),
            "share_count": self.rng.randint(0, 9),
            "fetched_at": fetched_at or stamp(day, self.rng.choice([8, 12, 20])),
        }

    def instagram_creator(self, day: date, fetched_at: str | None = None) -> dict:
        return {
            "username": self.rng.choice(USERS),
            "followers_count": self.rng.randint(0, 70_000),
            "fetched_at": fetched_at or stamp(day, self.rng.choice([8, 12, 20])),
        }

    def media(self, day: date, fetched_at: str | None = None) -> dict:
        post_id = self.rng.choice(list(POSTS))
        return {
            "id": post_id,
            "username": POSTS[post_id],
            "timestamp": "2026-09-28T00:00:00Z",
            "comments_count": self.rng.randint(0, 50),
            "like_count": self.rng.choice([-1, self.rng.randint(0, 500)]),
            "views": self.rng.choice([None, self.rng.randint(0, 9_000)]),
            "fetched_at": fetched_at or stamp(day, self.rng.choice([8, 12, 20])),
        }

    def campaign_post(self) -> dict:
        if self.rng.random() < 0.5:
            platform, post_id = "tiktok", self.rng.choice([*VIDEOS, "79"])
        else:
            platform, post_id = "instagram", self.rng.choice([*POSTS, "17909"])
        return {
            "campaign_id": self.rng.choice(["c1", "c2"]),
            "platform": platform,
            "post_id": post_id,
            "fee": self.rng.randint(1, 500),
            "creator_username": self.rng.choice(USERS),
        }

    # deliveries ----------------------------------------------------------------------------
    def day_files(self, day: date) -> dict[str, list[dict]]:
        makers: dict[str, Callable[[date], dict]] = {
            "tiktok/creators": self.tiktok_creator,
            "tiktok/videos": self.video,
            "instagram/creators": self.instagram_creator,
            "instagram/media": self.media,
        }
        return {
            f"{folder}/dt={day}/part{self.suffix()}": [
                maker(day) for _ in range(self.rng.randint(1, 4))
            ]
            for folder, maker in makers.items()
        }

    def suffix(self) -> str:
        """JSON lines mostly, a JSON array for one new file in three (the streamed array reader)."""
        return ".json" if self.rng.random() < 1 / 3 else ".jsonl"

    def dated(self) -> list[str]:
        return sorted(p for p in self.files if "/dt=" in p)

    def new_day(self) -> str:
        fresh = [d for d in DAYS if not any(f"/dt={d}/" in p for p in self.files)]
        day = self.rng.choice(fresh) if fresh else self.rng.choice(DAYS)
        for relpath, records in self.day_files(day).items():
            self.write(
                relpath if relpath not in self.files else relpath.replace("part", "more"), records
            )
        return f"new day {day}"

    def late_data(self) -> str:
        if not self.dated():
            return self.new_day()
        relpath = self.rng.choice(self.dated())
        day = date.fromisoformat(relpath.split("dt=")[1][:10])
        folder = relpath.rsplit("/", 1)[0]
        late = f"{folder}/late{len(self.files)}{self.suffix()}"
        maker = self.maker_for(relpath)
        self.write(late, [maker(day) for _ in range(self.rng.randint(1, 3))])
        return f"late data {late}"

    def maker_for(self, relpath: str) -> Callable[[date], dict]:
        if relpath.startswith("tiktok/creators"):
            return self.tiktok_creator
        if relpath.startswith("tiktok/videos"):
            return self.video
        if relpath.startswith("instagram/creators"):
            return self.instagram_creator
        return self.media

    def correct_in_place(self) -> str:
        if not self.dated():
            return self.new_day()
        relpath = self.rng.choice(self.dated())
        day = date.fromisoformat(relpath.split("dt=")[1][:10])
        records = [dict(r) for r in self.files[relpath]]
        what = self.rng.choice(["values changed", "records removed", "records added"])
        if what == "values changed":
            for record in records:
                fresh = self.maker_for(relpath)(day, record.get("fetched_at"))
                for key in fresh:
                    if key not in ("id", "username", "fetched_at"):
                        record[key] = fresh[key]
        elif what == "records removed" and len(records) > 1:
            records.pop(self.rng.randrange(len(records)))
        else:
            records.append(self.maker_for(relpath)(day))
        self.write(relpath, records)
        return f"corrected {relpath} ({what})"

    def same_record_in_two_days(self) -> str:
        if len(self.dated()) < 2:
            return self.new_day()
        source = self.rng.choice(self.dated())
        folder = source.split("/dt=")[0]
        targets = [p for p in self.dated() if p.startswith(folder) and p != source]
        if not targets:
            return self.late_data()
        target = self.rng.choice(targets)
        self.write(target, self.files[target] + [self.rng.choice(self.files[source])])
        return f"record of {source} also in {target}"

    def touch(self) -> str:
        if not self.files:
            return self.new_day()
        relpath = self.rng.choice(sorted(self.files))
        path = self.root / relpath
        mtime = path.stat().st_mtime_ns + 10**9
        os.utime(path, ns=(mtime, mtime))
        return f"touched {relpath}"

    def out_of_range_fetched_at(self) -> str:
        if not self.dated():
            return self.new_day()
        relpath = self.rng.choice(self.dated())
        day = date.fromisoformat(relpath.split("dt=")[1][:10])
        bad = self.rng.choice([stamp(day, 1, days_later=2), "2099-01-01T00:00:00Z"])
        self.write(relpath, self.files[relpath] + [self.maker_for(relpath)(day, bad)])
        return f"out-of-range fetched_at {bad} in {relpath}"

    def campaign_change(self) -> str:
        name = self.rng.choice(["posts_a.jsonl", "posts_b.jsonl"])
        relpath = f"campaigns/campaign_posts/{name}"
        records = self.files.get(relpath, []) + [self.campaign_post() for _ in range(2)]
        if len(records) > 2 and self.rng.random() < 0.4:
            records.pop(0)
        self.write(relpath, records)
        if "campaigns/campaigns/list.jsonl" not in self.files or self.rng.random() < 0.3:
            self.write(
                "campaigns/campaigns/list.jsonl",
                [
                    {"campaign_id": "c1", "brand": self.rng.choice(["Acme", "Acme2"])},
                    {"campaign_id": "c2", "brand": "Beta", "currency": "eur"},
                ],
            )
        return f"campaign files {relpath}"

    def deliver(self) -> str:
        kinds = [
            self.new_day,
            self.late_data,
            self.correct_in_place,
            self.correct_in_place,
            self.same_record_in_two_days,
            self.touch,
            self.out_of_range_fetched_at,
            self.campaign_change,
        ]
        return self.rng.choice(kinds)()


# --- one sequence --------------------------------------------------------------------------------


# The incremental side reads its files in batches of about this many bytes (several per file:
# a JSON array is streamed element by element), the reference reads each file whole: the
# comparison also holds the batched readers to the whole-file ones.
SMALL_BATCHES = ReadLimits(batch_bytes=300)


def ingest(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    days: set[date] | None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> None:
    """What the ingest assets do for a run over ``days`` (None: every day)."""
    found = discover(landing)
    for entity in ENTITIES:
        files = found.for_entity(entity, days if entity.dated else None)
        ingest_files(con, entity, files, limits)


class Reference:
    """From-scratch builds of landing zones, in one in-memory database whose views are created
    once (module docstring); snapshots are kept by the landing zone's content."""

    def __init__(self, compiled: CompiledProject) -> None:
        self.compiled = compiled
        self.con = duckdb.connect()
        ensure_ingest_schema(self.con)
        for node in compiled.nodes:  # every model, in dependency order
            compiled.create_views(self.con, [node])
            compiled.build_tables(self.con, incremental_too=True, nodes=[node])
        self.relations = compared_relations(self.con)
        self.by_content: dict[tuple, dict] = {}

    def close(self) -> None:
        self.con.close()

    def snapshot_of(self, landing: Path) -> dict:
        content = tuple(
            sorted(
                (str(path.relative_to(landing)), path.read_bytes())
                for path in landing.rglob("*")
                if path.is_file()
            )
        )
        if content not in self.by_content:
            self.by_content[content] = self.build(landing)
        return self.by_content[content]

    def build(self, landing: Path) -> dict:
        """Ingest tables as a new warehouse's, every landing file ingested, the incremental
        models by their first-build SQL; the views show the rest."""
        self.con.execute(f"drop schema {INGEST_SCHEMA} cascade")
        ensure_ingest_schema(self.con)
        ingest(self.con, landing, None)
        self.compiled.build_tables(self.con, incremental_too=True)
        return snapshot(self.con, self.relations)


def run_sequence(
    compiled: CompiledProject, root: Path, seed: int, deliveries: int
) -> tuple[int, list[str]]:
    """Apply ``deliveries`` random deliveries; after each, run what the sensor asks for and
    compare with a full build. Returns how many deliveries started a run, and what they were."""
    landing = Landing(root / f"landing-{seed}", random.Random(seed))
    landing.root.mkdir(parents=True)
    (root / f"incremental-{seed}").mkdir()
    warehouse = root / f"incremental-{seed}" / f"{COMPILE_CATALOG}.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_ingest_schema(con)
        compiled.create_views(con, compiled.upstream)
    reference = Reference(compiled)
    relations: dict[str, str] | None = None  # the incremental side's, once its marts exist
    cursor: dict[str, str] = {}
    built_through = -1
    runs = 0
    descriptions = []
    try:
        for number in range(1, deliveries + 1):
            description = landing.deliver()
            descriptions.append(description)
            current, changed = fingerprints(discover(landing.root).files, cursor)
            cursor = current
            request = (
                request_for_changes(changed, current, date(2026, 12, 1))[0] if changed else None
            )
            if request is not None:
                runs += 1
                key_range = request.partition_key_range
                first = date.fromisoformat(key_range.start if key_range else request.partition_key)
                last = date.fromisoformat(key_range.end if key_range else request.partition_key)
                days = {first + timedelta(days=i) for i in range((last - first).days + 1)}
                with duckdb.connect(str(warehouse)) as con:
                    ingest(con, landing.root, days, SMALL_BATCHES)
                    loaded_through = latest_load_id(con)
                if loaded_through != built_through:  # as the dbt asset: no build when nothing new
                    compiled.run_incremental_models(warehouse)
                    with duckdb.connect(str(warehouse)) as con:
                        if relations is None:  # the first build: what reads the models
                            compiled.create_views(con, compiled.downstream)
                        compiled.build_tables(con, incremental_too=False)
                        relations = relations or compared_relations(con)
                    built_through = loaded_through
            with duckdb.connect(str(warehouse), read_only=True) as con:
                incremental = snapshot(con, relations)
            problems = differences(incremental, reference.snapshot_of(landing.root))
            assert not problems, (
                f"seed {seed}, delivery {number} ({description}): incremental != full:\n"
                + "\n".join(problems)
            )
    finally:
        reference.close()
    return runs, descriptions
