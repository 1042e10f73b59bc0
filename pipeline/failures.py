"""Why a run failed, in the console: the failed step, the first lines of its error and, for the
dbt build, each failing model or test with dbt's message (from the run's run_results.json)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipeline.settings import DBT_PROJECT_DIR

ERROR_LINES = 6
DBT_FAILED_STATUSES = {"error", "fail", "runtime error"}
DBT_WRAPPER = re.compile(r"^(Runtime|Database|Compilation) Error in \w+ ")


@dataclass
class StepFailure:
    step_key: str
    error_lines: list[str]
    dbt_nodes: list[tuple[str, str]] = field(default_factory=list)  # (node, first message line)


def _error_lines(error: object) -> list[str]:
    """The first lines of an error and of the errors that caused it."""
    lines: list[str] = []
    while error is not None and len(lines) < ERROR_LINES:
        message = (getattr(error, "message", "") or "").strip()
        lines += [line for line in message.splitlines() if line.strip()][: ERROR_LINES - len(lines)]
        error = getattr(error, "cause", None)
        if error is not None and len(lines) < ERROR_LINES:
            lines.append("caused by:")
    return lines


def dbt_failed_nodes(run_id: str, project_dir: Path = DBT_PROJECT_DIR) -> list[tuple[str, str]]:
    """The dbt models and tests that errored or failed in a run: dagster-dbt writes each run's
    artifacts to target/dbt_models-<first 7 characters of the run id>-<hash>/."""
    failed = []
    for results in sorted((project_dir / "target").glob(f"*-{run_id[:7]}-*/run_results.json")):
        try:
            document = json.loads(results.read_text())
        except (OSError, ValueError):
            continue
        for result in document.get("results", []):
            if result.get("status") in DBT_FAILED_STATUSES:
                node = (result.get("unique_id", "?"), _dbt_message(result.get("message") or ""))
                if node not in failed:  # a retried build reports the same node again
                    failed.append(node)
    return failed


def _dbt_message(message: str) -> str:
    """dbt's message in one line: its first line, and the database's own error when the first
    line is only dbt's wrapper ("Runtime Error in model m (path)")."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return ""
    if DBT_WRAPPER.match(lines[0]) and len(lines) > 1:
        return f"{lines[1]} ({lines[0]})"
    return lines[0]


def step_failures(result: dg.ExecuteInProcessResult) -> list[StepFailure]:
    failures = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        error = event.event_specific_data.error if event.event_specific_data else None
        failure = StepFailure(event.step_key or "?", _error_lines(error))
        if failure.step_key == "dbt_models":
            failure.dbt_nodes = dbt_failed_nodes(result.run_id)
        failures.append(failure)
    return failures


def explain(failures: list[StepFailure], log_path: Path | None) -> list[str]:
    """The console lines explaining a failed run."""
    lines = []
    for failure in failures:
        lines.append(f"  failed step {failure.step_key}:")
        lines += [f"    {line}" for line in failure.error_lines]
        for node, message in failure.dbt_nodes:
            lines.append(f"    dbt {node}: {message}")
    if log_path is not None:
        lines.append(f"  full log: {log_path}")
    return lines
