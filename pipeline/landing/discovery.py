"""Finding landing files: every file of an entity's folder that fits the layout; strays reported."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.landing.contract import ENTITIES, FILE_SUFFIXES, Entity

_PARTITION_DIR = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class LandingFile:
    entity: Entity
    path: Path  # absolute
    relpath: str  # relative to the landing directory, with forward slashes
    partition_day: date | None
    size_bytes: int

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


@dataclass(frozen=True)
class StrayFile:
    """A file under the landing directory that does not fit the layout; reported, never read."""

    relpath: str
    reason: str


@dataclass
class Discovery:
    files: list[LandingFile] = field(default_factory=list)
    strays: list[StrayFile] = field(default_factory=list)

    def for_entity(self, entity: Entity, days: set[date] | None = None) -> list[LandingFile]:
        return [
            f
            for f in self.files
            if f.entity == entity and (days is None or f.partition_day in days)
        ]


def discover(landing_dir: Path) -> Discovery:
    """Every landing file, sorted by path. Symlinks that leave the landing directory are strays."""
    root = landing_dir.resolve()
    found = Discovery()
    for entity in ENTITIES:
        entity_dir = root / entity.platform / entity.name
        if not entity_dir.is_dir():
            continue
        for path in sorted(entity_dir.rglob("*")):
            relpath = path.relative_to(root).as_posix()
            if path.name.startswith("."):
                continue  # hidden files (editor swap files, .DS_Store) are not data
            if not path.resolve().is_relative_to(root):
                found.strays.append(StrayFile(relpath, "symlink pointing outside the landing dir"))
                continue
            if path.is_dir():
                continue
            if not path.exists():
                found.strays.append(StrayFile(relpath, "broken symlink"))
                continue
            if path.suffix.lower() not in FILE_SUFFIXES:
                found.strays.append(StrayFile(relpath, f"unsupported file type {path.suffix!r}"))
                continue
            parts = path.relative_to(entity_dir).parts
            partition_day = None
            if entity.dated:
                match = _PARTITION_DIR.match(parts[0]) if len(parts) == 2 else None
                if match is None:
                    found.strays.append(
                        StrayFile(relpath, "not inside a dt=YYYY-MM-DD partition folder")
                    )
                    continue
                try:
                    partition_day = date.fromisoformat(match.group(1))
                except ValueError:
                    found.strays.append(StrayFile(relpath, f"invalid partition day {parts[0]!r}"))
                    continue
            elif len(parts) != 1:
                found.strays.append(
                    StrayFile(relpath, f"{entity.platform.rstrip('s')} files are not partitioned")
                )
                continue
            found.files.append(
                LandingFile(entity, path, relpath, partition_day, path.stat().st_size)
            )
    return found
