"""Resources shared by every area: the landing zone and the warehouse."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipeline import warehouse
from pipeline.landing.records import ReadLimits
from pipeline.settings import DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_FILE_BYTES


class LandingZone(dg.ConfigurableResource):
    """The landing directory (``CREATOR_KPIS_LANDING_DIR``); read only, never modified."""

    path: str
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # CREATOR_KPIS_MAX_FILE_BYTES
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES  # CREATOR_KPIS_MAX_DECODED_BYTES

    @property
    def dir(self) -> Path:
        return Path(self.path)

    @property
    def limits(self) -> ReadLimits:
        return ReadLimits(
            max_file_bytes=self.max_file_bytes, max_decoded_bytes=self.max_decoded_bytes
        )


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file (``CREATOR_KPIS_WAREHOUSE``), opened only for one unit of work."""

    path: str
    lock_wait_seconds: float = 60.0  # a brief lock by another process is waited out

    @contextmanager
    def connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with warehouse.connect(
            Path(self.path), read_only=read_only, wait_seconds=self.lock_wait_seconds
        ) as con:
            yield con
