"""Loading landing files into DuckDB: ledger (ingest.files), quarantine, duplicates, re-runs.

Every test uses a temporary landing zone and a temporary DuckDB file, discovers the landing
files and runs pipeline.ingest.ingest_files for every entity, as the Dagster assets do.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipeline.ingest import ingest_files
from pipeline.landing.contract import (
    CAMPAIGN_POSTS,
    ENTITIES,
    INSTAGRAM_MEDIA,
    TIKTOK_CREATORS,
    TIKTOK_VIDEOS,
    Entity,
)
from pipeline.landing.discovery import LandingFile, discover
from pipeline.landing.records import DEFAULT_LIMITS, ReadLimits
from pipeline.warehouse import FileOutcome, connect, ensure_ingest_schema

CATALOGUE = Path(__file__).parent / "landing_catalogue"
DAY = "2026-10-30"
TIMESTAMP_COLUMNS = {"_loaded_at", "loaded_at", "rejected_at"}


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def entity_dir(landing: Path, entity: Entity, day: str = DAY) -> Path:
    folder = landing / entity.platform / entity.name
    return folder / f"dt={day}" if entity.dated else folder


def place(landing: Path, entity: Entity, name: str, data: bytes | str, day: str = DAY) -> Path:
    path = entity_dir(landing, entity, day) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def place_catalogue(landing: Path, entity: Entity, name: str) -> Path:
    return place(landing, entity, name, (CATALOGUE / name).read_bytes())


def run(
    landing: Path, warehouse: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> dict[str, FileOutcome]:
    """One ingest run over every entity (files read in batches of ``limits.batch_bytes``); the
    outcome of each file processed, by path.

    After every run, every ledger row must balance: read = loaded + duplicate + rejected.
    """
    found = discover(landing)
    outcomes: dict[str, FileOutcome] = {}
    with connect(warehouse) as con:
        ensure_ingest_schema(con)
        for entity in ENTITIES:
            summary = ingest_files(con, entity, found.for_entity(entity), limits)
            outcomes |= {o.path: o for o in summary.outcomes}
        unbalanced = con.execute(
            "select path from ingest.files"
            " where rows_read <> rows_loaded + rows_duplicate + rows_rejected"
        ).fetchall()
    assert unbalanced == []
    for o in outcomes.values():
        assert o.rows_read == o.rows_loaded + o.rows_duplicate + o.rows_rejected, o
    return outcomes


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def ledger(warehouse: Path) -> dict[str, tuple]:
    """path -> (status, rows_read, rows_loaded, rows_duplicate, rows_rejected)."""
    rows = query(
        warehouse,
        "select path, status, rows_read, rows_loaded, rows_duplicate, rows_rejected"
        " from ingest.files order by path",
    )
    return {path: tuple(rest) for path, *rest in rows}


def rejected(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "select source_file, line_number, reason from ingest.rejected_records order by all",
    )


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every ingest table's full contents, sorted, without load timestamps."""
    result = {}
    with connect(warehouse, read_only=True) as con:
        columns = con.execute(
            "select table_name, list(column_name order by column_index) from duckdb_columns()"
            " where schema_name = 'ingest' group by table_name order by table_name"
        ).fetchall()
        for table, names in columns:
            kept = ", ".join(n for n in names if n not in TIMESTAMP_COLUMNS)
            result[table] = con.execute(
                f"select {kept} from ingest.{table} order by all"
            ).fetchall()
    assert len(result) == 9  # files, rejected_records and the seven entity tables
    return result


