"""The dbt project as dagster-dbt sees it, and how its manifest is prepared.

``dbt_project.prepare_if_dev()`` re-parses the project when the code location loads under
``dagster dev`` (``make dev``), so model edits show without a manual step. Everywhere else the
manifest is prepared once, ahead of time, by ``python -m pipeline parse`` (``make manifest``),
which runs the same preparer: dagster-dbt guards it with a file lock, so processes preparing at
once (parallel test workers) parse once and never read a half-written manifest.
"""

from __future__ import annotations

from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject

from pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR


class VenvDbtPreparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer, with the dbt installed next to this interpreter (the venv need
    not be activated)."""

    def _prepare_manifest(self, project: DbtProject) -> None:
        dbt = DbtCliResource(project_dir=project, dbt_executable=str(DBT_EXECUTABLE))
        dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()
        self._invalidate_seeds_in_partial_parse(project)


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
preparer = VenvDbtPreparer()
preparer.prepare_if_dev(dbt_project)  # what dbt_project.prepare_if_dev() does, with our dbt
