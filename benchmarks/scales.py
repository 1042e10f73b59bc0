"""Benchmark scales (tiny, S, M, L), where their data and results go, and the targets."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.settings import PROJECT_ROOT

DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "bench"
DEFAULT_RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
MARKER_NAME = "landing.json"

# Targets of the performance issue (scale M, 2 cores); reported, never asserted.
TARGET_FULL_VS_LOWER_BOUND = 3.0
# tiny scale: a one-day run and a run with nothing new, in seconds (issue 10)
TARGET_TINY_ONE_DAY_SECONDS = 15.0
TARGET_TINY_NOTHING_NEW_SECONDS = 8.0
TARGET_PEAK_RSS_BYTES = 2 * 1024**3
TARGET_INCREMENTAL_VS_FULL = 0.10
TARGET_L_VS_M = 3.3


@dataclass(frozen=True)
class Scale:
    """A named benchmark size: the demo spec's creators per platform and days in the landing."""

    name: str
    creators: int
    landing_days: int  # the spec has one day more: the incremental run's day
    seed: int = 7
    about: str = ""

    def spec(self):  # -> DemoSpec (imported lazily: polars is not needed to parse arguments)
        from demo import DemoSpec

        return DemoSpec(creators=self.creators, days=self.landing_days + 1, seed=self.seed)


# ~440 post observations per creator (both platforms together) over the 30 landing days:
# measured 1,016,057 at S, 8,807,716 with 20,000 creators, 29,880,522 at L.
SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale("tiny", creators=12, landing_days=4, about="a few thousand records (CI)"),
        Scale("S", creators=2_300, landing_days=30, about="~1M post observations"),
        Scale("M", creators=22_800, landing_days=30, about="~10M post observations"),
        Scale("L", creators=68_000, landing_days=30, about="~30M post observations"),
    )
}
