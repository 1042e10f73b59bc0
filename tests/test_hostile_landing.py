"""A hostile landing zone: whoever can write to it cannot hang a run, make it read files outside
the landing directory, or exhaust its memory.

Only regular files are read, opened without following symlinks and checked to be the file
discovery saw (device and inode); a file over the size limit, or a Parquet file that decompresses
beyond the decoded-size limit, gets a ``failed`` ledger row with a clear error. In every case the
run finishes and every other file loads. Files are read in bounded batches, which give exactly
the records of reading the whole file at once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from demo import DemoSpec, write_demo_landing
from pipeline.defs.ingest.assets import ingest_asset_key, ingest_assets, ingest_checks
from pipeline.defs.metadata import markdown_escape, slack_escape, text_table
from pipeline.defs.resources import LandingZone, Warehouse
from pipeline.ingest import IngestSummary, ingest_files
from pipeline.landing.contract import ENTITIES, INSTAGRAM_CREATORS, TIKTOK_CREATORS, Entity
from pipeline.landing.discovery import LandingFile, StrayFile, discover
from pipeline.landing.readers import iter_landing_file, read_landing_file
from pipeline.landing.records import ReadLimits, UnreadableFile
from pipeline.settings import MAX_DECODED_BYTES_VAR, MAX_FILE_BYTES_VAR, OperatorError, Settings
from pipeline.top_creators import TOP_CREATORS, top_creators
from pipeline.warehouse import connect, ensure_ingest_schema

TESTS_DIR = Path(__file__).parent
DAY = "2026-10-30"
SECRET = b'{"username": "secret_outside", "follower_count": 7}\n'
GOOD = (
    b'{"username": "good_creator", "follower_count": 120, "fetched_at": "2026-10-30T08:00:00Z"}\n'
)
OTHER = (
    b'{"username": "other_creator", "follower_count": 80, "fetched_at": "2026-10-30T09:00:00Z"}\n'
)


def place(landing: Path, entity: Entity, name: str, data: bytes) -> Path:
    folder = landing / entity.platform / entity.name
    folder = folder / f"dt={DAY}" if entity.dated else folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def ingest(
    landing: Path, warehouse: Path, entity: Entity, files: list[LandingFile], limits: ReadLimits
) -> IngestSummary:
    """ingest_files in a thread that must finish within a minute (a FIFO would block forever)."""
    result: dict = {}

    def work() -> None:
        with connect(warehouse) as con:
            ensure_ingest_schema(con)
            result["summary"] = ingest_files(con, entity, files, limits)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the ingest run hung"
    return result["summary"]


def ledger(warehouse: Path) -> dict[str, tuple]:
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select path, status, rows_read, rows_loaded, coalesce(error, '') from ingest.files"
            " order by path"
        ).fetchall()
    return {path: tuple(rest) for path, *rest in rows}


def everything_read(warehouse: Path) -> str:
    """Every loaded and rejected value, as one text: nothing from outside may appear in it."""
    with connect(warehouse, read_only=True) as con:
        loaded = con.execute("select * from ingest.tiktok_creators").fetchall()
        rejected = con.execute("select * from ingest.rejected_records").fetchall()
    return repr(loaded) + repr(rejected)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.jsonl"
    secret.parent.mkdir()
    secret.write_bytes(SECRET)
    return secret


def test_a_fifo_is_a_stray_and_the_run_finishes(landing: Path, tmp_path: Path) -> None:
    good = place(landing, TIKTOK_CREATORS, "good.jsonl", GOOD)
    fifo = good.with_name("x.jsonl")
    os.mkfifo(fifo)
    found = discover(landing)
    assert [f.relpath for f in found.files] == [f"tiktok/creators/dt={DAY}/good.jsonl"]
    assert found.strays == [
        StrayFile(f"tiktok/creators/dt={DAY}/x.jsonl", "a FIFO, not a regular file: not read")
    ]
    warehouse = tmp_path / "warehouse.duckdb"
    summary = ingest(landing, warehouse, TIKTOK_CREATORS, found.files, ReadLimits())
    assert [(o.path, o.status, o.rows_loaded) for o in summary.outcomes] == [
        (f"tiktok/creators/dt={DAY}/good.jsonl", "loaded", 1)
    ]


def test_a_symlink_swapped_in_after_discovery_is_not_followed(
    landing: Path, outside: Path, tmp_path: Path
) -> None:
    place(landing, TIKTOK_CREATORS, "good.jsonl", GOOD)
    victim = place(landing, TIKTOK_CREATORS, "victim.jsonl", OTHER)
    found = discover(landing)
    assert len(found.files) == 2
    swap = victim.with_name("swap.tmp")
    os.symlink(outside, swap)
    os.replace(swap, victim)  # the landing file is now a symlink to a file outside
    with pytest.raises(UnreadableFile, match="became a symlink after discovery"):
        read_landing_file(found.files[1])
    warehouse = tmp_path / "warehouse.duckdb"
    ingest(landing, warehouse, TIKTOK_CREATORS, found.files, ReadLimits())
    assert ledger(warehouse) == {
        f"tiktok/creators/dt={DAY}/good.jsonl": ("loaded", 1, 1, ""),
        f"tiktok/creators/dt={DAY}/victim.jsonl": (
            "failed",
            0,
            0,
            f"tiktok/creators/dt={DAY}/victim.jsonl: became a symlink after discovery; not read"
            " (symlinks are never followed when a landing file is opened)",
        ),
    }
    assert "secret_outside" not in everything_read(warehouse)
    assert "good_creator" in everything_read(warehouse)


def test_a_fifo_or_another_file_swapped_in_after_discovery_is_not_read(
    landing: Path, tmp_path: Path
) -> None:
    place(landing, TIKTOK_CREATORS, "good.jsonl", GOOD)
    as_fifo = place(landing, TIKTOK_CREATORS, "as_fifo.jsonl", OTHER)
    replaced = place(landing, TIKTOK_CREATORS, "replaced.jsonl", OTHER)
    found = discover(landing)
    as_fifo.unlink()
    os.mkfifo(as_fifo)  # opening it for reading would block without a writer
    replacement = replaced.with_name("replacement.tmp")
    replacement.write_bytes(SECRET)
    os.replace(replacement, replaced)  # another inode at the same path
    warehouse = tmp_path / "warehouse.duckdb"
    ingest(landing, warehouse, TIKTOK_CREATORS, found.files, ReadLimits())
    rows = ledger(warehouse)
    assert rows[f"tiktok/creators/dt={DAY}/good.jsonl"] == ("loaded", 1, 1, "")
    assert rows[f"tiktok/creators/dt={DAY}/as_fifo.jsonl"] == (
        "failed",
        0,
        0,
        f"tiktok/creators/dt={DAY}/as_fifo.jsonl: not a regular file any more; not read",
    )
    assert rows[f"tiktok/creators/dt={DAY}/replaced.jsonl"] == (
        "failed",
        0,
        0,
        f"tiktok/creators/dt={DAY}/replaced.jsonl: replaced by another file after discovery;"
        " not read (the next run reads the new file)",
    )
    assert "secret_outside" not in everything_read(warehouse)


def test_an_over_size_file_fails_and_the_rest_loads(landing: Path, tmp_path: Path) -> None:
    place(landing, TIKTOK_CREATORS, "good.jsonl", GOOD)
    big = place(landing, TIKTOK_CREATORS, "big.jsonl", OTHER * 10)
    limits = ReadLimits(max_file_bytes=len(GOOD) + 10)
    warehouse = tmp_path / "warehouse.duckdb"
    ingest(landing, warehouse, TIKTOK_CREATORS, discover(landing).files, limits)
    assert ledger(warehouse) == {
        f"tiktok/creators/dt={DAY}/big.jsonl": (
            "failed",
            0,
            0,
            f"tiktok/creators/dt={DAY}/big.jsonl: {big.stat().st_size:,} bytes is over the limit"
            f" of {len(GOOD) + 10:,} (CREATOR_KPIS_MAX_FILE_BYTES); not read: split the file or"
            " raise the limit",
        ),
        f"tiktok/creators/dt={DAY}/good.jsonl": ("loaded", 1, 1, ""),
    }


def creator_array(count: int, broken: int | None = None) -> bytes:
    """A JSON array of ``count`` creators, one a line; element ``broken`` (from 1) is not JSON."""
    elements = [
        f'{{"username": "c{n}", "follower_count": {n}, "fetched_at": "2026-10-30T08:00:00Z"}}'
        for n in range(1, count + 1)
    ]
    if broken is not None:
        elements[broken - 1] = f'{{"username": "c{broken}", oops}}'
    return ("[\n" + ",\n".join(elements) + "\n]\n").encode()


def test_a_json_array_broken_in_a_later_batch_loads_the_elements_before_it(
    landing: Path, tmp_path: Path
) -> None:
    place(landing, TIKTOK_CREATORS, "creators.json", creator_array(50, broken=41))
    warehouse = tmp_path / "warehouse.duckdb"
    limits = ReadLimits(batch_bytes=300)  # about 4 elements (of 80 bytes) a batch
    ingest(landing, warehouse, TIKTOK_CREATORS, discover(landing).files, limits)
    path = f"tiktok/creators/dt={DAY}/creators.json"
    assert ledger(warehouse) == {path: ("loaded", 41, 40, "")}
    with connect(warehouse, read_only=True) as con:
        loaded = con.execute(
            "select min(_line_number), max(_line_number), count(*) from ingest.tiktok_creators"
        ).fetchone()
        rejected = con.execute(
            "select line_number, reason, detail from ingest.rejected_records"
        ).fetchall()
    assert loaded == (1, 40, 40)
    assert rejected == [
        (
            41,
            "malformed_record",
            "invalid JSON array element: Expecting property name enclosed in double quotes;"
            " the rest of the file is unreadable",
        )
    ]


def test_a_json_array_growing_over_the_size_limit_while_read_stops(landing: Path) -> None:
    """Read a piece at a time, a JSON array is never held whole: one that grows over the size
    limit after it was opened fails when the limit is passed, after the batches before it."""
    path = place(landing, TIKTOK_CREATORS, "growing.json", creator_array(20))
    size = path.stat().st_size
    limits = ReadLimits(max_file_bytes=size + 100, batch_bytes=500)
    (landing_file,) = discover(landing).files
    batches = iter_landing_file(landing_file, True, limits)
    first = next(batches)
    assert first.records["username"].to_list()[:2] == ["c1", "c2"]
    with path.open("ab") as grow:
        grow.write(b" " * 1000)
    with pytest.raises(UnreadableFile) as raised:
        list(batches)
    assert str(raised.value) == (
        f"tiktok/creators/dt={DAY}/growing.json: grew over the limit of {size + 100:,} bytes"
        " (CREATOR_KPIS_MAX_FILE_BYTES) while being read; not read to the end"
    )


def test_a_parquet_decompression_bomb_fails_before_it_is_decoded(
    landing: Path, tmp_path: Path
) -> None:
    rows = 200_000
    value = "x" * 1000  # 200 MB once decoded, a few hundred KB on disk
    bomb = pa.table(
        {
            "username": pa.array([value] * rows, type=pa.string()),
            "followers_count": pa.array([1] * rows, type=pa.int64()),
        }
    )
    folder = landing / "instagram" / "creators" / f"dt={DAY}"
    folder.mkdir(parents=True)
    pq.write_table(bomb, folder / "bomb.parquet", compression="zstd")
    del bomb
    assert (folder / "bomb.parquet").stat().st_size < 2_000_000
    pl.DataFrame({"username": ["fine_creator"], "followers_count": [5]}).write_parquet(
        folder / "fine.parquet"
    )
    limits = ReadLimits(max_decoded_bytes=20_000_000)
    warehouse = tmp_path / "warehouse.duckdb"
    ingest(landing, warehouse, INSTAGRAM_CREATORS, discover(landing).files, limits)
    rows_by_path = ledger(warehouse)
    status, read, loaded, error = rows_by_path[f"instagram/creators/dt={DAY}/bomb.parquet"]
    assert (status, read, loaded) == ("failed", 0, 0)
    assert error.startswith(
        f"instagram/creators/dt={DAY}/bomb.parquet: its data decompresses to more than"
        " 20,000,000 bytes (at least "
    )
    assert error.endswith(
        "the limit (CREATOR_KPIS_MAX_DECODED_BYTES); not read: split the file or raise the limit"
    )
    # it stopped at the limit: far less than the 200 MB the file decompresses to was measured
    measured = int(error.split("(at least ")[1].split(")")[0].replace(",", ""))
    assert 20_000_000 < measured < 30_000_000
    assert rows_by_path[f"instagram/creators/dt={DAY}/fine.parquet"] == ("loaded", 1, 1, "")


def same_batches(landing_file: LandingFile, small: ReadLimits) -> None:
    for fast in (True, False):
        try:
            whole = read_landing_file(landing_file, fast=fast)
        except UnreadableFile as error:
            with pytest.raises(UnreadableFile, match=str(error).split("(")[0]):
                read_landing_file(landing_file, fast=fast, limits=small)
            continue
        pieces = read_landing_file(landing_file, fast=fast, limits=small)
        assert_frame_equal(pieces.records, whole.records, check_exact=True)
        assert_frame_equal(pieces.malformed, whole.malformed, check_exact=True)


def test_bounded_batches_read_exactly_what_the_whole_file_gives(tmp_path: Path) -> None:
    """Every catalogue, end-to-end and demo file (all four formats), read in batches of ~700
    bytes, gives the records and malformed records of reading it at once."""
    catalogue = tmp_path / "catalogue"
    for path in sorted((TESTS_DIR / "landing_catalogue").iterdir()):
        if path.suffix in (".json", ".jsonl", ".csv", ".parquet"):
            for entity in (TIKTOK_CREATORS, INSTAGRAM_CREATORS):
                place(catalogue / entity.key, entity, path.name, path.read_bytes())
    demo = tmp_path / "demo"
    write_demo_landing(demo, DemoSpec(creators=12, days=2, seed=5))
    files = [
        *(f for entity in ENTITIES for f in discover(catalogue / entity.key).files),
        *discover(TESTS_DIR / "e2e_landing").files,
        *discover(demo).files,
    ]
    assert {f.path.suffix for f in files} == {".json", ".jsonl", ".csv", ".parquet"}
    small = ReadLimits(batch_bytes=700)
    for landing_file in files:
        same_batches(landing_file, small)


def test_bounded_batches_load_the_same_warehouse(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    write_demo_landing(demo, DemoSpec(creators=12, days=2, seed=5))
    found = discover(demo)

    def load(warehouse: Path, limits: ReadLimits) -> tuple:
        with connect(warehouse) as con:
            ensure_ingest_schema(con)
            for entity in ENTITIES:
                ingest_files(con, entity, found.for_entity(entity), limits)
            ledger_rows = con.execute(
                "select path, status, rows_read, rows_loaded, rows_duplicate, rows_rejected,"
                " sha256 from ingest.files order by path"
            ).fetchall()
            videos = con.execute(
                "select * exclude (_loaded_at) from ingest.tiktok_videos order by all"
            ).fetchall()
            rejected = con.execute(
                "select * exclude (rejected_at) from ingest.rejected_records order by all"
            ).fetchall()
        return ledger_rows, videos, rejected

    whole = load(tmp_path / "whole.duckdb", ReadLimits())
    batched = load(tmp_path / "batched.duckdb", ReadLimits(batch_bytes=2_000))
    assert batched == whole
    assert len(whole[1]) > 100 and any(row[2] for row in whole[0])


def test_the_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_FILE_BYTES_VAR, "1_000")
    monkeypatch.setenv(MAX_DECODED_BYTES_VAR, "5000")
    settings = Settings.from_env()
    assert (settings.max_file_bytes, settings.max_decoded_bytes) == (1000, 5000)
    monkeypatch.delenv(MAX_FILE_BYTES_VAR)
    assert Settings.from_env().max_file_bytes == 2 * 1024**3
    for bad in ("0", "-5", "2GB", "1e9"):
        monkeypatch.setenv(MAX_FILE_BYTES_VAR, bad)
        with pytest.raises(OperatorError, match=f"^{MAX_FILE_BYTES_VAR}="):
            Settings.from_env()


def test_a_dagster_run_with_hostile_files_finishes_and_loads_the_rest(
    landing: Path, outside: Path, tmp_path: Path
) -> None:
    """The ingest asset, materialized by Dagster: a FIFO, a symlink out of the landing zone and
    an over-size file; the run succeeds, the good file loads, the big one is `failed`."""
    place(landing, TIKTOK_CREATORS, "good.jsonl", GOOD)
    place(landing, TIKTOK_CREATORS, "big.jsonl", OTHER * 50)
    os.mkfifo(landing / "tiktok" / "creators" / f"dt={DAY}" / "x.jsonl")
    os.symlink(outside, landing / "tiktok" / "creators" / f"dt={DAY}" / "out.jsonl")
    warehouse = tmp_path / "warehouse.duckdb"
    (asset,) = [a for a in ingest_assets if a.key == ingest_asset_key(TIKTOK_CREATORS)]
    result: dict = {}

    def work() -> None:
        result["run"] = dg.materialize(
            [asset],
            partition_key=DAY,
            resources={
                "landing": LandingZone(path=str(landing), max_file_bytes=1000),
                "warehouse": Warehouse(path=str(warehouse)),
            },
            raise_on_error=False,
        )

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the run hung"
    assert result["run"].success
    rows = ledger(warehouse)
    assert sorted(rows) == [
        f"tiktok/creators/dt={DAY}/big.jsonl",
        f"tiktok/creators/dt={DAY}/good.jsonl",
    ]
    assert rows[f"tiktok/creators/dt={DAY}/good.jsonl"] == ("loaded", 1, 1, "")
    assert rows[f"tiktok/creators/dt={DAY}/big.jsonl"][0] == "failed"
    assert "CREATOR_KPIS_MAX_FILE_BYTES" in rows[f"tiktok/creators/dt={DAY}/big.jsonl"][3]
    assert "secret_outside" not in everything_read(warehouse)


def test_hostile_file_names_are_escaped_in_the_ui(landing: Path, tmp_path: Path) -> None:
    """files_reconcile names a failed file whose name is Markdown: the check's description shows
    it escaped, and the failing files are a Dagster table (no markup) holding the name as is."""
    name = "[click](https:evil.example) *now* <img src=x> & <!channel>.jsonl"
    place(landing, TIKTOK_CREATORS, "good.jsonl", GOOD)
    place(landing, TIKTOK_CREATORS, name, OTHER * 50)
    warehouse = tmp_path / "warehouse.duckdb"
    (asset,) = [a for a in ingest_assets if a.key == ingest_asset_key(TIKTOK_CREATORS)]
    (check,) = [c for c in ingest_checks if asset.key in {k.asset_key for k in c.check_keys}]
    result = dg.materialize(
        [asset, check],
        partition_key=DAY,
        resources={
            "landing": LandingZone(path=str(landing), max_file_bytes=1000),
            "warehouse": Warehouse(path=str(warehouse)),
        },
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    path = f"tiktok/creators/dt={DAY}/{name}"
    assert evaluation.description is not None
    assert evaluation.description.startswith(
        r"tiktok/creators/dt=2026\-10\-30/\[click\]\(https:evil\.example\) \*now\*"
        r" \<img src=x\> \& \<\!channel\>\.jsonl: tiktok/creators/dt=2026\-10\-30/\[click\]"
    )
    table = evaluation.metadata["failing_files"]
    assert isinstance(table, dg.TableMetadataValue)
    assert [record.data["path"] for record in table.records] == [path]
    assert table.records[0].data["problem"].startswith(f"{path}: {path}: ")
    assert [column.name for column in table.schema.columns] == ["path", "problem"]


def test_hostile_usernames_are_table_cells_not_markup() -> None:
    """The top creators of a mart go to the UI as Dagster table metadata: a username that is
    Markdown or a Slack mention stays a plain cell; Markdown text from data is escaped."""
    hostile = "<!channel> [win](https://evil.example) **x**"
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.tiktok_creators as select * from (values"
        f" ('{hostile}', 'nano', 900, 3, 1000.0, 0.25), ('plain', 'micro', 20000, 5, 10.0, 0.125))"
        " as t(username, follower_tier, followers, videos_in_window, median_views,"
        " interaction_rate)"
    )
    spec = next(s for s in TOP_CREATORS if s.mart == "tiktok_creators")
    table = text_table(spec.names, top_creators(con, spec, limit=10))
    assert isinstance(table, dg.TableMetadataValue)
    assert [r.data for r in table.records] == [
        {
            "username": hostile,
            "follower_tier": "nano",
            "followers": 900,
            "videos_in_window": 3,
            "median_views": 1000.0,
            "interaction_rate": 0.25,
        },
        {
            "username": "plain",
            "follower_tier": "micro",
            "followers": 20000,
            "videos_in_window": 5,
            "median_views": 10.0,
            "interaction_rate": 0.125,
        },
    ]
    assert [(c.name, c.type) for c in table.schema.columns] == [
        ("username", "string"),
        ("follower_tier", "string"),
        ("followers", "int"),
        ("videos_in_window", "int"),
        ("median_views", "float"),
        ("interaction_rate", "float"),
    ]
    assert markdown_escape(hostile) == r"\<\!channel\> \[win\]\(https://evil\.example\) \*\*x\*\*"
    assert slack_escape(hostile) == "&lt;!channel&gt; [win](https://evil.example) **x**"


def test_files_reconcile_judges_the_files_of_the_materialized_partitions(
    landing: Path, tmp_path: Path
) -> None:
    """An old failed file of one day fails the check of runs for that day only."""
    place(landing, TIKTOK_CREATORS, "big.jsonl", OTHER * 50)  # day DAY: over the limit
    other_day = landing / "tiktok" / "creators" / "dt=2026-10-31"
    other_day.mkdir(parents=True)
    (other_day / "good.jsonl").write_bytes(GOOD)
    (asset,) = [a for a in ingest_assets if a.key == ingest_asset_key(TIKTOK_CREATORS)]
    (check,) = [c for c in ingest_checks if asset.key in {k.asset_key for k in c.check_keys}]
    resources = {
        "landing": LandingZone(path=str(landing), max_file_bytes=1000),
        "warehouse": Warehouse(path=str(tmp_path / "warehouse.duckdb")),
    }

    def check_passes(day: str) -> bool:
        run = dg.materialize([asset, check], partition_key=day, resources=resources)
        (evaluation,) = run.get_asset_check_evaluations()
        return evaluation.passed

    assert not check_passes(DAY)
    assert check_passes("2026-10-31")
    assert not check_passes(DAY)