def landing_state(landing: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(landing).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(landing.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def bump_mtime(path: Path, seconds: int = 10) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def creator(username: str, followers: int, fetched_at: str = "2026-10-30T10:00:00Z") -> str:
    return (
        f'{{"username": "{username}", "follower_count": {followers},'
        f' "fetched_at": "{fetched_at}"}}\n'
    )


# --- the catalogue end to end -------------------------------------------------------------------

VIDEOS = f"tiktok/videos/dt={DAY}/tiktok_videos_mixed.jsonl"
MEDIA = f"instagram/media/dt={DAY}/instagram_media_invalid_utf8.jsonl"
CREATORS_CSV = f"tiktok/creators/dt={DAY}/tiktok_creators_bom_crlf.csv"
CREATORS_ARRAY = f"tiktok/creators/dt={DAY}/tiktok_creators_array.json"
CREATORS_NO_HEADER = f"tiktok/creators/dt={DAY}/tiktok_creators_missing_header.csv"
CORRUPT_PARQUET = f"tiktok/videos/dt={DAY}/tiktok_videos_corrupt.parquet"
POSTS = "campaigns/campaign_posts/campaign_posts.csv"
EMPTY = f"tiktok/videos/dt={DAY}/empty.json"


def place_catalogue_files(landing: Path) -> Path:
    place_catalogue(landing, TIKTOK_VIDEOS, "tiktok_videos_mixed.jsonl")
    place_catalogue(landing, TIKTOK_VIDEOS, "tiktok_videos_corrupt.parquet")
    place_catalogue(landing, TIKTOK_VIDEOS, "empty.json")
    place_catalogue(landing, INSTAGRAM_MEDIA, "instagram_media_invalid_utf8.jsonl")
    place_catalogue(landing, TIKTOK_CREATORS, "tiktok_creators_bom_crlf.csv")
    place_catalogue(landing, TIKTOK_CREATORS, "tiktok_creators_array.json")
    place_catalogue(landing, TIKTOK_CREATORS, "tiktok_creators_missing_header.csv")
    place_catalogue(landing, CAMPAIGN_POSTS, "campaign_posts.csv")
    return landing


@pytest.fixture
def catalogue_landing(landing: Path) -> Path:
    return place_catalogue_files(landing)


@pytest.fixture(scope="module")
def loaded_catalogue(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The catalogue ingested once (read-only for the tests that use it): landing, warehouse,
    and the landing files' bytes and mtimes before the run."""
    root = tmp_path_factory.mktemp("catalogue")
    landing = place_catalogue_files(root / "landing")
    before = landing_state(landing)
    warehouse = root / "warehouse.duckdb"
    run(landing, warehouse)
    return landing, warehouse, before


def test_catalogue_ledger(loaded_catalogue):
    _, warehouse, _ = loaded_catalogue
    assert ledger(warehouse) == {
        POSTS: ("loaded", 7, 2, 0, 5),
        MEDIA: ("loaded", 2, 2, 0, 0),
        CREATORS_ARRAY: ("loaded", 3, 2, 0, 1),
        CREATORS_CSV: ("loaded", 3, 2, 0, 1),
        CREATORS_NO_HEADER: ("failed", 0, 0, 0, 0),
        EMPTY: ("loaded", 0, 0, 0, 0),
        CORRUPT_PARQUET: ("failed", 0, 0, 0, 0),
        VIDEOS: ("loaded", 7, 2, 0, 5),
    }
    errors = dict(query(warehouse, "select path, error from ingest.files where error is not null"))
    assert errors[CREATORS_NO_HEADER] == (
        f"{CREATORS_NO_HEADER}: CSV header lacks required column(s) follower_count"
        " (header: username, display_name)"
    )
    assert errors[CORRUPT_PARQUET].startswith(f"{CORRUPT_PARQUET}: not a readable Parquet file")


def test_catalogue_quarantine(loaded_catalogue):
    _, warehouse, _ = loaded_catalogue
    assert rejected(warehouse) == [
        (POSTS, 3, "invalid_value"),  # platform youtube
        (POSTS, 4, "invalid_value"),  # fee -5
        (POSTS, 5, "invalid_value"),  # fee "free"
        (POSTS, 6, "missing_required_field"),  # fee empty
        (POSTS, 7, "malformed_record"),  # 3 fields of 5
        (CREATORS_ARRAY, 2, "malformed_record"),  # 42
        (CREATORS_CSV, 3, "malformed_record"),  # 3 fields of 4
        (VIDEOS, 3, "invalid_count"),  # view_count 1.5 (like_count true, comment_count NaN)
        (VIDEOS, 4, "malformed_record"),  # broken JSON
        (VIDEOS, 5, "malformed_record"),  # a JSON array
        (VIDEOS, 6, "malformed_record"),  # a JSON string
        (VIDEOS, 7, "invalid_value"),  # id 7.3e18
    ]
    detail, raw, entity, day = query(
        warehouse,
        "select detail, raw_record, entity, partition_day from ingest.rejected_records"
        " where source_file = ? and line_number = 3",
        [VIDEOS],
    )[0]
    assert detail == (
        'view_count="1.5" is not a non-negative whole number (12345, 12,345, 45.3K, 1.2M);'
        ' like_count="true" is not a non-negative whole number (12345, 12,345, 45.3K, 1.2M);'
        ' comment_count="NaN" is not a non-negative whole number (12345, 12,345, 45.3K, 1.2M)'
    )
    assert raw.startswith('{"id": 7312345678901234568, ')
    assert (entity, day) == ("tiktok.videos", date(2026, 10, 30))


def test_catalogue_clean_rows(loaded_catalogue):
    _, warehouse, _ = loaded_catalogue
    assert query(
        warehouse,
        "select id, typeof(id), username, create_time, view_count, like_count, comment_count,"
        " share_count, video_description, hashtag_names, fetched_at, _line_number"
        " from ingest.tiktok_videos order by _line_number",
    ) == [
        (
            "7312345678901234567",
            "VARCHAR",
            "creator",
            datetime(2026, 10, 30, 18, 10),
            45_300,
            1_500_000,
            12,
            0,
            None,
            None,
            datetime(2026, 10, 30, 20),
            1,
        ),
        (
            "7312345678901234570",
            "VARCHAR",
            "creator",
            datetime(2026, 10, 30, 18, 10),
            1,
            1,
            1,
            1,
            "emoji \ufffd cut \u2028 line separator",
            ["a", "b"],
            datetime(2026, 10, 30),  # no fetched_at: the partition day at 00:00 UTC
            8,
        ),
    ]
    assert query(
        warehouse,
        "select id, username, like_count, likes_hidden, caption"
        " from ingest.instagram_media order by id",
    ) == [
        ("17900000000000001", "creator", None, True, "caf\ufffd \ufffd\ufffd end"),
        ("17900000000000002", "creator", None, True, None),
    ]
    assert query(
        warehouse,
        "select username, follower_count, bio_description, _source_file, _line_number"
        " from ingest.tiktok_creators order by all",
    ) == [
        ("alpha", 10, None, CREATORS_ARRAY, 1),
        ("alpha", 12_345, "line one\r\nline two", CREATORS_CSV, 1),
        ("beta", 2_000_000_000, None, CREATORS_ARRAY, 3),
        ("gamma", 45_300, "bio, with comma", CREATORS_CSV, 4),
    ]
    assert query(
        warehouse,
        "select campaign_id, platform, post_id, fee, creator_username, _partition_day"
        " from ingest.campaign_posts order by all",
    ) == [
        ("c-1", "instagram", "17900000000000001", Decimal("1250.50"), "creator2", None),
        ("c-1", "tiktok", "7312345678901234567", Decimal("1500.00"), "creator", None),
    ]


def test_landing_files_are_never_modified(loaded_catalogue):
    landing, _, before = loaded_catalogue
    assert len(before) == 8
    assert landing_state(landing) == before


def test_rerun_on_unchanged_landing_zone_changes_nothing(catalogue_landing, warehouse):
    files_before = landing_state(catalogue_landing)
    first = run(catalogue_landing, warehouse)
    assert len(first) == 8
    before = snapshot(warehouse)
    assert run(catalogue_landing, warehouse) == {
        CREATORS_NO_HEADER: first[CREATORS_NO_HEADER],  # failed files are retried
        CORRUPT_PARQUET: first[CORRUPT_PARQUET],
    }
    assert snapshot(warehouse) == before
    assert landing_state(catalogue_landing) == files_before
    # a touched file with the same content is recognised by its sha256: nothing changes but
    # the modification time the ledger remembers for it
    bump_mtime(catalogue_landing / VIDEOS)
    assert run(catalogue_landing, warehouse).keys() == {CREATORS_NO_HEADER, CORRUPT_PARQUET}
    after = snapshot(warehouse)
    mtime = (catalogue_landing / VIDEOS).stat().st_mtime_ns
    assert after.pop("files") == sorted(
        tuple(mtime if (row[0], i) == (VIDEOS, 4) else v for i, v in enumerate(row))
        for row in before["files"]
    )
    assert after == {k: v for k, v in before.items() if k != "files"}


def test_touched_file_is_not_hashed_again(catalogue_landing, warehouse, monkeypatch):
    """Fix 7: a file touched without a change gets its new mtime in the ledger, so the run
    after the one that found it unchanged compares size and mtime and reads nothing."""
    run(catalogue_landing, warehouse)
    touched = catalogue_landing / VIDEOS
    bump_mtime(touched, seconds=30)
    hashed: list[str] = []
    original = LandingFile.sha256

    def counting_sha256(self: LandingFile, *args, **kwargs) -> str:
        hashed.append(self.relpath)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LandingFile, "sha256", counting_sha256)
    run(catalogue_landing, warehouse)
    assert VIDEOS in hashed  # the run that finds it touched hashes it once
    assert query(warehouse, "select modified_ns from ingest.files where path = ?", [VIDEOS]) == [
        (touched.stat().st_mtime_ns,)
    ]
    hashed.clear()
    run(catalogue_landing, warehouse)
    assert VIDEOS not in hashed


def test_unreadable_file_loads_once_fixed(catalogue_landing, warehouse):
    run(catalogue_landing, warehouse)
    fixed = catalogue_landing / CREATORS_NO_HEADER
    fixed.write_bytes(b"username,follower_count\n@Delta,7\n")
    outcomes = run(catalogue_landing, warehouse)
    assert outcomes[CREATORS_NO_HEADER] == FileOutcome(CREATORS_NO_HEADER, 1, 1, 0, 0, "loaded")
    assert ledger(warehouse)[CREATORS_NO_HEADER] == ("loaded", 1, 1, 0, 0)
    assert query(
        warehouse,
        "select username, follower_count from ingest.tiktok_creators where _source_file = ?",
        [CREATORS_NO_HEADER],
    ) == [("delta", 7)]


# --- duplicates and history ---------------------------------------------------------------------


def test_duplicates_within_a_file_load_once_and_each_file_keeps_its_copy(landing, warehouse):
    """A copy within a file is a duplicate; a record another file holds too is loaded from
    both (what a file holds never depends on the order files are loaded in; dbt picks one)."""
    export = creator("a", 1) + creator("a", 1) + creator("b", 2)
    place(landing, TIKTOK_CREATORS, "export.jsonl", export)
    place(landing, TIKTOK_CREATORS, "export_copy.jsonl", export)  # the same export dropped twice
    outcomes = run(landing, warehouse)
    first = f"tiktok/creators/dt={DAY}/export.jsonl"
    copy = f"tiktok/creators/dt={DAY}/export_copy.jsonl"
    assert outcomes == {
        first: FileOutcome(first, 3, 2, 1, 0, "loaded"),
        copy: FileOutcome(copy, 3, 2, 1, 0, "loaded"),
    }
    assert ledger(warehouse) == {first: ("loaded", 3, 2, 1, 0), copy: ("loaded", 3, 2, 1, 0)}
    assert query(
        warehouse,
        "select username, follower_count, _source_file, _line_number"
        " from ingest.tiktok_creators order by all",
    ) == [("a", 1, first, 1), ("a", 1, copy, 1), ("b", 2, first, 3), ("b", 2, copy, 3)]


def video(video_id: str, saves: int | None, hashtags: str = '["a", "b"]') -> str:
    return (
        f'{{"id": "{video_id}", "username": "c", "create_time": "2026-10-30T08:00:00Z",'
        ' "view_count": 10, "like_count": 5, "comment_count": 1, "share_count": 0,'
        f' "favourites_count": {"null" if saves is None else saves},'
        f' "hashtag_names": {hashtags}, "fetched_at": "2026-10-30T20:00:00Z"}}\n'
    )


@pytest.mark.parametrize("batch_bytes", [150, 400, DEFAULT_LIMITS.batch_bytes])
def test_copies_in_later_batches_of_a_file_are_duplicates(landing, warehouse, batch_bytes):
    """A file read a few records a batch: a copy of a record of an earlier batch (NULLs and a
    list column included) is a duplicate, a record differing in one field is not, whatever
    the batch size (150 bytes: one record a batch; the default: the whole file at once)."""
    first, with_null = video("1", 100), video("2", None)
    lines = [first, with_null, video("3", 7), video("1", 101), video("4", 9, "null")]
    lines += [with_null, first, video("1", 100, '["a"]'), video("4", 9, "null")]
    place(landing, TIKTOK_VIDEOS, "videos.jsonl", "".join(lines))
    outcomes = run(landing, warehouse, ReadLimits(batch_bytes=batch_bytes))
    path = f"tiktok/videos/dt={DAY}/videos.jsonl"
    assert outcomes == {path: FileOutcome(path, 9, 6, 3, 0, "loaded")}
    assert query(
        warehouse,
        "select id, favourites_count, hashtag_names, _line_number from ingest.tiktok_videos"
        " order by _line_number",
    ) == [
        ("1", 100, ["a", "b"], 1),
        ("2", None, ["a", "b"], 2),
        ("3", 7, ["a", "b"], 3),
        ("1", 101, ["a", "b"], 4),
        ("4", 9, None, 5),
        ("1", 100, ["a"], 8),
    ]


def test_duplicates_across_csv_and_json_spellings(landing, warehouse):
    """The same record is a duplicate however it was written (after cleaning)."""
    place(landing, TIKTOK_CREATORS, "a.jsonl", creator("@Alpha", 12345))
    place(
        landing,
        TIKTOK_CREATORS,
        "b.csv",
        'username,follower_count,fetched_at\nalpha,"12,345",2026-10-30T10:00:00+0000\n',
    )
    outcomes = run(landing, warehouse)
    assert [(o.rows_loaded, o.rows_duplicate) for o in outcomes.values()] == [(1, 0), (1, 0)]
    assert query(
        warehouse,
        "select distinct username, follower_count, fetched_at from ingest.tiktok_creators",
    ) == [("alpha", 12_345, datetime(2026, 10, 30, 10))]


def test_repeated_observations_at_different_fetched_at_are_all_kept(landing, warehouse):
    place(
        landing,
        TIKTOK_CREATORS,
        "morning.jsonl",
        creator("a", 1, "2026-10-30T08:00:00Z") + creator("a", 1, "2026-10-30T20:00:00Z"),
    )
    place(landing, TIKTOK_CREATORS, "next_day.jsonl", creator("a", 1), day="2026-10-31")
    run(landing, warehouse)
    assert query(
        warehouse,
        "select username, follower_count, fetched_at from ingest.tiktok_creators order by all",
    ) == [
        ("a", 1, datetime(2026, 10, 30, 8)),
        ("a", 1, datetime(2026, 10, 30, 10)),
        ("a", 1, datetime(2026, 10, 30, 20)),
    ]


def test_missing_fetched_at_repeated_on_two_partition_days_is_two_observations(landing, warehouse):
    record = '{"username": "a", "follower_count": 1}\n'
    place(landing, TIKTOK_CREATORS, "c.jsonl", record, day="2026-10-30")
    place(landing, TIKTOK_CREATORS, "c.jsonl", record, day="2026-10-31")
    outcomes = run(landing, warehouse)
    assert [o.rows_loaded for o in outcomes.values()] == [1, 1]
    assert query(warehouse, "select fetched_at from ingest.tiktok_creators order by all") == [
        (datetime(2026, 10, 30),),
        (datetime(2026, 10, 31),),
    ]


# --- changed and deleted files ------------------------------------------------------------------


def test_changed_file_replaces_exactly_its_rows(landing, warehouse):
    changing = place(landing, TIKTOK_CREATORS, "a.jsonl", creator("a", 1) + "not json\n")
    place(landing, TIKTOK_CREATORS, "b.jsonl", creator("b", 2) + creator("a", 1))
    run(landing, warehouse)
    path_a = f"tiktok/creators/dt={DAY}/a.jsonl"
    path_b = f"tiktok/creators/dt={DAY}/b.jsonl"
    assert ledger(warehouse) == {
        path_a: ("loaded", 2, 1, 0, 1),
        path_b: ("loaded", 2, 2, 0, 0),
    }

    changing.write_text(creator("a", 5) + creator("c", 3) + creator("c", 3))
    bump_mtime(changing)
    outcomes = run(landing, warehouse)
    # a.jsonl no longer holds ("a", 1): b.jsonl's own copy stays
    assert outcomes == {path_a: FileOutcome(path_a, 3, 2, 1, 0, "loaded")}
    assert ledger(warehouse) == {
        path_a: ("loaded", 3, 2, 1, 0),
        path_b: ("loaded", 2, 2, 0, 0),
    }
    assert query(
        warehouse,
        "select username, follower_count, _source_file, _line_number"
        " from ingest.tiktok_creators order by all",
    ) == [("a", 1, path_b, 2), ("a", 5, path_a, 1), ("b", 2, path_b, 1), ("c", 3, path_a, 2)]
    assert rejected(warehouse) == []  # the old malformed line went with the old content


def test_changed_file_with_same_size_and_new_content_is_reloaded(landing, warehouse):
    path = place(landing, TIKTOK_CREATORS, "a.jsonl", creator("a", 1))
    run(landing, warehouse)
    path.write_text(creator("b", 2))  # same length
    bump_mtime(path)
    run(landing, warehouse)
    assert query(warehouse, "select username from ingest.tiktok_creators") == [("b",)]


def test_deleted_landing_file_keeps_its_rows(landing, warehouse):
    gone = place(landing, TIKTOK_CREATORS, "a.jsonl", creator("a", 1) + "{broken\n")
    place(landing, TIKTOK_CREATORS, "b.jsonl", creator("b", 2))
    run(landing, warehouse)
    before = snapshot(warehouse)
    gone.unlink()
    assert run(landing, warehouse) == {}
    assert snapshot(warehouse) == before
    assert len(before["tiktok_creators"]) == 2 and len(before["rejected_records"]) == 1


def test_changing_one_copy_of_a_duplicated_export_keeps_the_other_copys_rows(landing, warehouse):
    export = creator("a", 1) + creator("b", 2)
    first = place(landing, TIKTOK_CREATORS, "export.jsonl", export)
    place(landing, TIKTOK_CREATORS, "export_copy.jsonl", export)
    run(landing, warehouse)
    first.write_text(creator("a", 1))
    bump_mtime(first)
    run(landing, warehouse)
    assert query(warehouse, "select username from ingest.tiktok_creators order by all") == [
        ("a",),
        ("a",),
        ("b",),
    ]


def test_record_held_by_a_file_of_another_day_stays_when_a_changed_file_drops_it(
    landing, warehouse
):
    """Fix 3: day 30's file and day 31's file hold the same record; day 30's file is corrected
    without it and only day 30 is run (as the sensor does): day 31's copy stays loaded."""
    same = creator("a", 1)
    day30 = place(landing, TIKTOK_CREATORS, "c.jsonl", same + creator("b", 2), day="2026-10-30")
    place(landing, TIKTOK_CREATORS, "c.jsonl", same, day="2026-10-31")
    run(landing, warehouse)
    day30.write_text(creator("b", 3))
    bump_mtime(day30)
    with connect(warehouse) as con:
        only_day30 = discover(landing).for_entity(TIKTOK_CREATORS, {date(2026, 10, 30)})
        summary = ingest_files(con, TIKTOK_CREATORS, only_day30)
    assert [o.path for o in summary.outcomes] == ["tiktok/creators/dt=2026-10-30/c.jsonl"]
    assert query(
        warehouse,
        "select username, follower_count, _source_file from ingest.tiktok_creators order by all",
    ) == [
        ("a", 1, "tiktok/creators/dt=2026-10-31/c.jsonl"),
        ("b", 3, "tiktok/creators/dt=2026-10-30/c.jsonl"),
    ]


# --- what is never read -------------------------------------------------------------------------


def test_symlink_outside_the_landing_dir_is_never_read(landing, warehouse, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jsonl").write_text(creator("secret", 1))
    place(landing, TIKTOK_CREATORS, "real.jsonl", creator("a", 1))
    folder = entity_dir(landing, TIKTOK_CREATORS)
    os.symlink(outside / "secret.jsonl", folder / "secret.jsonl")
    shutil.copytree(outside, tmp_path / "outside_day")
    os.symlink(tmp_path / "outside_day", folder.parent / "dt=2026-10-31")
    stray_paths = {s.relpath for s in discover(landing).strays}
    assert stray_paths == {
        f"tiktok/creators/dt={DAY}/secret.jsonl",
        "tiktok/creators/dt=2026-10-31",
    }
    run(landing, warehouse)
    assert list(ledger(warehouse)) == [f"tiktok/creators/dt={DAY}/real.jsonl"]
    assert query(warehouse, "select username from ingest.tiktok_creators") == [("a",)]


# --- Parquet ------------------------------------------------------------------------------------


def test_parquet_loads_with_ids_as_strings(landing, warehouse):
    path = entity_dir(landing, TIKTOK_VIDEOS) / "videos.parquet"
    path.parent.mkdir(parents=True)
    pl.DataFrame(
        {
            "id": [7312345678901234567, 7312345678901234567, 17],
            "username": ["@Creator", "@Creator", "x"],
            "create_time": [1793383800, 1793383800, 1793383800],
            "view_count": [1000, 1000, -4],
            "like_count": [10, 10, 1],
            "comment_count": [1, 1, 1],
            "share_count": [0, 0, 0],
            "music_id": pl.Series(
                [7312345678901234999, 7312345678901234999, None], dtype=pl.UInt64
            ),
        }
    ).write_parquet(path)
    outcomes = run(landing, warehouse)
    relpath = path.relative_to(landing).as_posix()
    assert outcomes == {relpath: FileOutcome(relpath, 3, 1, 1, 1, "loaded")}
    assert query(
        warehouse,
        "select id, music_id, username, create_time, view_count from ingest.tiktok_videos",
    ) == [
        (
            "7312345678901234567",
            "7312345678901234999",
            "creator",
            datetime(2026, 10, 30, 18, 10),
            1000,
        )
    ]
    assert rejected(warehouse) == [(relpath, 3, "negative_count")]
