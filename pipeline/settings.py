"""Settings: every environment variable of the pipeline, read once, in one place, and passed
explicitly.

``Settings.from_env()`` reads and checks them all at once: a bad value is one OperatorError line
naming the variable, raised before anything runs (the CLI checks them first thing). Modules that
need a value at import time (the partitions' first day, the schedule's cron, whether automation
starts on) take it from ``current_settings()``, the one reading of this process. Adding a
variable: its name and default below, a field, one line in ``from_env``, and ``SETTINGS_VARS``.
The API extractors' credentials and settings are read here too, into ``Settings.apis``
(an ``ApiSettings``); the secrets among them never appear in a repr.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# the dbt installed next to this interpreter, whether or not the venv is activated
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

LANDING_DIR_VAR = "CREATOR_KPIS_LANDING_DIR"
WAREHOUSE_VAR = "CREATOR_KPIS_WAREHOUSE"
SERVING_VAR = "CREATOR_KPIS_SERVING"
# DuckDB's buffer pool per process (the pipeline's connections and dbt's, see profiles.yml):
# without a limit it grows towards 80 % of the machine's RAM as the warehouse grows.
DUCKDB_MEMORY_VAR = "CREATOR_KPIS_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY = "1GB"
# Not marts.duckdb: DuckDB names a file's catalog after it, and a catalog "marts" next to the
# schema "marts" makes every `marts.<table>` reference ambiguous.
SERVING_FILE_NAME = "creator_kpis.duckdb"
# The DuckDB storage format of the serving file: v1.1.0 (file format 64, as DuckDB 0.10 to 1.1
# write it) holds everything the marts use (their column types, table and column comments), and
# every DuckDB from 1.1 on reads every mart of it, where 2.x's own format (69) is refused by the 1.x
# drivers still inside DBeaver, Metabase and Evidence. DuckDB 1.0 opens it too but cannot read a
# list column that holds only empty lists (quality_flags) as DuckDB 2.0 writes it, whichever
# format is chosen. "latest" writes the format of the installed DuckDB.
SERVING_STORAGE_VERSION_VAR = "CREATOR_KPIS_SERVING_STORAGE_VERSION"
DEFAULT_SERVING_STORAGE_VERSION = "v1.1.0"
# The HTML KPI report written after every publish (pipeline/report.py), next to the serving file.
REPORT_VAR = "CREATOR_KPIS_REPORT"
REPORT_FILE_NAME = "creator_kpis_report.html"
# A landing file larger than this is not read (a `failed` ledger row), nor a Parquet file whose
# data decompresses to more than MAX_DECODED_BYTES (a decompression bomb).
MAX_FILE_BYTES_VAR = "CREATOR_KPIS_MAX_FILE_BYTES"
MAX_DECODED_BYTES_VAR = "CREATOR_KPIS_MAX_DECODED_BYTES"
DEFAULT_MAX_FILE_BYTES = 2 * 1024**3
DEFAULT_MAX_DECODED_BYTES = 8 * 1024**3
# operations: freshness of the marts, alerts, automation
FRESHNESS_HOURS_VAR = "CREATOR_KPIS_FRESHNESS_HOURS"
DEFAULT_FRESHNESS_HOURS = 26.0  # a daily pipeline plus two hours of slack
ALERT_WEBHOOK_VAR = "CREATOR_KPIS_ALERT_WEBHOOK"
UI_URL_VAR = "CREATOR_KPIS_UI_URL"
DEFAULT_UI_URL = "http://localhost:3000"
AUTOMATION_VAR = "CREATOR_KPIS_AUTOMATION"
FIRST_DAY_VAR = "CREATOR_KPIS_FIRST_DAY"
DEFAULT_FIRST_DAY = "2024-01-01"
SCHEDULE_CRON_VAR = "CREATOR_KPIS_SCHEDULE_CRON"
DEFAULT_SCHEDULE_CRON = "0 5 * * *"  # 05:00 UTC
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
# the APIs the extractors pull from (README, Pulling from the APIs)
TIKTOK_CLIENT_KEY_VAR = "TIKTOK_CLIENT_KEY"
TIKTOK_CLIENT_SECRET_VAR = "TIKTOK_CLIENT_SECRET"
TIKTOK_RESEARCH_VAR = "CREATOR_KPIS_TIKTOK_RESEARCH"
TIKTOK_API_URL_VAR = "CREATOR_KPIS_TIKTOK_API_URL"
TIKTOK_DAILY_REQUESTS_VAR = "CREATOR_KPIS_TIKTOK_DAILY_REQUESTS"
TIKTOK_REDIRECT_URI_VAR = "CREATOR_KPIS_TIKTOK_REDIRECT_URI"
TIKTOK_TOKENS_VAR = "CREATOR_KPIS_TIKTOK_TOKENS"
INSTAGRAM_ACCESS_TOKEN_VAR = "INSTAGRAM_ACCESS_TOKEN"
INSTAGRAM_USER_ID_VAR = "INSTAGRAM_USER_ID"
GRAPH_API_URL_VAR = "CREATOR_KPIS_GRAPH_API_URL"
GRAPH_API_VERSION_VAR = "CREATOR_KPIS_GRAPH_API_VERSION"
LOOKBACK_DAYS_VAR = "CREATOR_KPIS_LOOKBACK_DAYS"
DEFAULT_TIKTOK_API_URL = "https://open.tiktokapis.com"
DEFAULT_GRAPH_API_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_API_VERSION = "v25.0"
DEFAULT_TIKTOK_DAILY_REQUESTS = 1000
DEFAULT_LOOKBACK_DAYS = 30
SECRET_VARS = (TIKTOK_CLIENT_SECRET_VAR, INSTAGRAM_ACCESS_TOKEN_VAR)
API_VARS = (
    TIKTOK_CLIENT_KEY_VAR,
    TIKTOK_CLIENT_SECRET_VAR,
    TIKTOK_RESEARCH_VAR,
    TIKTOK_API_URL_VAR,
    TIKTOK_DAILY_REQUESTS_VAR,
    TIKTOK_REDIRECT_URI_VAR,
    TIKTOK_TOKENS_VAR,
    INSTAGRAM_ACCESS_TOKEN_VAR,
    INSTAGRAM_USER_ID_VAR,
    GRAPH_API_URL_VAR,
    GRAPH_API_VERSION_VAR,
    LOOKBACK_DAYS_VAR,
)
ON_VALUES = ("1", "on", "true", "yes")

SETTINGS_VARS = (
    "CREATOR_KPIS_LANDING_DIR",
    "CREATOR_KPIS_WAREHOUSE",
    "CREATOR_KPIS_SERVING",
    "CREATOR_KPIS_DUCKDB_MEMORY_LIMIT",
    MAX_FILE_BYTES_VAR,
    MAX_DECODED_BYTES_VAR,
    FRESHNESS_HOURS_VAR,
    ALERT_WEBHOOK_VAR,
    UI_URL_VAR,
    AUTOMATION_VAR,
    FIRST_DAY_VAR,
    SCHEDULE_CRON_VAR,
    SERVING_STORAGE_VERSION_VAR,
    REPORT_VAR,
    *API_VARS,
)


class OperatorError(Exception):
    """A mistake in the set-up (a path, a setting) that the operator fixes; shown as one line."""


def _path(env: Mapping[str, str], variable: str, default: str) -> Path:
    value = env.get(variable)
    if value:
        return Path(value).expanduser().resolve()
    return (PROJECT_ROOT / default).resolve()


def _optional_path(env: Mapping[str, str], variable: str) -> Path | None:
    value = env.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else None


def _positive_int(env: Mapping[str, str], variable: str, default: int) -> int:
    value = env.get(variable, "").strip().replace("_", "")
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise OperatorError(f"{variable}={value!r} is not a positive whole number: fix or unset it")
    return int(value)


def _count(env: Mapping[str, str], variable: str, default: int) -> int:
    """A whole number, at least 1 (the API settings' counts)."""
    value = env.get(variable, "").strip()
    if not value:
        return default
    try:
        count = int(value)
    except ValueError:
        raise OperatorError(
            f"{variable}={value!r} is not a whole number: fix or unset it"
        ) from None
    if count < 1:
        raise OperatorError(f"{variable}={value!r} must be at least 1: fix or unset it")
    return count


def _hours(env: Mapping[str, str], variable: str, default: float) -> timedelta:
    value = env.get(variable, "").strip()
    if not value:
        return timedelta(hours=default)
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if not hours > 0:
        raise OperatorError(
            f"{variable}={value!r} is not a positive number of hours: fix or unset it"
        )
    return timedelta(hours=hours)


def _day(env: Mapping[str, str], variable: str, default: str) -> date:
    value = env.get(variable, "").strip() or default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise OperatorError(
            f"{variable}={value!r} is not a day YYYY-MM-DD: fix or unset it"
        ) from None


def check_webhook_url(url: str) -> None:
    """``https://...``, or ``http://`` to this machine; else an OperatorError naming the setting
    (urllib would also open ``file:`` and ``ftp:`` URLs)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "https" and parsed.hostname:
        return
    if parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS:
        return
    raise OperatorError(
        f"{ALERT_WEBHOOK_VAR}={url!r} is not an https:// URL (http:// only to localhost):"
        " fix or unset it"
    )


def default_serving(warehouse: Path) -> Path:
    """``serving/creator_kpis.duckdb`` next to the warehouse (``data/serving/...`` by default)."""
    return warehouse.parent / "serving" / SERVING_FILE_NAME


@dataclass(frozen=True)
class ApiSettings:
    """The API extractors' part of the settings; the secrets never appear in its repr."""

    tiktok_client_key: str | None = None
    tiktok_client_secret: str | None = None
    tiktok_research: bool = False
    tiktok_api_url: str = DEFAULT_TIKTOK_API_URL
    tiktok_daily_requests: int = DEFAULT_TIKTOK_DAILY_REQUESTS
    tiktok_redirect_uri: str | None = None
    tiktok_tokens: Path | None = None  # None: .secrets/tiktok_tokens.json beside the warehouse
    instagram_access_token: str | None = None
    instagram_user_id: str | None = None
    graph_api_url: str = DEFAULT_GRAPH_API_URL
    graph_api_version: str = DEFAULT_GRAPH_API_VERSION
    lookback_days: int = DEFAULT_LOOKBACK_DAYS

    def __repr__(self) -> str:  # never print a secret
        hidden = {"tiktok_client_secret", "instagram_access_token"}
        shown = ", ".join(
            f"{name}={'***' if name in hidden and value else value!r}"
            for name, value in self.__dict__.items()
        )
        return f"ApiSettings({shown})"

    @property
    def tiktok_configured(self) -> bool:
        return bool(self.tiktok_client_key and self.tiktok_client_secret)

    @property
    def instagram_configured(self) -> bool:
        return bool(self.instagram_access_token and self.instagram_user_id)

    def token_store_path(self, warehouse: Path) -> Path:
        return self.tiktok_tokens or warehouse.parent / ".secrets" / "tiktok_tokens.json"

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.tiktok_client_secret, self.instagram_access_token) if s)

    def missing(self, platform: str) -> str | None:
        """One line naming what is missing to extract ``platform``, or None when configured."""
        if platform == "tiktok" and not self.tiktok_configured:
            return (
                f"no TikTok credentials: set {TIKTOK_CLIENT_KEY_VAR} and {TIKTOK_CLIENT_SECRET_VAR}"
            )
        if platform == "instagram" and not self.instagram_configured:
            return (
                f"no Instagram credentials: set {INSTAGRAM_ACCESS_TOKEN_VAR}"
                f" and {INSTAGRAM_USER_ID_VAR}"
            )
        return None


