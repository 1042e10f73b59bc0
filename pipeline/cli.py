"""Command line: ``python -m pipeline run | demo | parse``."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pipeline.settings import (
    DBT_PROJECT_DIR,
    PROJECT_ROOT,
    WAREHOUSE_VAR,
    OperatorError,
    Settings,
)

DAGSTER_HOME_VAR = "DAGSTER_HOME"
DAGSTER_YAML = """\
# Dagster instance of creator-kpis (git-ignored). Runs, events and schedules are stored here.
telemetry:
  enabled: false
"""


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME defaults to .dagster_home/ in the repository (git-ignored)."""
    home = Path(os.environ.get(DAGSTER_HOME_VAR) or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ[DAGSTER_HOME_VAR] = str(home)
    return home


def dbt_parse(settings: Settings, quiet: bool = True) -> None:
    """Build dbt_project/target/manifest.json, which dagster-dbt loads the dbt assets from."""
    os.environ[WAREHOUSE_VAR] = str(settings.warehouse)
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "parse", "--project-dir", str(DBT_PROJECT_DIR)]
    command += ["--profiles-dir", str(DBT_PROJECT_DIR)]
    if quiet:
        command.append("--quiet")
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise OperatorError(f"dbt parse failed in {DBT_PROJECT_DIR}; see the dbt output above")


def command_run(args: argparse.Namespace) -> int:
    from pipeline import warehouse

    settings = Settings.from_env()
    settings.check_landing_dir()
    settings.check_warehouse_writable()
    with warehouse.connect(settings.warehouse):
        pass  # fail early, in one line, if another process holds the warehouse
    ensure_dagster_home()
    dbt_parse(settings)

    import dagster as dg

    from pipeline.definitions import BUILD_ALL_JOB, defs
    from pipeline.summary import print_run_summary

    job = defs.resolve_job_def(BUILD_ALL_JOB)
    log_path = ensure_dagster_home() / "logs" / f"run-{datetime.now():%Y%m%dT%H%M%S}.log"
    print(f"running Dagster job {BUILD_ALL_JOB} on {settings.landing_dir} (log: {log_path})")
    with dg.DagsterInstance.get() as instance, _output_to(log_path):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    print_run_summary(result, settings)
    return 0 if result.success else 1


@contextmanager
def _output_to(log_path: Path) -> Iterator[None]:
    """Send this process's stdout/stderr (Dagster and dbt logs) to a file for the run's duration.

    The run's events and step logs are also in the Dagster instance (UI); the terminal gets a
    short summary instead of thousands of log lines.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("ab") as log_file:
        os.dup2(log_file.fileno(), 1)
        os.dup2(log_file.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def command_demo(args: argparse.Namespace) -> int:
    from pipeline.demo import DemoSpec, write_demo_landing

    settings = Settings.from_env()
    landing = Path(args.landing_dir).resolve() if args.landing_dir else settings.landing_dir
    if args.if_empty and landing.is_dir() and any(landing.iterdir()):
        print(f"landing directory {landing} is not empty: demo data not written")
        return 0
    spec = DemoSpec(creators=args.creators, days=args.days, seed=args.seed)
    summary = write_demo_landing(landing, spec)
    print(f"demo landing zone written to {landing}: {summary}")
    return 0


def command_parse(args: argparse.Namespace) -> int:
    dbt_parse(Settings.from_env(), quiet=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="creator-kpis: landing zone -> Polars -> DuckDB -> dbt KPI marts.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="process everything in the landing zone and build all marts (via Dagster)"
    )
    run.set_defaults(handler=command_run)

    demo = commands.add_parser("demo", help="write the deterministic demo landing zone")
    demo.add_argument("--creators", type=int, default=40, help="creators per platform")
    demo.add_argument("--days", type=int, default=35, help="number of daily partitions")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--landing-dir", help="default: CREATOR_KPIS_LANDING_DIR")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing if the landing dir has files"
    )
    demo.set_defaults(handler=command_demo)

    parse = commands.add_parser("parse", help="build the dbt manifest (dbt parse)")
    parse.set_defaults(handler=command_parse)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except OperatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
