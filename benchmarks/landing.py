"""The benchmark's landing zones: generated once per scale, reused, plus the incremental run's
next day."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.measure import Measurement, measure, python_command
from benchmarks.scales import MARKER_NAME, Scale


def landing_for(scale: Scale, data_dir: Path) -> tuple[Path, dict]:
    """The scale's landing zone, generated unless a complete one with the same spec is there.

    Returns the landing directory and the marker: spec, files and records written, and the
    generation's wall time and peak memory (measured in its own process).
    """
    spec = scale.spec()
    root = data_dir / scale.name
    landing = root / "landing"
    marker_path = root / MARKER_NAME
    wanted = _spec_dict(spec) | {"landing_days": scale.landing_days}
    if marker_path.exists() and landing.is_dir():
        marker = json.loads(marker_path.read_text())
        if marker.get("spec") == wanted:
            return landing, marker | {"generated_now": False}
    marker_path.unlink(missing_ok=True)
    if landing.exists():
        shutil.rmtree(landing)
    landing.mkdir(parents=True)
    print(f"generating the {scale.name} landing zone in {landing} ...", flush=True)
    summary, measured = generate(scale, landing, range(scale.landing_days), root / "generate.log")
    marker = {
        "spec": wanted,
        "files": sum(summary["files"].values()),
        "records": summary["records"],
        "total_records": sum(summary["records"].values()),
        "bytes": sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()),
        "generation_seconds": measured.wall_seconds,
        "generation_peak_rss_bytes": measured.peak_rss_bytes,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    marker_path.write_text(json.dumps(marker, indent=2) + "\n")  # written last: complete
    return landing, marker | {"generated_now": True}


def generate(
    scale: Scale, landing: Path, day_indexes: Sequence[int], log: Path, with_campaigns=True
) -> tuple[dict, Measurement]:
    """Write days of the scale's demo spec in a measured child process; (summary, measurement)."""
    summary_path = log.with_suffix(".json")
    command = python_command("-m", "benchmarks", "generate", scale.name, str(landing))
    command += ["--summary", str(summary_path), *map(str, day_indexes)]
    if not with_campaigns:
        command.append("--no-campaigns")
    measured = measure("generate", command, dict(os.environ), log)
    if not measured.ok:
        raise RuntimeError(f"demo generation failed: see {log}")
    summary = json.loads(summary_path.read_text())
    summary_path.unlink()
    return summary, measured


def _spec_dict(spec) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(spec).items()}


def post_observations(records: dict[str, int]) -> int:
    return records.get("tiktok.videos", 0) + records.get("instagram.media", 0)


def linked_copy(source: Path, target: Path) -> None:
    """A copy of a landing zone made of hard links (landing files are never modified)."""
    shutil.copytree(source, target, copy_function=os.link)


def add_next_day(scale: Scale, landing: Path, log: Path) -> tuple[date, dict, Measurement]:
    """Write the spec's day after the landing zone's last one (new files only) into ``landing``."""
    summary, measured = generate(scale, landing, [scale.landing_days], log, with_campaigns=False)
    day = scale.spec().start + timedelta(days=scale.landing_days)
    return day, summary["records"], measured
