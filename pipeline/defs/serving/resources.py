"""The serving file: what BI tools and notebooks read, replaced atomically by each publish."""

from pathlib import Path

import dagster as dg


class Serving(dg.ConfigurableResource):
    """The DuckDB file analysts read (``CREATOR_KPIS_SERVING``); the pipeline never opens it,
    it only renames a new publication over it."""

    path: str

    @property
    def file(self) -> Path:
        return Path(self.path)
