"""Writing fetched records as landing files: complete or not at all, and nothing twice.

A file is written under a hidden temporary name in its partition folder (the landing reader
skips names starting with '.'), fsynced, then renamed to ``api-<platform>-<time>-<random>.jsonl``: a
reader sees the whole file or none of it. Records already present in an ``api-`` file of the same
day (by post id, or by username for profiles) are not written again, so a resumed or repeated
extraction of a day never lands a record twice.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

API_FILE_PREFIX = "api-"

# landing entity -> the field that identifies a record within a day
RECORD_KEYS: dict[str, str] = {"creators": "username", "videos": "id", "media": "id"}


def record_key(entity: str, record: dict) -> str:
    value = record.get(RECORD_KEYS[entity])
    return str(value).lower() if entity == "creators" else str(value)


class LandingWriter:
    def __init__(
        self, landing_dir: Path, platform: str, day: date, clock: Callable[[], datetime]
    ) -> None:
        self.landing_dir = landing_dir
        self.platform = platform
        self.day = day
        self.clock = clock
        self.written: dict[str, set[str]] = {e: self._existing(e) for e in self._entities()}
        self.fresh: set[str] = set()

    def _entities(self) -> tuple[str, ...]:
        return ("creators", "videos") if self.platform == "tiktok" else ("creators", "media")

    def folder(self, entity: str) -> Path:
        return self.landing_dir / self.platform / entity / f"dt={self.day.isoformat()}"

    def _existing(self, entity: str) -> set[str]:
        keys: set[str] = set()
        folder = self.folder(entity)
        if not folder.is_dir():
            return keys
        for path in sorted(folder.glob(f"{API_FILE_PREFIX}*.jsonl")):
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        keys.add(record_key(entity, json.loads(line)))
        return keys

    def already_written(self, entity: str, record: dict) -> bool:
        return record_key(entity, record) in self.written[entity]

    def write(self, entity: str, records: list[dict]) -> str | None:
        """Write the records not yet landed today as one new file; its landing-relative path.

        ``self.fresh`` then holds the keys of the records this call wrote."""
        fresh: list[dict] = []
        self.fresh = set()
        keys = self.written[entity]
        for record in records:
            key = record_key(entity, record)
            if key not in keys:
                keys.add(key)
                fresh.append(record)
        if not fresh:
            return None
        self.fresh = {record_key(entity, record) for record in fresh}
        folder = self.folder(entity)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().strftime("%Y%m%dT%H%M%S%f")
        # unique whatever the clock says: a landing file is never replaced
        name = f"{API_FILE_PREFIX}{self.platform}-{stamp}-{uuid.uuid4().hex[:12]}.jsonl"
        final = folder / name
        temporary = folder / f".{name}.tmp"
        try:
            with temporary.open("w", encoding="utf-8") as handle:
                for record in fresh:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            for record in fresh:
                keys.discard(record_key(entity, record))
            raise
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return final.relative_to(self.landing_dir).as_posix()
