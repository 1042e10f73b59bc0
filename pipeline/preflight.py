"""Configuration checks before a run starts: every mistake found at once, one line each.

``python -m pipeline run`` calls :func:`configuration_problems` before it imports the Dagster
definitions or touches the warehouse: a misnamed serving file, an unwritable folder or a setting
that does not parse is refused in a second (exit code 2), not after the whole build. Each line
names the variable to fix and what is wrong with it.

The variables are those of :class:`pipeline.settings.Settings`; where ``Settings.from_env`` stops
at the first value it cannot parse, these checks report every mistake at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlparse

from pipeline.settings import (
    ALERT_WEBHOOK_VAR,
    AUTOMATION_VAR,
    DUCKDB_MEMORY_VAR,
    FIRST_DAY_VAR,
    FRESHNESS_HOURS_VAR,
    GRAPH_API_URL_VAR,
    LOOKBACK_DAYS_VAR,
    MAX_DECODED_BYTES_VAR,
    MAX_FILE_BYTES_VAR,
    REPORT_VAR,
    SCHEDULE_CRON_VAR,
    SERVING_VAR,
    TIKTOK_API_URL_VAR,
    TIKTOK_DAILY_REQUESTS_VAR,
    TIKTOK_RESEARCH_VAR,
    UI_URL_VAR,
    WAREHOUSE_VAR,
    OperatorError,
    Settings,
    check_webhook_url,
)

MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


def _env(variable: str) -> str:
    return os.environ.get(variable, "").strip()


def _blocker(folder: Path) -> tuple[Path, str] | None:
    """Why ``folder`` cannot be created or written: (the existing path in the way, reason)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return existing, "which is not a folder"
    if not os.access(existing, os.W_OK):
        return existing, "which is not writable"
    return None


def check_paths(settings: Settings) -> list[str]:
    from pipeline.serving import MARTS_SCHEMA, duckdb_catalog_name

    problems = []
    try:
        settings.check_landing_dir()
    except OperatorError as error:
        problems.append(str(error))
    assert settings.serving is not None and settings.report is not None
    if duckdb_catalog_name(settings.serving).lower() == MARTS_SCHEMA:
        problems.append(
            f"{SERVING_VAR}: {settings.serving.name} would make DuckDB name its catalog"
            f" {MARTS_SCHEMA!r}, which makes every {MARTS_SCHEMA}.<table> ambiguous:"
            " choose a name that does not start with 'marts.'"
        )
    reported: set[Path] = set()  # one line per obstacle (the serving file defaults beside the
    # warehouse, the report beside the serving file: one bad folder would otherwise give three)
    for path, variable, what in (
        (settings.warehouse, WAREHOUSE_VAR, "warehouse"),
        (settings.serving, SERVING_VAR, "serving file"),
        (settings.report, REPORT_VAR, "report"),
    ):
        if path.is_dir():
            problems.append(f"{variable}: the {what} path {path} is a folder, not a file")
            continue
        blocker = _blocker(path.parent)
        if blocker is not None and blocker[0] not in reported:
            reported.add(blocker[0])
            problems.append(
                f"{variable}: the {what} folder {path.parent} cannot be written: it is under"
                f" {blocker[0]}, {blocker[1]}"
            )
    return problems


def _first_day() -> str | None:
    value = _env(FIRST_DAY_VAR)
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return f"{FIRST_DAY_VAR}={value!r} is not a day (YYYY-MM-DD)"
    if day > datetime.now(UTC).date():
        return f"{FIRST_DAY_VAR}={value!r} is in the future"
    return None


def _cron() -> str | None:
    value = _env(SCHEDULE_CRON_VAR)
    if not value:
        return None
    from dagster._utils.schedules import is_valid_cron_string

    if not is_valid_cron_string(value):
        return f"{SCHEDULE_CRON_VAR}={value!r} is not a cron expression (e.g. '0 5 * * *')"
    return None


def _memory_limit() -> str | None:
    value = _env(DUCKDB_MEMORY_VAR)
    if value and not MEMORY_LIMIT.match(value):
        return f"{DUCKDB_MEMORY_VAR}={value!r} is not a memory size (e.g. 1GB, 512MB)"
    return None


def _url(variable: str) -> str | None:
    value = _env(variable)
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return f"{variable}={value!r} is not an http:// or https:// URL"
    return None


def _webhook() -> str | None:
    value = _env(ALERT_WEBHOOK_VAR)
    if not value:
        return None
    try:
        check_webhook_url(value)
    except OperatorError as error:
        return str(error)
    return None


def _freshness_hours() -> str | None:
    value = _env(FRESHNESS_HOURS_VAR)
    if not value:
        return None
    try:
        hours = float(value)
    except ValueError:
        hours = 0
    if not hours > 0:
        return f"{FRESHNESS_HOURS_VAR}={value!r} is not a positive number of hours"
    return None


def _on_off(variable: str) -> str | None:
    value = _env(variable).lower()
    if value and value not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
        return f"{variable}={value!r} is neither on nor off"
    return None


def _count(variable: str) -> str | None:
    value = _env(variable)
    if not value:
        return None
    try:
        if int(value) >= 1:
            return None
    except ValueError:
        pass
    return f"{variable}={value!r} is not a whole number of at least 1"


def _byte_limit(variable: str) -> str | None:
    value = _env(variable).replace("_", "")
    if value and (not value.isdigit() or int(value) <= 0):
        return f"{variable}={value!r} is not a positive whole number of bytes"
    return None


def _storage_version(settings: Settings) -> str | None:
    from pipeline.serving import check_storage_version

    try:
        check_storage_version(settings.serving_storage_version)
    except OperatorError as error:
        return str(error)
    return None


VARIABLE_CHECKS: tuple[Callable[[], str | None], ...] = (
    _first_day,
    _cron,
    _memory_limit,
    _webhook,
    lambda: _url(UI_URL_VAR),
    _freshness_hours,
    lambda: _on_off(AUTOMATION_VAR),
    lambda: _on_off(TIKTOK_RESEARCH_VAR),
    lambda: _url(TIKTOK_API_URL_VAR),
    lambda: _count(TIKTOK_DAILY_REQUESTS_VAR),
    lambda: _url(GRAPH_API_URL_VAR),
    lambda: _count(LOOKBACK_DAYS_VAR),
    lambda: _byte_limit(MAX_FILE_BYTES_VAR),
    lambda: _byte_limit(MAX_DECODED_BYTES_VAR),
)


def configuration_problems() -> list[str]:
    """Every configuration mistake, one line each (empty: good to go). Reads the environment
    and looks at folders; changes nothing."""
    # Settings.from_env stops at the first value it cannot parse: the variables checked one by
    # one here are left out of it, so that every mistake is reported at once.
    checked_here = (
        ALERT_WEBHOOK_VAR,
        FIRST_DAY_VAR,
        FRESHNESS_HOURS_VAR,
        SCHEDULE_CRON_VAR,
        TIKTOK_DAILY_REQUESTS_VAR,
        LOOKBACK_DAYS_VAR,
        MAX_FILE_BYTES_VAR,
        MAX_DECODED_BYTES_VAR,
    )
    environ = {k: v for k, v in os.environ.items() if k not in checked_here}
    try:
        settings = Settings.from_env(environ)
    except OperatorError as error:  # a setting Settings itself could not parse
        return [str(error)]
    problems = [problem for check in VARIABLE_CHECKS if (problem := check())]
    problems += check_paths(settings)
    if problem := _storage_version(settings):
        problems.append(problem)
    return problems
