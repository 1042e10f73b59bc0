"""The dbt project as Dagster assets (dagster-dbt): staging, intermediate and mart models, seeds,
and dbt tests as asset checks. Sources map to the ingest assets, so lineage runs unbroken.

The dbt assets are not partitioned: every model is built from all of history (the incremental
models read what the ingest step changed since their last build, by load ids, see
dbt_project/macros/latest_observations.sql), so a mart has one materialization per build, not one
per day of the run's window (a 32-day run once logged 1,536 materializations of 48 dbt assets,
each an event-log write). They sit in the same runs as the daily-partitioned ingest assets; no
--vars change between runs and dbt's partial parsing keeps working. When nothing was loaded
since the last successful build (and the dbt project is unchanged), the build is skipped: no
dbt process, no materialization, and the publish step downstream is skipped too.

Every mart carries a freshness policy (see pipeline/defs/dbt/translator.py) with the window of
``Settings.freshness_window``: ``build_dbt_models(window)`` builds the assets for a window.
"""

import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from pipeline.crash_points import crash_point
from pipeline.defs.dbt.project import dbt_project
from pipeline.defs.dbt.translator import CreatorKpisTranslator
from pipeline.defs.failures import LOCK_RETRY, WAREHOUSE_POOL, retry_only_lock_contention
from pipeline.defs.metadata import text_table
from pipeline.defs.resources import Warehouse
from pipeline.freshness_of_build import dbt_project_fingerprint
from pipeline.settings import WAREHOUSE_VAR, current_settings
from pipeline.top_creators import TOP_CREATORS, top_creators
from pipeline.warehouse import (
    MARTS_SCHEMA,
    DbtBuild,
    ensure_ingest_schema,
    last_dbt_build,
    latest_load_id,
    record_dbt_build,
)


