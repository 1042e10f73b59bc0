"""Command line: ``python -m pipeline run | demo | parse | report | status | ...``."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pipeline.settings import (
    DBT_PROJECT_DIR,
    PROJECT_ROOT,
    WAREHOUSE_VAR,
    OperatorError,
    Settings,
)

if TYPE_CHECKING:
    from dagster import DagsterInstance

DAGSTER_HOME_VAR = "DAGSTER_HOME"
DAGSTER_YAML_MARKER = "# managed by creator-kpis: delete this line to keep your own edits"
DAGSTER_YAML = f"""\
# Dagster instance of creator-kpis (git-ignored). Runs, events and schedules are stored here.
{DAGSTER_YAML_MARKER}
telemetry:
  enabled: false
# DuckDB allows one writing process. The steps that write the warehouse share the pool
# "warehouse" with one slot, so the steps of the CLI's runs, the sensor's runs and runs
# launched from the UI never write at once; and queued runs start one at a time (the daemon of
# `make dev` / `dagster-daemon` starts them).
concurrency:
  runs:
    max_concurrent_runs: 1
  pools:
    default_limit: 1
# The daemon's FreshnessDaemon evaluates the marts' freshness policies (PASS, FAIL after
# CREATOR_KPIS_FRESHNESS_HOURS without a materialization) every 30 s and records each change.
freshness:
  enabled: true
"""
# dagster.yaml files written by earlier versions, replaced by DAGSTER_YAML. Every version since
# the first carries DAGSTER_YAML_MARKER, which is how ensure_dagster_home recognises them; only
# the first, written before the marker existed, is listed here.
OLD_DAGSTER_YAMLS = (
    """\
# Dagster instance of creator-kpis (git-ignored). Runs, events and schedules are stored here.
telemetry:
  enabled: false
