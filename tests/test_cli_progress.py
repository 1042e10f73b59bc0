"""The command line as a user sees it: live progress of `python -m pipeline run`, failures
explained in the console, configuration checked before any work, `python -m pipeline status`.

One real `python -m pipeline run` over a copy of tests/e2e_landing with stdout piped (so plain
lines), then `status` on the same instance; the rich display is checked by replaying that run's
events from the Dagster instance into a terminal-like stream.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipeline import failures, preflight
from pipeline.progress import RunProgress, StepState, step_label
from pipeline.progress_events import file_progress, parse_file_progress
from pipeline.settings import PROJECT_ROOT, REPORT_FILE_NAME
from tests.conftest import E2E_LANDING
from tests.pipeline_process import pipeline_env

ANSI = re.compile(r"\x1b\[")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # anything but \t and \n


def run_cli(env: dict, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict:
    root = tmp_path_factory.mktemp("cli")
    landing = root / "landing"
    shutil.copytree(E2E_LANDING, landing)
    env = pipeline_env(landing, root / "warehouse.duckdb", root / "dagster")
    for variable in (preflight.ALERT_WEBHOOK_VAR, preflight.FIRST_DAY_VAR):
        env.pop(variable, None)
    done = run_cli(env, "run")
    return {"root": root, "env": env, "run": done}


def test_run_shows_each_step_in_plain_lines(cli_run: dict) -> None:
    done = cli_run["run"]
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert not CONTROL.search(out), "plain lines when stdout is not a terminal"
    for step in (
        "ingest tiktok_videos",
        "ingest instagram_media",
        "ingest campaign_posts",
        "dbt build",
        "publish",
        "report",
    ):
        assert re.search(rf"^\s+[\d.]+s  {step}: started$", out, re.M), step
        assert re.search(rf"^\s+[\d.]+s  {step}: done in [\d.]+s", out, re.M), step
    # per entity: files loaded / to load and records (tiktok videos: 2 files; dt=2026-10-21
    # holds 1 record, dt=2026-11-01 loads 3 of its 6 lines: 1 duplicate, 2 rejected)
    videos = re.search(r"ingest tiktok_videos: done in [\d.]+s \((.*)\)$", out, re.M)
    assert videos and videos[1] == "2/2 files, 4 records loaded"
    dbt = re.search(r"dbt build: done in [\d.]+s \((\d+)/(\d+) models and tests\)", out)
    assert dbt and dbt[1] == dbt[2] and int(dbt[2]) > 20
    # steps in order: ingest before dbt before publish before report
    order = [out.index(f"{s}: started") for s in ("ingest tiktok_videos", "dbt build", "publish")]
    assert order == sorted(order) and out.index("report: started") > order[-1]
    report = Path(cli_run["env"]["CREATOR_KPIS_WAREHOUSE"]).parent / "serving" / REPORT_FILE_NAME
    assert out.rstrip().endswith(f"KPI report: {report}")
    assert report.is_file()


def test_rich_progress_on_a_terminal(cli_run: dict) -> None:
    """The same run's events, replayed from the Dagster instance into a terminal stream."""
    from pipeline.defs.dbt.assets import dbt_models

    with dg.DagsterInstance.from_config(cli_run["env"]["DAGSTER_HOME"]) as instance:
        run_id = instance.get_run_records(limit=1)[0].dagster_run.run_id
        terminal = io.StringIO()
        progress = RunProgress(
            instance,
            run_id,
            terminal,
            dbt_keys=dbt_models.keys,
            dbt_checks=len(list(dbt_models.check_specs)),
            interactive=True,
        )
        with progress:
            pass  # __exit__ drains every event of the finished run
    screen = terminal.getvalue()
    assert ANSI.search(screen), "a rich display on a terminal"
    text = ANSI.sub("", screen)
    for label in ("ingest tiktok_videos ok", "dbt build ok", "publish ok", "report ok"):
        assert label in text, label
    assert "2/2 files, 4 records loaded" in text
    assert progress.failed_steps == []


