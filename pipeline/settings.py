"""Settings, read once from the environment and passed explicitly."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
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


class OperatorError(Exception):
    """A mistake in the set-up (a path, a setting) that the operator fixes; shown as one line."""


def _path(variable: str, default: str) -> Path:
    value = os.environ.get(variable)
    if value:
        return Path(value).expanduser().resolve()
    return (PROJECT_ROOT / default).resolve()


def _optional_path(variable: str) -> Path | None:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else None


def _positive_int(variable: str, default: int) -> int:
    value = os.environ.get(variable, "").strip().replace("_", "")
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise OperatorError(f"{variable}={value!r} is not a positive whole number: fix or unset it")
    return int(value)


def default_serving(warehouse: Path) -> Path:
    """``serving/creator_kpis.duckdb`` next to the warehouse (``data/serving/...`` by default)."""
    return warehouse.parent / "serving" / SERVING_FILE_NAME


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    serving: Path | None = None  # the file BI tools read; None: default_serving(warehouse)
    serving_storage_version: str = DEFAULT_SERVING_STORAGE_VERSION
    report: Path | None = None  # the HTML report; None: creator_kpis_report.html beside serving
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES

    def __post_init__(self) -> None:
        if self.serving is None:
            object.__setattr__(self, "serving", default_serving(self.warehouse))
        if self.report is None:
            object.__setattr__(self, "report", self.serving.with_name(REPORT_FILE_NAME))

    @classmethod
    def from_env(cls) -> Settings:
        serving = os.environ.get(SERVING_VAR)
        return cls(
            landing_dir=_path(LANDING_DIR_VAR, "data/landing"),
            warehouse=_path(WAREHOUSE_VAR, "data/warehouse.duckdb"),
            serving=Path(serving).expanduser().resolve() if serving else None,
            serving_storage_version=os.environ.get(SERVING_STORAGE_VERSION_VAR, "").strip()
            or DEFAULT_SERVING_STORAGE_VERSION,
            report=_optional_path(REPORT_VAR),
            max_file_bytes=_positive_int(MAX_FILE_BYTES_VAR, DEFAULT_MAX_FILE_BYTES),
            max_decoded_bytes=_positive_int(MAX_DECODED_BYTES_VAR, DEFAULT_MAX_DECODED_BYTES),
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


def duckdb_memory_limit() -> str:
    return os.environ.get(DUCKDB_MEMORY_VAR, "").strip() or DEFAULT_DUCKDB_MEMORY
