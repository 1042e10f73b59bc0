"""Deterministic crash points, for the tests that kill a run and resume it.

``CREATOR_KPIS_CRASH_AT=<point>[:<n>]`` makes the process SIGKILL its whole process group (the
run and its dbt subprocess) the n-th time (default 1st) execution reaches ``crash_point(point)``:
exactly where a timed kill would only land by chance. Unset (always, outside tests), a crash
point does nothing. Points: ``file_uncommitted`` (a landing file's rows written, its transaction
not committed), ``file_committed`` (right after a file's commit), ``dbt_running`` (dbt started
its build), ``before_publish_rename`` (the new serving file written, not yet renamed).
"""

from __future__ import annotations

import os
import signal
from collections import Counter

CRASH_AT_VAR = "CREATOR_KPIS_CRASH_AT"
POINTS = ("file_uncommitted", "file_committed", "dbt_running", "before_publish_rename")
_reached: Counter[str] = Counter()


def crash_point(point: str) -> None:
    wanted = os.environ.get(CRASH_AT_VAR)  # read here: a test hook, not a setting
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] >= int(nth or 1):
        os.killpg(os.getpgrp(), signal.SIGKILL)
