"""Measuring a command: wall time, CPU time and peak memory of its whole process tree."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

SAMPLE_SECONDS = 0.05  # how often the process tree's memory is sampled


@dataclass
class Measurement:
    """One measured command: wall time, CPU time and peak memory of its whole process tree."""

    name: str
    command: list[str]
    wall_seconds: float
    peak_rss_bytes: int  # peak of the summed RSS of the process tree (sampled), >= max_process
    max_process_rss_bytes: int  # largest single process's high-water mark (getrusage / VmHWM)
    cpu_user_seconds: float
    cpu_system_seconds: float
    processes_seen: int
    returncode: int
    log: str
    detail: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _parent_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def _rss_and_hwm(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in bytes; (0, 0) when the process is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, hwm


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.parents: dict[int, int | None] = {}
        self.peak_tree_rss = 0
        self.max_hwm = 0
        self.seen: set[int] = {root_pid}
        self._stop_event = threading.Event()

    def sample(self) -> None:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        live = set(pids)
        for pid in list(self.parents):
            if pid not in live:
                del self.parents[pid]  # gone (a reused pid is looked up again)
        for pid in pids:
            if pid not in self.parents:
                self.parents[pid] = _parent_pid(pid)
        tree = {self.root_pid}
        changed = True
        while changed:  # descendants: processes whose parent is in the tree (a few levels)
            changed = False
            for pid, parent in self.parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    changed = True
        self.seen |= tree
        total = 0
        for pid in tree:
            rss, hwm = _rss_and_hwm(pid)
            total += rss
            self.max_hwm = max(self.max_hwm, hwm)
        self.peak_tree_rss = max(self.peak_tree_rss, total)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(name: str, command: Sequence[str], env: dict[str, str], log_path: Path) -> Measurement:
    """Run ``command`` as a child process (output to ``log_path``) and measure its tree."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            list(command), cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        sampler = _TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    # Not usage.ru_maxrss: Linux carries a parent's high-water mark into a forked child across
    # exec, so a child of a large process would report the parent's peak. VmHWM is per process.
    max_process = sampler.max_hwm
    return Measurement(
        name=name,
        command=list(command),
        wall_seconds=round(wall, 3),
        peak_rss_bytes=max(sampler.peak_tree_rss, max_process),
        max_process_rss_bytes=max_process,
        cpu_user_seconds=round(usage.ru_utime, 3),
        cpu_system_seconds=round(usage.ru_stime, 3),
        processes_seen=len(sampler.seen),
        returncode=process.returncode,
        log=str(log_path),
    )


def python_command(*args: str) -> list[str]:
    """This Python (the project's venv) with ``args``."""
    return [sys.executable, *args]
