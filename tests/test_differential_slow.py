"""The soak run of the differential test (tests/test_differential.py): 30 more seeds of 40
deliveries each (1,200 deliveries, about an hour of one core on this 2-core machine).

Marked ``soak``: `make test` runs the 200 deliveries of tests/test_differential.py and every other
test; `make soak` runs these (before a release, after a change to the incremental models, the
ingest or the sensor). They would take `make test` past CI's 90 minutes on their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.differential import CompiledProject, run_sequence

SLOW_SEEDS = range(10, 40)
DELIVERIES_PER_SEED = 40  # 30 seeds x 40 = 1,200 deliveries


@pytest.mark.soak
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_incremental_runs_equal_a_full_build_many_seeds(
    compiled: CompiledProject, tmp_path: Path, seed: int
) -> None:
    run_sequence(compiled, tmp_path, seed, DELIVERIES_PER_SEED)
