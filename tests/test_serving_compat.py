"""The serving file opens in the DuckDB clients analysts actually run.

One pipeline run over tests/e2e_landing publishes the serving file in the default storage format
(v1.0.0, file format 64). DuckDB 1.0.0 (the oldest 1.x) and 1.5.6 (the DuckDB inside the current
@duckdb/node-api and the 1.5 JDBC drivers of DBeaver and Metabase), each from its own PyPI package
in an isolated venv (tests/duckdb_clients.py), and the project's DuckDB 2.x open it read-only and
read every mart, every row and every table and column comment.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.serving import (
    REJECTIONS_TABLE,
    check_storage_version,
    publish_marts,
)
from pipeline.settings import (
    DEFAULT_SERVING_STORAGE_VERSION,
    SERVING_STORAGE_VERSION_VAR,
    OperatorError,
    Settings,
)
from tests.conftest import MARTS, PipelineRun
from tests.duckdb_clients import duckdb_client_python

READ_SERVING = Path(__file__).with_name("read_serving.py")
DUCKDB_1X_CLIENTS = ("1.0.0", "1.5.6")
PUBLICATION_TABLES = ("publication", REJECTIONS_TABLE)


def read_with(python: Path | str, serving: Path) -> dict:
    done = subprocess.run(
        [str(python), str(READ_SERVING), str(serving)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def storage_format(path: Path) -> int:
    """The file format number in a DuckDB file's main header ("DUCK", then a little-endian u64)."""
    header = path.read_bytes()[8:20]
    assert header[:4] == b"DUCK"
    return struct.unpack("<Q", header[4:])[0]


@pytest.fixture(scope="module")
def serving_file(e2e_run: PipelineRun) -> Path:
    assert e2e_run.result.success
    serving = e2e_run.settings.serving
    assert serving is not None and serving.is_file()
    return serving


@pytest.fixture(scope="module")
def read_by_project(serving_file: Path) -> dict:
    return read_with(sys.executable, serving_file)


@pytest.fixture(scope="module")
def warehouse_marts(e2e_run: PipelineRun) -> dict:
    """What the serving file must hold: the warehouse's marts, read with the project's DuckDB."""
    return read_with(sys.executable, e2e_run.settings.warehouse)


def test_default_storage_format_is_the_oldest_duckdb_1x_format(serving_file: Path) -> None:
    assert DEFAULT_SERVING_STORAGE_VERSION == "v1.0.0"
    assert storage_format(serving_file) == 64  # read by DuckDB 0.10 .. 1.5 and 2.x


def test_project_duckdb_2x_reads_every_mart_and_comment(
    read_by_project: dict, warehouse_marts: dict
) -> None:
    assert read_by_project["duckdb"].startswith("2.")
    tables = read_by_project["tables"]
    assert sorted(tables) == sorted([*MARTS, *PUBLICATION_TABLES])
    for mart in MARTS:
        assert tables[mart] == warehouse_marts["tables"][mart], mart
        assert tables[mart]["comment"]
        assert all(comment for _, _, comment in tables[mart]["columns"]), mart
    for table in PUBLICATION_TABLES:
        assert tables[table]["comment"]
        assert all(comment for _, _, comment in tables[table]["columns"]), table
    # the 19-digit TikTok ids exactly
    video_ids = {row[0] for row in tables["tiktok_videos"]["rows"]}
    assert video_ids == {"7312345678901234567", "7312345678901234568", "7312345678901234569"}


@pytest.mark.parametrize("version", DUCKDB_1X_CLIENTS)
def test_duckdb_1x_client_reads_every_mart_and_comment(
    version: str, serving_file: Path, read_by_project: dict
) -> None:
    python = duckdb_client_python(version)
    read = read_with(python, serving_file)
    assert read["duckdb"] == version
    # every table, column type, comment and row exactly as DuckDB 2.x reads them
    assert read["tables"] == read_by_project["tables"]
    assert len(read["tables"]["tiktok_videos"]["rows"]) == 3


def test_serving_file_carries_the_runs_rejections_by_reason(read_by_project: dict) -> None:
    # tests/e2e_landing: a TikTok video with "lots" views and a truncated line, and one campaign
    # post with an invalid value (see test_end_to_end.test_quarantine_holds_reasons_and_raw_text)
    table = read_by_project["tables"][REJECTIONS_TABLE]
    assert [row[1:] for row in table["rows"]] == [
        ["campaigns.campaign_posts", "invalid_value", "1"],
        ["tiktok.videos", "invalid_count", "1"],
        ["tiktok.videos", "malformed_record", "1"],
    ]
    run_id = read_by_project["tables"]["publication"]["rows"][0][0]
    assert {row[0] for row in table["rows"]} == {run_id}


def test_a_later_run_without_new_files_publishes_no_rejections(
    e2e_run: PipelineRun, tmp_path: Path
) -> None:
    """The rejections are those of the publishing run: records rejected before it started are
    in the ledger but not in the summary."""
    from datetime import UTC, datetime

    serving = tmp_path / "later.duckdb"
    publication = publish_marts(
        e2e_run.settings.warehouse,
        serving,
        "later-run",
        run_started_at=datetime.now(UTC).replace(tzinfo=None),
    )
    assert publication.rejected_records == 0
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute(f"select count(*) from marts.{REJECTIONS_TABLE}").fetchall() == [(0,)]


def test_storage_version_setting_is_honoured(e2e_run: PipelineRun, tmp_path: Path) -> None:
    newest = tmp_path / "newest.duckdb"
    publish_marts(e2e_run.settings.warehouse, newest, "latest-run", storage_version="latest")
    assert storage_format(newest) > 64  # DuckDB 2.x's own format, which 1.x clients refuse
    v12 = tmp_path / "v12.duckdb"
    publish_marts(e2e_run.settings.warehouse, v12, "v12-run", storage_version="v1.2.0")
    assert storage_format(v12) == 65


@pytest.mark.parametrize("value", ["foo", "1.0.0", "v0.9.0", "v9.9.9", "'; drop"])
def test_a_bad_storage_version_is_one_line_naming_the_setting(value: str) -> None:
    with pytest.raises(OperatorError) as error:
        check_storage_version(value)
    message = str(error.value)
    assert SERVING_STORAGE_VERSION_VAR in message and repr(value) in message
    assert "\n" not in message


@pytest.mark.parametrize("value", ["v1.0.0", "v1.2.0", "v2.0.0", "latest"])
def test_good_storage_versions_are_accepted(value: str) -> None:
    assert check_storage_version(value) == value


def test_storage_version_setting_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SERVING_STORAGE_VERSION_VAR, raising=False)
    assert Settings.from_env().serving_storage_version == "v1.0.0"
    monkeypatch.setenv(SERVING_STORAGE_VERSION_VAR, " v1.2.0 ")
    assert Settings.from_env().serving_storage_version == "v1.2.0"


def test_analyst_guide_compatibility_table_names_the_tested_versions() -> None:
    guide = (Path(__file__).parents[1] / "docs" / "analyst-guide.md").read_text()
    section = guide.split("## Which DuckDB versions open the file", 1)[1].split("\n## ", 1)[0]
    for version in (*DUCKDB_1X_CLIENTS, duckdb.__version__):
        assert f"tested with {version}" in section, version
    assert SERVING_STORAGE_VERSION_VAR in section and DEFAULT_SERVING_STORAGE_VERSION in section
