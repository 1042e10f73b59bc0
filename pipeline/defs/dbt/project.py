"""The dbt project as dagster-dbt sees it, and how its manifest is prepared.

``dbt_project.prepare_if_dev()`` re-parses the project when the code location loads under
``dagster dev`` (``make dev``), so model edits show without a manual step. Everywhere else the
manifest is prepared once, ahead of time, by ``python -m pipeline parse`` (``make manifest``),
which runs the same preparer: dagster-dbt guards it with a file lock, so processes preparing at
once (parallel test workers) parse once and never read a half-written manifest.
"""

from __future__ import annotations

from functools import cached_property

from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject
from dbt.version import __version__ as DBT_CORE_VERSION
from packaging.version import Version

from pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR


class VenvDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two fixed costs it pays before every dbt command
    (measured 5.8 s of a 25 s build of the end-to-end landing zone):

    - it runs ``dbt --version`` in a subprocess (2.4 s) to learn the version of the dbt it will
      run: here that is the venv's own dbt (``DBT_EXECUTABLE``), the dbt-core this process has
      installed, whose version is known without a process;
    - it loads the dbt project and a DuckDB adapter in this process (3.4 s), used only by
      ``fetch_row_counts()`` / ``fetch_column_metadata()``, which this project does not call: the
      ``report_relation`` post-hook logs each model's schema and row count as dbt builds it.

    Both are private hooks of dagster-dbt; tests/test_end_to_end.py checks that a build through
    this resource still yields every model's materialization (schema, row count) and every
    data test's check.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(DBT_CORE_VERSION)

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202 - dagster-dbt's hook
        return None


class VenvDbtPreparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer, with the dbt installed next to this interpreter (the venv need
    not be activated)."""

    def _prepare_manifest(self, project: DbtProject) -> None:
        dbt = VenvDbtCli(project_dir=project, dbt_executable=str(DBT_EXECUTABLE))
        dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()
        self._invalidate_seeds_in_partial_parse(project)


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
preparer = VenvDbtPreparer()
preparer.prepare_if_dev(dbt_project)  # what dbt_project.prepare_if_dev() does, with our dbt