# every dbt model in schema marts, as the translator keys them: ["marts", "<model name>"]
def mart_keys(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    """The asset keys ``marts/<name>`` among the given assets (e.g. the dbt models)."""
    keys = {key for asset in assets for key in asset.keys if key.path[0] == MARTS_SCHEMA}
    return sorted(keys, key=lambda key: key.to_user_string())


# Each creators mart gets a preview of its top creators by the platform's KPI.
TOP_CREATORS_PREVIEW = {(MARTS_SCHEMA, spec.mart): spec for spec in TOP_CREATORS}


# dagster-dbt gives every invocation its own target folder (dbt_models-<run>-<step>, ~8 MB):
# after a build, the folders of earlier builds are removed, the latest one stays for inspection
# (make docs, the benchmark's dbt breakdown). Builds of other processes may be running at the
# same time (a CLI run and a UI run on other warehouses, parallel test workers): each build holds
# an exclusive lock on its folder's IN_USE file while dbt runs, and the clean-up leaves locked
# folders (and any folder younger than a minute, whose build may not hold its lock yet) alone.
TARGET_FOLDER_PREFIX = "dbt_models-"
IN_USE = ".in-use"
YOUNG_SECONDS = 60


@contextmanager
def target_in_use(folder: Path) -> Iterator[Path]:
    """Create ``folder`` and hold its IN_USE lock until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / IN_USE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _in_use(folder: Path) -> bool:
    try:
        with (folder / IN_USE).open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(lock, fcntl.LOCK_UN)
            return False
    except FileNotFoundError:  # no lock file (an older build's folder) or removed meanwhile
        return False


def remove_old_targets(target_dir: Path, keep: str | Path) -> None:
    keep = Path(keep).resolve()
    now = time.time()
    for folder in target_dir.glob(f"{TARGET_FOLDER_PREFIX}*"):
        if not folder.is_dir() or folder.resolve() == keep:
            continue
        try:
            if now - folder.stat().st_mtime < YOUNG_SECONDS or _in_use(folder):
                continue
        except FileNotFoundError:
            continue
        shutil.rmtree(folder, ignore_errors=True)


PARTIAL_PARSE = "partial_parse.msgpack"


def keep_partial_parse(run_target: Path, project_target: Path) -> None:
    """Make this build's parse the one the next build starts from.

    dagster-dbt seeds each build's target folder with the project's partial_parse.msgpack, which
    ``python -m pipeline parse`` wrote. dbt reuses it only for the same profile, and the profile
    holds the warehouse path: a build on another warehouse (the benchmark's, a test's) parsed
    the whole project again on every run (~4 s). The parse dbt saved in this build's folder
    replaces the project's copy (atomically: a parallel build may be copying it), so the next
    build on this warehouse parses only what changed; dbt still checks the profile and every
    file's hash before it reuses anything."""
    source = run_target / PARTIAL_PARSE
    if not source.is_file():
        return
    staged = project_target / f".{PARTIAL_PARSE}.{uuid.uuid4().hex[:7]}"
    try:
        shutil.copyfile(source, staged)
        os.replace(staged, project_target / PARTIAL_PARSE)
    except OSError:
        staged.unlink(missing_ok=True)  # an optimisation only: the next build parses in full


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild the incremental models from all of history
    force: bool = False  # build even when nothing was loaded since the last build


ROW_COUNT_LOG = "creator_kpis row_count "  # written by the report_relation post-hook


def _stream_with_row_counts(
    context: dg.AssetExecutionContext, invocation: DbtCliInvocation
) -> Iterator:
    """The dbt events as Dagster events, each yielded as soon as dbt reports it (the UI shows the
    build as it runs). Each model's ``report_relation`` post-hook logs its column schema (which
    dagster-dbt attaches) and, for tables, its row count, added here as ``dagster/row_count``
    to the materialization of the node's asset (keyed by ``context.asset_key_for_output``)."""
    row_counts: dict[str, int] = {}
    crash_point("dbt_running")
    for raw in invocation.stream_raw_events():
        info = raw.raw_event["info"]
        node = raw.raw_event["data"].get("node_info", {}).get("unique_id")
        if info.get("name") == "JinjaLogInfo" and info.get("msg", "").startswith(ROW_COUNT_LOG):
            if node:
                row_counts[node] = int(info["msg"][len(ROW_COUNT_LOG) :])
            continue
        for event in raw.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            if isinstance(event, dg.Output) and node in row_counts:
                key = context.asset_key_for_output(event.output_name)
                event = event.with_metadata(
                    {
                        **event.metadata,
                        "dagster/row_count": dg.MetadataValue.int(row_counts[node]),
                        "dagster/table_name": ".".join(key.path),
                    }
                )
            yield event


def _top_creator_previews(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.AssetObservation]:
    """The top creators of each creators mart built, read once dbt has released the warehouse."""
    built = set(context.selected_asset_keys)
    with warehouse.connection(read_only=True) as con:
        for path, spec in TOP_CREATORS_PREVIEW.items():
            if dg.AssetKey(list(path)) in built:
                yield dg.AssetObservation(
                    asset_key=dg.AssetKey(list(path)),
                    metadata={
                        "top_10_creators": text_table(spec.names, top_creators(con, spec, 10))
                    },
                )


def _dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: Warehouse,
    config: DbtBuildConfig,
) -> Iterator:
    # the dbt profile reads the warehouse path from the environment of the dbt subprocess
    os.environ[WAREHOUSE_VAR] = warehouse.path
    with warehouse.connection() as con:
        ensure_ingest_schema(con)  # the sources exist even before any file was loaded
        wanted = DbtBuild(latest_load_id(con), dbt_project_fingerprint())
        previous = last_dbt_build(con)
    if previous == wanted and not (config.full_refresh or config.force):
        context.log.info(
            f"nothing new or changed in the landing zone since the last build (load id"
            f" {wanted.built_through_load_id}): dbt build and publish skipped"
        )
        return
    # Unit tests check the models' SQL on fixed inputs, not the data: dbt recommends running them
    # in development and CI only (make test runs them), not in every production build.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    context.log.info(f"dbt {' '.join(args)}")
    with retry_only_lock_contention():
        with warehouse.connection():
            pass  # wait out a brief lock by another process before dbt starts
        folder = f"{TARGET_FOLDER_PREFIX}{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
        with target_in_use(Path(dbt_project.project_dir) / "target" / folder) as target:
            invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=target)
            yield from _stream_with_row_counts(context, invocation)
        remove_old_targets(target.parent, keep=target)
        if not invocation.is_successful():
            error = str(invocation.get_error() or "")
            locked = "could not set lock" in error.lower() or "conflicting lock" in error.lower()
            raise dg.Failure(
                description=(
                    "dbt build failed: the warehouse was locked by another process"
                    if locked
                    else "dbt build failed; see the dbt logs of this step for the failing node"
                ),
                metadata={"dbt_command": " ".join(invocation.process.args)},
                allow_retries=locked,  # a failing model or data test fails the same way again
            )
        keep_partial_parse(target, target.parent)
        with warehouse.connection() as con:
            record_dbt_build(con, wanted, context.run.run_id)
        yield from _top_creator_previews(context, warehouse)


@cache
def build_dbt_models(freshness_window: timedelta) -> dg.AssetsDefinition:
    """The dbt project as the assets of the step ``dbt_models``, each mart with a freshness policy
    of ``freshness_window``; one definition per window."""
    return dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        name="dbt_models",
        dagster_dbt_translator=CreatorKpisTranslator(freshness_window),
        retry_policy=LOCK_RETRY,  # lock contention only: see pipeline/defs/failures.py
        pool=WAREHOUSE_POOL,
    )(_dbt_build)


# with this process's CREATOR_KPIS_FRESHNESS_HOURS: the one build_definitions uses by default
dbt_models = build_dbt_models(current_settings().freshness_window)
MART_KEYS = mart_keys([dbt_models])
