"""Live progress of ``python -m pipeline run``, read from Dagster's own event stream.

The run executes in this process (``execute_in_process``) while its output goes to the log
file; a helper thread follows the run's events in the Dagster instance (the same records the UI
shows) and draws each step as it starts and ends: ingest per entity (files done / to load and
records loaded, from the assets' progress lines), the dbt build (models and tests done / total),
publish and report, each with its elapsed time. On a terminal this is a rich progress display;
when stdout is not a terminal, plain lines without control characters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column

from pipeline.progress_events import parse_file_progress

POLL_SECONDS = 0.25
PLAIN_UPDATE_SECONDS = 10.0  # plain mode: a progress line per running step at most this often
DBT_STEP = "dbt_models"
STEP_LABELS = {DBT_STEP: "dbt build", "serving__marts": "publish", "serving__report": "report"}
SHOWN_PREFIXES = ("extract__", "ingest__", "serving__", DBT_STEP)
# the asset checks' steps (ingest/<entity>:files_reconcile, extract/<platform>:creators_fetched)
CHECK_STEP_SUFFIXES = ("_files_reconcile", "_creators_fetched")


def step_label(step_key: str) -> str | None:
    """What a step is called on screen; None for steps not shown (asset checks)."""
    if step_key in STEP_LABELS:
        return STEP_LABELS[step_key]
    if not step_key.startswith(SHOWN_PREFIXES) or step_key.endswith(CHECK_STEP_SUFFIXES):
        return None
    kind, _, name = step_key.partition("__")
    return f"{kind} {name}"


@dataclass
class StepState:
    label: str
    started: float  # the STEP_START event's timestamp (seconds since the epoch)
    done: int = 0
    total: int | None = None
    records: int | None = None
    unit: str = ""
    last_plain: float = 0.0
    task: int | None = None
    note: str = ""

    def detail(self) -> str:
        if self.note:
            return self.note
        parts = []
        if self.unit == "files" and self.total == 0:
            return "no new or changed files"
        if self.total is not None:
            parts.append(f"{self.done}/{self.total} {self.unit}")
        if self.records is not None:
            parts.append(f"{self.records:,} records loaded")
        return ", ".join(parts)


class RunProgress:
    """Follows one run's events and shows its steps on ``stream``."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        stream: IO[str],
        dbt_keys: Iterable[dg.AssetKey] = (),
        dbt_checks: int = 0,
        interactive: bool | None = None,
    ) -> None:
        self.instance = instance
        self.run_id = run_id
        self.stream = stream
        self.dbt_keys = set(dbt_keys)
        self.dbt_total = len(self.dbt_keys) + dbt_checks
        self.interactive = stream.isatty() if interactive is None else interactive
        self.started = time.monotonic()
        self.steps: dict[str, StepState] = {}
        self.failed_steps: list[str] = []
        self._dbt_done: set[object] = set()  # asset keys and asset check keys seen
        self._cursor: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="run-progress", daemon=True)
        self._progress: Progress | None = None
        if self.interactive:
            console = Console(file=stream, force_terminal=True)
            # fits 80 columns: step, bar, "done/total unit, records", elapsed
            self._progress = Progress(
                TextColumn(
                    "{task.description}",
                    table_column=Column(width=26, no_wrap=True, overflow="ellipsis"),
                ),
                BarColumn(bar_width=12),
                TextColumn(
                    "{task.fields[detail]}",
                    table_column=Column(min_width=30, no_wrap=True, overflow="ellipsis"),
                ),
                TimeElapsedColumn(),
                console=console,
                transient=False,
                redirect_stdout=False,  # the run's own output goes to the log file
                redirect_stderr=False,
            )

    def __enter__(self) -> RunProgress:
        if self._progress is not None:
            self._progress.start()
        else:
            self._plain(f"run {self.run_id} starting (loading the job and the dbt project)")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._drain()  # whatever came after the last poll
        if self._progress is not None:
            self._progress.stop()
        self.stream.flush()

    # -- following the event log ---------------------------------------------------------------

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                self._drain()
            except Exception:  # progress is a courtesy: never let it break the run
                pass
            self._stop.wait(POLL_SECONDS)

    def _drain(self) -> None:
        while True:
            connection = self.instance.get_records_for_run(self.run_id, cursor=self._cursor)
            for record in connection.records:
                self.handle(record.event_log_entry)
            self._cursor = connection.cursor
            if not connection.has_more:
                return

    def handle(self, entry: dg.EventLogEntry) -> None:
        step_key = entry.step_key
        event = entry.dagster_event
        if step_key is None:
            return
        if event is None:  # a log message: the ingest assets' per-file progress
            progress = parse_file_progress(entry.user_message)
            state = self.steps.get(step_key)
            if (
                step_key == DBT_STEP
                and state is not None
                and entry.user_message.startswith("nothing new")
            ):  # the dbt step's fast path: no build, no publish
                state.total, state.note = None, "nothing new: build and publish skipped"
                self._update(step_key, state)
            if progress and state is not None:
                state.done, state.total, state.records = progress
                state.unit = "files"
                self._update(step_key, state)
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            label = step_label(step_key)
            if label is not None:
                state = StepState(label, entry.timestamp)  # event times: exact elapsed
                if step_key == DBT_STEP and self.dbt_total:
                    state.total, state.unit = self.dbt_total, "models and tests"
                self.steps[step_key] = state
                self._start(step_key, state)
        elif step_key in self.steps:
            state = self.steps[step_key]
            # a run over many daily partitions reports each model once per partition: count
            # each model and each test once
            if kind == "ASSET_MATERIALIZATION" and step_key == DBT_STEP:
                if event.asset_key in self.dbt_keys:
                    self._dbt_done.add(event.asset_key)
                    state.done = len(self._dbt_done)
                    self._update(step_key, state)
            elif kind == "ASSET_CHECK_EVALUATION" and step_key == DBT_STEP:
                evaluation = event.event_specific_data
                self._dbt_done.add(getattr(evaluation, "asset_check_key", None))
                state.done = len(self._dbt_done)
                self._update(step_key, state)
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
                if kind == "STEP_FAILURE":
                    self.failed_steps.append(step_key)
                self._end(step_key, state, kind == "STEP_SUCCESS", entry.timestamp)

    # -- drawing ---------------------------------------------------------------------------------

    def _clock(self) -> str:
        return f"{time.monotonic() - self.started:7.1f}s"

    def _plain(self, line: str) -> None:
        self.stream.write(f"{self._clock()}  {line}\n")
        self.stream.flush()

    def _start(self, step_key: str, state: StepState) -> None:
        if self._progress is not None:
            state.task = self._progress.add_task(
                state.label, total=state.total, detail=state.detail()
            )
        else:
            state.last_plain = time.monotonic()
            self._plain(f"{state.label}: started")

    def _update(self, step_key: str, state: StepState) -> None:
        if self._progress is not None and state.task is not None:
            self._progress.update(
                state.task, completed=state.done, total=state.total, detail=state.detail()
            )
        elif self._progress is None and time.monotonic() - state.last_plain >= PLAIN_UPDATE_SECONDS:
            state.last_plain = time.monotonic()
            self._plain(f"{state.label}: {state.detail()}")

    def _end(self, step_key: str, state: StepState, succeeded: bool, ended: float) -> None:
        elapsed = ended - state.started
        outcome = "done" if succeeded else "FAILED"
        detail = state.detail()
        if self._progress is not None and state.task is not None:
            total = state.total if state.total else 1
            self._progress.update(
                state.task,
                completed=total if succeeded else state.done,
                total=total,
                description=f"{state.label} {'ok' if succeeded else 'FAILED'}",
                detail=detail,
            )
            self._progress.stop_task(state.task)
        else:
            self._plain(
                f"{state.label}: {outcome} in {elapsed:.1f}s" + (f" ({detail})" if detail else "")
            )