def _api_settings(env: Mapping[str, str]) -> ApiSettings:
    def text(variable: str) -> str | None:
        return env.get(variable, "").strip() or None

    tokens = text(TIKTOK_TOKENS_VAR)
    return ApiSettings(
        tiktok_client_key=text(TIKTOK_CLIENT_KEY_VAR),
        tiktok_client_secret=text(TIKTOK_CLIENT_SECRET_VAR),
        tiktok_research=(text(TIKTOK_RESEARCH_VAR) or "").lower() in ON_VALUES,
        tiktok_api_url=(text(TIKTOK_API_URL_VAR) or DEFAULT_TIKTOK_API_URL).rstrip("/"),
        tiktok_daily_requests=_count(env, TIKTOK_DAILY_REQUESTS_VAR, DEFAULT_TIKTOK_DAILY_REQUESTS),
        tiktok_redirect_uri=text(TIKTOK_REDIRECT_URI_VAR),
        tiktok_tokens=Path(tokens).expanduser().resolve() if tokens else None,
        instagram_access_token=text(INSTAGRAM_ACCESS_TOKEN_VAR),
        instagram_user_id=text(INSTAGRAM_USER_ID_VAR),
        graph_api_url=(text(GRAPH_API_URL_VAR) or DEFAULT_GRAPH_API_URL).rstrip("/"),
        graph_api_version=text(GRAPH_API_VERSION_VAR) or DEFAULT_GRAPH_API_VERSION,
        lookback_days=_count(env, LOOKBACK_DAYS_VAR, DEFAULT_LOOKBACK_DAYS),
    )


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    serving: Path | None = None  # the file BI tools read; None: default_serving(warehouse)
    serving_storage_version: str = DEFAULT_SERVING_STORAGE_VERSION
    report: Path | None = None  # the HTML report; None: creator_kpis_report.html beside serving
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY
    freshness_window: timedelta = timedelta(hours=DEFAULT_FRESHNESS_HOURS)
    alert_webhook: str | None = field(default=None, repr=False)  # a Slack URL is a credential
    ui_url: str = DEFAULT_UI_URL
    automation: bool = False
    first_day: date = date.fromisoformat(DEFAULT_FIRST_DAY)
    schedule_cron: str = DEFAULT_SCHEDULE_CRON
    apis: ApiSettings = field(default_factory=ApiSettings)  # TIKTOK_*, INSTAGRAM_*, ...

    def __post_init__(self) -> None:
        if self.serving is None:
            object.__setattr__(self, "serving", default_serving(self.warehouse))
        if self.report is None:
            object.__setattr__(self, "report", self.serving.with_name(REPORT_FILE_NAME))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        serving = env.get(SERVING_VAR)
        webhook = env.get(ALERT_WEBHOOK_VAR, "").strip() or None
        if webhook:
            check_webhook_url(webhook)
        return cls(
            landing_dir=_path(env, LANDING_DIR_VAR, "data/landing"),
            warehouse=_path(env, WAREHOUSE_VAR, "data/warehouse.duckdb"),
            serving=Path(serving).expanduser().resolve() if serving else None,
            serving_storage_version=env.get(SERVING_STORAGE_VERSION_VAR, "").strip()
            or DEFAULT_SERVING_STORAGE_VERSION,
            report=_optional_path(env, REPORT_VAR),
            max_file_bytes=_positive_int(env, MAX_FILE_BYTES_VAR, DEFAULT_MAX_FILE_BYTES),
            max_decoded_bytes=_positive_int(env, MAX_DECODED_BYTES_VAR, DEFAULT_MAX_DECODED_BYTES),
            duckdb_memory_limit=env.get(DUCKDB_MEMORY_VAR, "").strip() or DEFAULT_DUCKDB_MEMORY,
            freshness_window=_hours(env, FRESHNESS_HOURS_VAR, DEFAULT_FRESHNESS_HOURS),
            alert_webhook=webhook,
            ui_url=(env.get(UI_URL_VAR, "").strip() or DEFAULT_UI_URL).rstrip("/"),
            automation=env.get(AUTOMATION_VAR, "").lower() in ON_VALUES,
            first_day=_day(env, FIRST_DAY_VAR, DEFAULT_FIRST_DAY),
            schedule_cron=env.get(SCHEDULE_CRON_VAR, "").strip() or DEFAULT_SCHEDULE_CRON,
            apis=_api_settings(env),
        )

    def check_landing_dir(self) -> None:
        if not self.landing_dir.is_dir():
            raise OperatorError(
                f"landing directory {self.landing_dir} does not exist:"
                f" create it or set {LANDING_DIR_VAR}"
            )

    def check_warehouse_writable(self) -> None:
        parent = self.warehouse.parent
        make_folder(parent, "warehouse", WAREHOUSE_VAR)
        if not os.access(parent, os.W_OK) or (
            self.warehouse.exists() and not os.access(self.warehouse, os.W_OK)
        ):
            raise OperatorError(
                f"warehouse {self.warehouse} is not writable: fix its permissions"
                f" or set {WAREHOUSE_VAR} to a writable path"
            )


def make_folder(folder: Path, what: str, variable: str) -> None:
    """Create ``folder`` (and its parents), or one OperatorError line naming the setting."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OperatorError(
            f"cannot create the {what} folder {folder} ({error.strerror}):"
            f" set {variable} to a writable path"
        ) from None


@cache
def current_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings.from_env()


def duckdb_memory_limit() -> str:
    return current_settings().duckdb_memory_limit
