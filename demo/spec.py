"""What to generate (the spec) and what was written (the summary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. ``start`` is fixed (not today) so the output is deterministic."""

    creators: int = 40  # per platform
    days: int = 35  # number of daily partitions
    seed: int = 7
    start: date = date(2026, 10, 1)


DEFAULT_SPEC = DemoSpec()


@dataclass(frozen=True)
class DemoSummary:
    """Files and records written per entity (keys as ``Entity.key``: ``tiktok.videos``)."""

    landing_dir: Path
    files: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)

    @property
    def total_files(self) -> int:
        return sum(self.files.values())

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    def __str__(self) -> str:
        per_entity = ", ".join(f"{key} {count:,}" for key, count in self.records.items())
        return f"{self.total_files} files, {self.total_records:,} records ({per_entity})"
