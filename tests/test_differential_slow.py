"""The differential test (tests/test_differential.py) on 30 more seeds of 40 deliveries each,
in a module of its own so that pytest-xdist (``--dist loadfile``) runs it beside the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.differential import CompiledProject, run_sequence

SLOW_SEEDS = range(10, 40)
DELIVERIES_PER_SEED = 40  # 30 seeds x 40 = 1,200 deliveries


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_incremental_runs_equal_a_full_build_many_seeds(
    compiled: CompiledProject, tmp_path: Path, seed: int
) -> None:
    run_sequence(compiled, tmp_path, seed, DELIVERIES_PER_SEED)