""",
)


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME defaults to .dagster_home/ in the repository (git-ignored).

    Writes dagster.yaml, or refreshes one this project wrote (marker line or an earlier version);
    a dagster.yaml of the user's own is never changed.
    """
    home = Path(os.environ.get(DAGSTER_HOME_VAR) or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = config.read_text() if config.exists() else None
    ours = current is None or current in OLD_DAGSTER_YAMLS or DAGSTER_YAML_MARKER in current
    if ours and current != DAGSTER_YAML:
        config.write_text(DAGSTER_YAML)
    os.environ[DAGSTER_HOME_VAR] = str(home)
    return home


# what dbt parse reads: a change to any of these makes the manifest stale
DBT_SOURCE_DIRS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
DBT_SOURCE_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml")


def manifest_is_fresh(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """Whether target/manifest.json is newer than every file dbt parse reads.

    ``python -m pipeline run`` then skips ``dbt parse`` (a dbt process start, ~2-6 s): the
    manifest only describes the models for dagster-dbt, and ``dbt build`` parses again itself.
    """
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.is_file():
        return False
    built = manifest.stat().st_mtime_ns
    sources = [project_dir / name for name in DBT_SOURCE_FILES]
    for folder in DBT_SOURCE_DIRS:
        sources += [p for p in (project_dir / folder).rglob("*") if p.is_file()]
    return all(not p.exists() or p.stat().st_mtime_ns < built for p in sources)


def dbt_parse(settings: Settings, quiet: bool = True) -> None:
    """Build dbt_project/target/manifest.json, which dagster-dbt loads the dbt assets from, with
    dagster-dbt's preparer (as ``dagster-dbt project prepare-and-package`` does): processes
    preparing at once wait for each other and parse once."""
    from dagster_dbt.errors import DagsterDbtCliRuntimeError

    from pipeline.defs.dbt.project import dbt_project, preparer

    os.environ[WAREHOUSE_VAR] = str(settings.warehouse)
    try:
        preparer.prepare(dbt_project)
    except DagsterDbtCliRuntimeError as error:
        sys.stderr.write(f"{error}\n")
        raise OperatorError(
            f"dbt parse failed in {DBT_PROJECT_DIR}; see the dbt output above"
        ) from None


def command_run(args: argparse.Namespace) -> int:
    from pipeline import warehouse
    from pipeline.preflight import configuration_problems

    problems = configuration_problems()  # every mistake at once, before any work
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    settings.check_landing_dir()
    settings.check_warehouse_writable()
    with warehouse.connect(settings.warehouse):
        pass  # fail early, in one line, if another process holds the warehouse
    ensure_dagster_home()
    first, last = run_window(settings, args.first_day, args.last_day)
    # before Dagster and dbt start: a run with nothing to do ends here, in about a second
    from pipeline.freshness_of_build import nothing_new

    if not (args.full_refresh or args.rebuild) and nothing_new(settings, first, last):
        print(
            f"nothing new or changed in the landing zone for {first} .. {last} since the last"
            " build: no run, no dbt build, no publish (--rebuild to force one)"
        )
        if settings.report is not None and settings.report.exists():
            print(f"KPI report (of the last build): {settings.report}")
        return 0
    if not manifest_is_fresh():
        dbt_parse(settings)

    import dagster as dg

    from pipeline.definitions import BUILD_ALL_JOB, defs
    from pipeline.defs.partitions import partition_range_tags
    from pipeline.summary import print_run_summary

    run_config: dict = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    if args.full_refresh or args.rebuild:
        dbt_config = {"full_refresh": args.full_refresh, "force": args.rebuild}
        run_config["ops"] = {"dbt_models": {"config": dbt_config}}
    job = defs.resolve_job_def(BUILD_ALL_JOB)
    log_path = ensure_dagster_home() / "logs" / f"run-{datetime.now():%Y%m%dT%H%M%S}.log"
    print(
        f"running Dagster job {BUILD_ALL_JOB} for {first} .. {last} on {settings.landing_dir}"
        f" (log: {log_path})"
    )
    run_id = str(uuid.uuid4())  # known before the run starts: the progress follows it
    with (
        dg.DagsterInstance.get() as instance,
        _console_stream() as console,
        live_progress(instance, run_id, console),
        _output_to(log_path),
    ):
        release_slots_of_dead_cli_runs(instance)
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={**partition_range_tags(first, last), **cli_run_tags()},
            run_config=run_config,
            run_id=run_id,
        )
    print_run_summary(result, settings, log_path)
    if result.success and settings.report is not None and settings.report.exists():
        print(f"\nKPI report: {settings.report}")
    return 0 if result.success else 1


CLI_PID_TAG = "creator_kpis/cli_pid"
CLI_HOST_TAG = "creator_kpis/cli_host"


def cli_run_tags() -> dict[str, str]:
    """Tags of a run executed by this process: which process, on which machine."""
    return {CLI_PID_TAG: str(os.getpid()), CLI_HOST_TAG: socket.gethostname()}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_slots_of_dead_cli_runs(instance: DagsterInstance) -> list[str]:
    """Runs of ``python -m pipeline run`` whose process died (killed, machine crash) still hold
    their pool slot and show as started: mark them failed and free their slots, so the next run
    does not wait forever. Runs launched by the daemon or the UI are left to Dagster's run
    monitoring. Returns the run ids released."""
    import dagster as dg

    released = []
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={CLI_HOST_TAG: socket.gethostname()},
        )
    )
    for record in records:
        run = record.dagster_run
        pid = run.tags.get(CLI_PID_TAG, "")
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        instance.report_run_failed(run, f"its process (pid {pid}) is gone: it was killed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


@contextmanager
def _console_stream() -> Iterator[TextIO]:
    """The terminal (or pipe) stdout points at now, kept open while the run's own output goes to
    the log file: the live progress is drawn on it."""
    sys.stdout.flush()
    stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    try:
        yield stream
    finally:
        stream.close()


def live_progress(instance: object, run_id: str, stream: TextIO) -> AbstractContextManager:
    """Each step of the run as it starts and ends, from Dagster's event stream."""
    from pipeline.defs.dbt.assets import dbt_models
    from pipeline.progress import RunProgress

    return RunProgress(
        instance,  # type: ignore[arg-type]
        run_id,
        stream,
        dbt_keys=dbt_models.keys,
        dbt_checks=len(list(dbt_models.check_specs)),
    )


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


def run_window(
    settings: Settings, first_day: date | None = None, last_day: date | None = None
) -> tuple[date, date]:
    """The days to process: --first-day/--last-day, else every day present in the landing zone
    within the partitions (CREATOR_KPIS_FIRST_DAY .. today UTC). A landing day outside them is a
    stray: one warning line each, and the run goes on with the other days."""
    from pipeline.defs.partitions import FIRST_DAY_VAR, daily_partitions
    from pipeline.landing.discovery import discover

    today = datetime.now(UTC).date()
    earliest = daily_partitions.start.date()
    present = sorted(
        {f.partition_day for f in discover(settings.landing_dir).files if f.partition_day}
    )
    if first_day is None and last_day is None:
        for day in present:
            if day < earliest:
                print(
                    f"warning: landing day dt={day} is before the first partition day {earliest}:"
                    f" not processed (set {FIRST_DAY_VAR} to {day} or earlier to include it)",
                    file=sys.stderr,
                )
            elif day > today:
                print(
                    f"warning: landing day dt={day} is after today ({today} UTC): not processed",
                    file=sys.stderr,
                )
    present = [day for day in present if earliest <= day <= today]
    first = first_day or (present[0] if present else today)
    last = last_day or (present[-1] if present else today)
    if first < earliest:
        raise OperatorError(
            f"landing day {first} is before the first partition day {earliest}:"
            f" set {FIRST_DAY_VAR} to {first} or earlier"
        )
    if last > today or first > last:
        raise OperatorError(f"invalid day range {first} .. {last} (today is {today} UTC)")
    return first, last


def command_demo(args: argparse.Namespace) -> int:
    from demo import DemoSpec, write_demo_landing

    settings = Settings.from_env()
    landing = Path(args.landing_dir).resolve() if args.landing_dir else settings.landing_dir
    if args.if_empty and landing.is_dir() and any(landing.iterdir()):
        print(f"landing directory {landing} is not empty: demo data not written")
        return 0
    spec = DemoSpec(creators=args.creators, days=args.days, seed=args.seed)
    summary = write_demo_landing(landing, spec)
    print(f"demo landing zone written to {landing}: {summary}")
    return 0


def command_bench(args: argparse.Namespace) -> int:
    from benchmarks.run import run_bench_command

    data_dir = Path(args.data_dir) if args.data_dir else None
    results_dir = Path(args.results_dir) if args.results_dir else None
    return run_bench_command(
        args.scale,
        data_dir,
        results_dir,
        keep=args.keep,
        profile=args.profile,
        stages=not args.no_stages,
    )


def command_parse(args: argparse.Namespace) -> int:
    ensure_dagster_home()  # `make dev` runs this first: the UI's instance gets dagster.yaml
    dbt_parse(Settings.from_env(), quiet=False)
    return 0


def command_report(args: argparse.Namespace) -> int:
    from pipeline.report import write_report

    settings = Settings.from_env()
    assert settings.serving is not None and settings.report is not None
    out = Path(args.out).expanduser().resolve() if args.out else settings.report
    report = write_report(settings.serving, out)
    empty = [s.title for s in report.sections if s.figure is None and not s.tables]
    print(f"KPI report written to {out} ({len(report.sections) + 1} sections)")
    if empty:
        print(f"  no data for: {', '.join(empty)}")
    return 0


def command_status(args: argparse.Namespace) -> int:
    import dagster as dg

    from pipeline.defs.dbt.assets import MART_KEYS
    from pipeline.status import status_lines

    settings = Settings.from_env()
    stale_hours = settings.freshness_window.total_seconds() / 3600
    ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        print("\n".join(status_lines(settings, instance, list(MART_KEYS), stale_hours)))
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
    run.add_argument(
        "--first-day",
        type=date.fromisoformat,
        help="first partition day (default: earliest in landing)",
    )
    run.add_argument(
        "--last-day",
        type=date.fromisoformat,
        help="last partition day (default: latest in landing)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental dbt models from all of history",
    )
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="build and publish even when nothing in the landing zone is new or changed",
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

    bench = commands.add_parser(
        "bench",
        help="benchmark: DuckDB read-only lower bound, each stage, full and one-day runs",
    )
    bench.add_argument(
        "--scale",
        choices=("tiny", "S", "M", "L"),
        default="M",
        help="post observations: tiny a few thousand, S ~1M, M ~10M, L ~30M (default M)",
    )
    bench.add_argument("--data-dir", help="landing zones and work files (default: data/bench)")
    bench.add_argument("--results-dir", help="JSON results (default: benchmarks/results)")
    bench.add_argument("--keep", action="store_true", help="keep the warehouses and logs")
    bench.add_argument(
        "--profile", action="store_true", help="add a full run under py-spy (dev extras)"
    )
    bench.add_argument(
        "--no-stages",
        action="store_true",
        help="skip the per-stage runs (lower bound, full, one-day and nothing-new runs only)",
    )
    bench.set_defaults(handler=command_bench)

    report = commands.add_parser(
        "report", help="write the HTML KPI report from the current serving file"
    )
    report.add_argument(
        "--out", help="where to write it (default: CREATOR_KPIS_REPORT, beside the serving file)"
    )
    report.set_defaults(handler=command_report)

    status = commands.add_parser(
        "status",
        help="last run, newest data day per entity, recent rejections, failed files, mart freshness",
    )
    status.set_defaults(handler=command_status)

    from pipeline.extract.cli import add_extract_commands

    add_extract_commands(commands)  # extract, tiktok-auth
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except OperatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
