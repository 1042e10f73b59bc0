"""The serving file: what BI tools and notebooks read, replaced atomically by each publish."""

from pathlib import Path

import dagster as dg

from pipeline.settings import DEFAULT_SERVING_STORAGE_VERSION, REPORT_FILE_NAME


class Serving(dg.ConfigurableResource):
    """The DuckDB file analysts read (``CREATOR_KPIS_SERVING``); the pipeline never opens it,
    it only renames a new publication over it."""

    path: str
    # the DuckDB storage format it is written in (CREATOR_KPIS_SERVING_STORAGE_VERSION)
    storage_version: str = DEFAULT_SERVING_STORAGE_VERSION
    # the HTML report built from it (CREATOR_KPIS_REPORT); empty: beside the serving file
    report_path: str = ""

    @property
    def file(self) -> Path:
        return Path(self.path)

    @property
    def report_file(self) -> Path:
        return Path(self.report_path) if self.report_path else self.file.with_name(REPORT_FILE_NAME)
