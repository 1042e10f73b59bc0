"""Settings, read once from the environment and passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

LANDING_DIR_VAR = "CREATOR_KPIS_LANDING_DIR"
WAREHOUSE_VAR = "CREATOR_KPIS_WAREHOUSE"


class OperatorError(Exception):
    """A mistake in the set-up (a path, a setting) that the operator fixes; shown as one line."""


def _path(variable: str, default: str) -> Path:
    value = os.environ.get(variable)
    if value:
        return Path(value).expanduser().resolve()
    return (PROJECT_ROOT / default).resolve()


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            landing_dir=_path(LANDING_DIR_VAR, "data/landing"),
            warehouse=_path(WAREHOUSE_VAR, "data/warehouse.duckdb"),
        )

    def check_landing_dir(self) -> None:
        if not self.landing_dir.is_dir():
            raise OperatorError(
                f"landing directory {self.landing_dir} does not exist:"
                f" create it or set {LANDING_DIR_VAR}"
            )

    def check_warehouse_writable(self) -> None:
        parent = self.warehouse.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OperatorError(
                f"cannot create the warehouse folder {parent} ({error.strerror}):"
                f" set {WAREHOUSE_VAR} to a writable path"
            ) from None
        if not os.access(parent, os.W_OK) or (
            self.warehouse.exists() and not os.access(self.warehouse, os.W_OK)
        ):
            raise OperatorError(
                f"warehouse {self.warehouse} is not writable: fix its permissions"
                f" or set {WAREHOUSE_VAR} to a writable path"
            )
