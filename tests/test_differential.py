"""The invariant, checked on random delivery sequences: after every delivery, running only the
days the landing sensor would run leaves the ingest tables, the latest-observation models and
every mart identical to a from-scratch full build of the same landing zone.

10 seeds of 20 deliveries here; 30 seeds of 40 in tests/test_differential_slow.py (its own
module, so that another test worker can run it). How it stays fast: tests/differential.py.
A difference fails naming the seed and the delivery.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from pipeline.settings import WAREHOUSE_VAR
from pipeline.warehouse import ensure_ingest_schema
from tests.differential import (
    COMPILE_CATALOG,
    CompiledProject,
    Reference,
    differences,
    ingest,
    run_sequence,
    snapshot,
)

DEFAULT_SEEDS = range(10)
DELIVERIES_PER_SEED = 20  # 10 seeds x 20 = 200 deliveries


def test_compiled_build_equals_a_dbt_build(compiled: CompiledProject, tmp_path: Path) -> None:
    """The reference of the differential test (views of the compiled SQL, the incremental
    models by their first-build SQL, in a reused database) is what dbt builds."""
    from tests.conftest import E2E_LANDING

    warehouse = tmp_path / f"{COMPILE_CATALOG}.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_ingest_schema(con)
        ingest(con, E2E_LANDING, None)
    os.environ[WAREHOUSE_VAR] = str(warehouse)
    compiled.invoke(["build", "--resource-type", "model", "--resource-type", "seed"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        by_dbt = snapshot(con)
    reference = Reference(compiled)
    try:
        (tmp_path / "empty").mkdir()
        reference.snapshot_of(tmp_path / "empty")  # a reused database, as in a sequence
        by_compiled_sql = reference.snapshot_of(E2E_LANDING)
    finally:
        reference.close()
    assert len(by_dbt["marts.tiktok_videos"]) == 3
    # 7 entities, the ledger and the rejected records; 2 incremental models; 10 marts
    assert len(by_dbt) == 9 + 2 + 10, sorted(by_dbt)
    assert differences(by_dbt, by_compiled_sql) == []


@pytest.mark.parametrize("seed", DEFAULT_SEEDS)
def test_incremental_runs_equal_a_full_build(
    compiled: CompiledProject, tmp_path: Path, seed: int
) -> None:
    runs, deliveries = run_sequence(compiled, tmp_path, seed, DELIVERIES_PER_SEED)
    assert runs >= DELIVERIES_PER_SEED // 2  # most deliveries change something
    kinds = {d.split(" ")[0] for d in deliveries}
    assert len(kinds) >= 5, deliveries  # new, late, corrected, record (two days), touched, ...