def test_status(cli_run: dict) -> None:
    done = run_cli(cli_run["env"], "status", timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(
        r"^last run: [0-9a-f-]{36} SUCCESS \(job build_all\), started .* \d+ s$", out, re.M
    )
    # newest data day per entity, from the ledger
    assert re.search(r"^  tiktok\.videos\s+2026-11-01\s+2 files loaded$", out, re.M)
    assert re.search(r"^  instagram\.creators\s+2026-11-01\s+2 files loaded$", out, re.M)
    # the three records the e2e landing zone rejects, loaded minutes ago
    assert re.search(r"^  tiktok\.videos\s+invalid_count\s+1$", out, re.M)
    assert re.search(r"^  tiktok\.videos\s+malformed_record\s+1$", out, re.M)
    assert re.search(r"^  campaigns\.campaign_posts\s+invalid_value\s+1$", out, re.M)
    assert "failed files: 0" in out
    assert re.search(r"^  marts/tiktok_creators\s+fresh\s+\d+ min ago$", out, re.M)
    assert "KPI report:" in out


# --- configuration checked before any work ---------------------------------------------------


def test_every_configuration_mistake_is_one_line_and_nothing_runs(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    env = pipeline_env(
        tmp_path / "landing",
        warehouse,
        tmp_path / "dagster",
        CREATOR_KPIS_FIRST_DAY="2026-13-01",
        CREATOR_KPIS_SCHEDULE_CRON="every morning",
        CREATOR_KPIS_DUCKDB_MEMORY_LIMIT="lots",
        CREATOR_KPIS_ALERT_WEBHOOK="ftp://alerts.example/hook",
        CREATOR_KPIS_FRESHNESS_HOURS="-3",
        CREATOR_KPIS_TIKTOK_API_URL="open.tiktokapis.com",
        CREATOR_KPIS_LOOKBACK_DAYS="a month",
        CREATOR_KPIS_SERVING=str(tmp_path / "serve" / "marts.duckdb"),
        CREATOR_KPIS_SERVING_STORAGE_VERSION="v0.9.0",
    )
    done = run_cli(env, "run", timeout=300)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    expected_variables = [
        "CREATOR_KPIS_FIRST_DAY",
        "CREATOR_KPIS_SCHEDULE_CRON",
        "CREATOR_KPIS_DUCKDB_MEMORY_LIMIT",
        "CREATOR_KPIS_ALERT_WEBHOOK",
        "CREATOR_KPIS_FRESHNESS_HOURS",
        "CREATOR_KPIS_TIKTOK_API_URL",
        "CREATOR_KPIS_LOOKBACK_DAYS",
        "CREATOR_KPIS_SERVING",
        "CREATOR_KPIS_SERVING_STORAGE_VERSION",
    ]
    assert len(lines) == len(expected_variables), done.stderr
    for line, variable in zip(lines, expected_variables):
        assert line.startswith(f"error: {variable}"), (variable, line)
    assert "Traceback" not in done.stderr + done.stdout
    assert not warehouse.parent.exists(), "nothing ran: no warehouse folder created"
    assert not (tmp_path / "dagster" / "logs").exists()


def test_report_folder_that_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = pipeline_env(
        tmp_path / "landing",
        tmp_path / "wh.duckdb",
        tmp_path / "dagster",
        CREATOR_KPIS_REPORT=str(blocker / "report.html"),
    )
    for variable in (preflight.ALERT_WEBHOOK_VAR, preflight.FIRST_DAY_VAR):
        env.pop(variable, None)
    done = run_cli(env, "run", timeout=300)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: CREATOR_KPIS_REPORT: the report folder {blocker} cannot be written: it is under"
        f" {blocker}, which is not a folder"
    ]


def test_preflight_checks_variables_of_the_one_settings_object() -> None:
    from pipeline.settings import SETTINGS_VARS

    checked = {
        preflight.FIRST_DAY_VAR,
        preflight.SCHEDULE_CRON_VAR,
        preflight.ALERT_WEBHOOK_VAR,
        preflight.UI_URL_VAR,
        preflight.FRESHNESS_HOURS_VAR,
        preflight.AUTOMATION_VAR,
        preflight.DUCKDB_MEMORY_VAR,
        preflight.TIKTOK_RESEARCH_VAR,
        preflight.TIKTOK_API_URL_VAR,
        preflight.TIKTOK_DAILY_REQUESTS_VAR,
        preflight.GRAPH_API_URL_VAR,
        preflight.LOOKBACK_DAYS_VAR,
    }
    assert checked <= set(SETTINGS_VARS)


@pytest.fixture
def sound_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment whose paths pass the preflight checks (an empty landing folder, a
    warehouse path, no serving, report or webhook variables), for a test to spoil one setting."""
    (tmp_path / "landing").mkdir()
    monkeypatch.setenv("CREATOR_KPIS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("CREATOR_KPIS_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    for name in ("CREATOR_KPIS_SERVING", "CREATOR_KPIS_REPORT", preflight.ALERT_WEBHOOK_VAR):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CREATOR_KPIS_DUCKDB_MEMORY_LIMIT", "1GB"),
        ("CREATOR_KPIS_DUCKDB_MEMORY_LIMIT", "512 MiB"),
        ("CREATOR_KPIS_SCHEDULE_CRON", "30 4 * * 1-5"),
        ("CREATOR_KPIS_ALERT_WEBHOOK", "https://hooks.example.com/T000/B000"),
        ("CREATOR_KPIS_FRESHNESS_HOURS", "26.5"),
        ("CREATOR_KPIS_FIRST_DAY", "2024-01-01"),
        ("CREATOR_KPIS_LOOKBACK_DAYS", "45"),
        ("CREATOR_KPIS_TIKTOK_DAILY_REQUESTS", "1000"),
        ("CREATOR_KPIS_TIKTOK_API_URL", "http://127.0.0.1:9/"),
        ("CREATOR_KPIS_TIKTOK_RESEARCH", "on"),
    ],
)
def test_good_values_pass(variable: str, value: str, sound_env: pytest.MonkeyPatch) -> None:
    sound_env.setenv(variable, value)
    assert preflight.configuration_problems() == []


def test_every_api_setting_mistake_at_once(sound_env: pytest.MonkeyPatch) -> None:
    monkeypatch = sound_env
    monkeypatch.setenv("CREATOR_KPIS_TIKTOK_RESEARCH", "maybe")
    monkeypatch.setenv("CREATOR_KPIS_TIKTOK_DAILY_REQUESTS", "0")
    monkeypatch.setenv("CREATOR_KPIS_GRAPH_API_URL", "graph.facebook.com")
    monkeypatch.setenv("CREATOR_KPIS_LOOKBACK_DAYS", "a month")
    assert preflight.configuration_problems() == [
        "CREATOR_KPIS_TIKTOK_RESEARCH='maybe' is neither on nor off",
        "CREATOR_KPIS_TIKTOK_DAILY_REQUESTS='0' is not a whole number of at least 1",
        "CREATOR_KPIS_GRAPH_API_URL='graph.facebook.com' is not an http:// or https:// URL",
        "CREATOR_KPIS_LOOKBACK_DAYS='a month' is not a whole number of at least 1",
    ]


# --- failures explained --------------------------------------------------------------------------


def test_dbt_failing_nodes_come_from_the_runs_run_results(tmp_path: Path) -> None:
    run_id = "1a2b3c4d-0000-4000-8000-000000000000"
    target = tmp_path / "target" / "dbt_models-1a2b3c4-5e6f7a8"
    target.mkdir(parents=True)
    (target / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.creator_kpis.stg_tiktok__videos", "status": "success"},
                    {
                        "unique_id": "model.creator_kpis.tiktok_creators",
                        "status": "error",
                        "message": 'Binder Error: column "viewz" not found\nLINE 3: ...',
                    },
                    {
                        "unique_id": "model.creator_kpis.int_tiktok_videos_latest",
                        "status": "error",
                        "message": "Runtime Error in model int_tiktok_videos_latest (models/x.sql)"
                        '\n  Binder Error: Referenced column "load_id" not found in FROM clause!'
                        "\n  Candidate bindings: ...",
                    },
                    {
                        "unique_id": "test.creator_kpis.not_null_tiktok_creators_username",
                        "status": "fail",
                        "message": "Got 2 results, configured to fail if != 0",
                    },
                ]
            }
        )
    )
    retried = tmp_path / "target" / "dbt_models-1a2b3c4-9f9f9f9"  # the step's retry
    retried.mkdir()
    (retried / "run_results.json").write_text((target / "run_results.json").read_text())
    other_run = tmp_path / "target" / "dbt_models-9999999-5e6f7a8"
    other_run.mkdir()
    (other_run / "run_results.json").write_text(
        json.dumps({"results": [{"unique_id": "model.x", "status": "error", "message": "old"}]})
    )
    assert failures.dbt_failed_nodes(run_id, tmp_path) == [
        ("model.creator_kpis.tiktok_creators", 'Binder Error: column "viewz" not found'),
        (
            "model.creator_kpis.int_tiktok_videos_latest",
            'Binder Error: Referenced column "load_id" not found in FROM clause!'
            " (Runtime Error in model int_tiktok_videos_latest (models/x.sql))",
        ),
        (
            "test.creator_kpis.not_null_tiktok_creators_username",
            "Got 2 results, configured to fail if != 0",
        ),
    ]


def test_failure_lines_name_the_step_its_error_and_the_log(tmp_path: Path) -> None:
    from dagster._utils.error import SerializableErrorInfo

    cause = SerializableErrorInfo("IO Error: disk full\n", [], "IOException")
    error = SerializableErrorInfo(
        "dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while"
        " executing op serving__marts:\n\nsecond line\nthird\nfourth\nfifth\nsixth\nseventh\n",
        [],
        "DagsterExecutionStepExecutionError",
        cause=cause,
    )
    lines = failures._error_lines(error)
    assert lines[0].endswith("executing op serving__marts:")
    assert len(lines) == failures.ERROR_LINES
    short = SerializableErrorInfo("dbt build failed\n", [], "Failure", cause=cause)
    assert failures._error_lines(short) == ["dbt build failed", "caused by:", "IO Error: disk full"]
    step = failures.StepFailure(
        "dbt_models", ["dbt build failed"], [("model.p.m", "Binder Error: x")]
    )
    assert failures.explain([step], tmp_path / "run.log") == [
        "  failed step dbt_models:",
        "    dbt build failed",
        "    dbt model.p.m: Binder Error: x",
        f"  full log: {tmp_path / 'run.log'}",
    ]


def test_progress_lines_and_labels() -> None:
    assert parse_file_progress(file_progress(3, 12, 4567)) == (3, 12, 4567)
    assert parse_file_progress("loaded again, a file it duplicated changed") is None
    assert step_label("ingest__tiktok_videos") == "ingest tiktok_videos"
    assert step_label("ingest__tiktok_videos_files_reconcile") is None
    assert step_label("dbt_models") == "dbt build"
    assert step_label("serving__marts") == "publish"
    assert step_label("serving__report") == "report"
    assert step_label("extract__tiktok") == "extract tiktok"
    assert step_label("extract__tiktok_creators_fetched") is None


def test_plain_progress_writes_no_control_characters() -> None:
    stream = io.StringIO()
    # the drawing half only: no instance is needed until the progress is entered
    progress = RunProgress(None, "run", stream, interactive=False)  # type: ignore[arg-type]

    state = StepState("ingest tiktok_videos", 1_000.0, 2, 2, 5, "files")
    progress._start("ingest__tiktok_videos", state)
    progress._end("ingest__tiktok_videos", state, True, 1_003.25)
    text = stream.getvalue()
    assert not CONTROL.search(text)
    assert "ingest tiktok_videos: done in 3.2s (2/2 files, 5 records loaded)" in text


def test_a_real_failed_step_is_explained(tmp_path: Path) -> None:
    """A Dagster run whose step raises: the console lines name the step, carry the first lines
    of the error (the user's message, not only Dagster's wrapper) and end with the log path."""

    @dg.op
    def publish_marts() -> None:
        raise RuntimeError("serving folder /srv/kpis is full\nsecond detail line")

    @dg.job
    def failing() -> None:
        publish_marts()

    with dg.instance_for_test() as instance:
        result = failing.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    found = failures.step_failures(result)
    assert [f.step_key for f in found] == ["publish_marts"]
    lines = failures.explain(found, tmp_path / "run.log")
    assert lines[0] == "  failed step publish_marts:"
    assert "    RuntimeError: serving folder /srv/kpis is full" in lines
    assert "    second detail line" in lines
    assert lines[-1] == f"  full log: {tmp_path / 'run.log'}"
    assert len(lines) <= failures.ERROR_LINES + 2


def test_both_byte_limits_are_reported_at_once_and_the_webhook_stays_out_of_repr(
    sound_env: pytest.MonkeyPatch,
) -> None:
    monkeypatch = sound_env
    monkeypatch.setenv("CREATOR_KPIS_MAX_FILE_BYTES", "2GB")
    monkeypatch.setenv("CREATOR_KPIS_MAX_DECODED_BYTES", "0")
    monkeypatch.setenv("CREATOR_KPIS_LOOKBACK_DAYS", "a month")
    assert preflight.configuration_problems() == [
        "CREATOR_KPIS_LOOKBACK_DAYS='a month' is not a whole number of at least 1",
        "CREATOR_KPIS_MAX_FILE_BYTES='2GB' is not a positive whole number of bytes",
        "CREATOR_KPIS_MAX_DECODED_BYTES='0' is not a positive whole number of bytes",
    ]
    monkeypatch.setenv("CREATOR_KPIS_MAX_FILE_BYTES", "1_000_000")
    monkeypatch.delenv("CREATOR_KPIS_MAX_DECODED_BYTES")
    monkeypatch.delenv("CREATOR_KPIS_LOOKBACK_DAYS")
    assert preflight.configuration_problems() == []
    secret = "https://hooks.slack.com/services/T000/B000/secret-token"
    monkeypatch.setenv(preflight.ALERT_WEBHOOK_VAR, secret)
    settings = preflight.Settings.from_env()
    assert settings.alert_webhook == secret
    assert "secret-token" not in repr(settings)
    assert settings.max_file_bytes == 1_000_000
