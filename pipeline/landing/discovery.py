"""Finding landing files: every file of an entity's folder that fits the layout; strays reported.

Anyone who can write to the landing zone can put anything there, so only *regular files* inside
the landing directory are landing files: FIFOs, sockets and devices are strays (opening or
hashing a FIFO would block the run forever), and so are symlinks leaving the directory. A
discovered file is opened by :meth:`LandingFile.open` without following a symlink (O_NOFOLLOW)
and must still be the file discovery saw (same device and inode): a file swapped for a symlink
or another file after discovery is not read, and gets a ``failed`` ledger row instead.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from pipeline.landing.contract import ENTITIES, FILE_SUFFIXES, Entity
from pipeline.landing.records import DEFAULT_MAX_FILE_BYTES, UnreadableFile

_PARTITION_DIR = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class LandingFile:
    entity: Entity
    path: Path  # absolute
    relpath: str  # relative to the landing directory, with forward slashes
    partition_day: date | None
    size_bytes: int
    # the regular file discovery saw: its real path (``path`` may be a symlink inside the
    # landing directory), device and inode (0: not from discovery, not checked)
    real_path: Path | None = None
    device: int = 0
    inode: int = 0

    def open(self, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> BinaryIO:
        """The file, opened for reading if it is still the regular file discovery saw and at
        most ``max_file_bytes`` long; UnreadableFile (one line naming the file) otherwise."""
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:  # O_NONBLOCK: a FIFO swapped in opens at once instead of waiting for a writer
            fd = os.open(self.real_path or self.path, flags)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UnreadableFile(
                    f"{self.relpath}: became a symlink after discovery; not read (symlinks are"
                    " never followed when a landing file is opened)"
                ) from None
            raise UnreadableFile(f"{self.relpath}: cannot be opened ({error.strerror})") from None
        try:
            found = os.fstat(fd)
            if not stat.S_ISREG(found.st_mode):
                raise UnreadableFile(f"{self.relpath}: not a regular file any more; not read")
            if self.inode and (found.st_dev, found.st_ino) != (self.device, self.inode):
                raise UnreadableFile(
                    f"{self.relpath}: replaced by another file after discovery; not read"
                    " (the next run reads the new file)"
                )
            if found.st_size > max_file_bytes:
                raise UnreadableFile(
                    f"{self.relpath}: {found.st_size:,} bytes is over the limit of"
                    f" {max_file_bytes:,} (CREATOR_KPIS_MAX_FILE_BYTES); not read: split the"
                    " file or raise the limit"
                )
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def sha256(self, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
        with self.open(max_file_bytes) as handle:
            return sha256_of(handle)


def sha256_of(handle: BinaryIO) -> str:
    """The sha256 of the rest of an open file, read 1 MiB at a time."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


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
            real = path.resolve()
            try:
                status = os.stat(real, follow_symlinks=False)
            except OSError as error:
                found.strays.append(StrayFile(relpath, f"cannot be read ({error.strerror})"))
                continue
            if not stat.S_ISREG(status.st_mode):
                kind = _file_kind(status.st_mode)
                found.strays.append(StrayFile(relpath, f"{kind}, not a regular file: not read"))
                continue
            found.files.append(
                LandingFile(
                    entity,
                    path,
                    relpath,
                    partition_day,
                    status.st_size,
                    real_path=real,
                    device=status.st_dev,
                    inode=status.st_ino,
                )
            )
    return found
