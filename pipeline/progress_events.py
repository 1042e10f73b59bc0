"""The ingest assets' per-file progress line, written to the run's log and read back by the
command line's live progress (pipeline/progress.py). One format, one parser, side by side."""

from __future__ import annotations

import re

FILE_PROGRESS = re.compile(r"^ingest progress: (\d+)/(\d+) files loaded, (\d+) records$")


def file_progress(done: int, to_load: int, rows_loaded: int) -> str:
    return f"ingest progress: {done}/{to_load} files loaded, {rows_loaded} records"


def parse_file_progress(message: str) -> tuple[int, int, int] | None:
    """(files done, files to load, records loaded) from a progress line; None for others."""
    match = FILE_PROGRESS.match(message)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None
