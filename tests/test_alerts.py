"""The run-failure alert: a real failed run, the real sensor, a webhook on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import pytest

from pipeline.defs.ops.alerts import (
    ALERT_WEBHOOK_VAR,
    DEFAULT_UI_URL,
    ERROR_SUMMARY_CHARS,
    UI_URL_VAR,
    AlertSettings,
    RunFailure,
    StepFailure,
    build_alert_payload,
    build_run_failure_alert_sensor,
    deliver_alert,
    describe_run_failure,
    post_json,
)
from pipeline.settings import LANDING_DIR_VAR, WAREHOUSE_VAR, OperatorError

BROKEN_FILE_MESSAGE = "landing file tiktok/videos/dt=2026-11-01/videos.jsonl is not valid JSON"
UI_URL = "http://dagster.example:3000"


@dataclass
class Webhook:
    url: str
    status: int = 200
    received: list[dict] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """An HTTP server on a free port of 127.0.0.1 that records the JSON bodies POSTed to it."""
    hook = Webhook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.received.append(json.loads(body))
            hook.content_types.append(self.headers["Content-Type"])
            self.send_response(hook.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_port}/hooks/alerts"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dg.asset(key=["ingest", "tiktok_videos"])
def broken_ingest() -> None:
    try:
        raise KeyError("view_count")
    except KeyError as error:
        raise ValueError(f"{BROKEN_FILE_MESSAGE}\n(line 3)") from error


@dg.asset(key=["marts", "tiktok_videos"], deps=[broken_ingest])
def downstream_mart() -> None:
    pass


FAILING_JOB = dg.define_asset_job("nightly_tiktok", selection=[broken_ingest, downstream_mart])
FAILING_DEFS = dg.Definitions(assets=[broken_ingest, downstream_mart], jobs=[FAILING_JOB])


def fail_a_run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    result = FAILING_DEFS.resolve_job_def("nightly_tiktok").execute_in_process(
        instance=instance, raise_on_error=False
    )
    assert not result.success
    return result


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_failed_run_is_posted_to_the_webhook(webhook: Webhook) -> None:
    """The sensor as the daemon runs it: a tick sets the cursor, a run fails, the next tick alerts."""
    sensor = build_run_failure_alert_sensor(AlertSettings(webhook.url, UI_URL))
    with dg.instance_for_test() as instance:
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        result = fail_a_run(instance)
        sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))

    assert len(webhook.received) == 1
    payload = webhook.received[0]
    assert webhook.content_types == ["application/json"]
    assert payload["run_id"] == result.run_id
    assert payload["job"] == "nightly_tiktok"
    assert payload["failed_step"] == "ingest__tiktok_videos"
    assert payload["failed_steps"] == ["ingest__tiktok_videos"]
    # the user's error (not Dagster's wrapper), its cause, on one line
    assert payload["error"].startswith(f"ValueError: {BROKEN_FILE_MESSAGE} (line 3)")
    assert "caused by KeyError: 'view_count'" in payload["error"]
    assert "DagsterExecutionStepExecutionError" not in payload["error"]
    assert "\n" not in payload["error"]
    assert payload["ui_url"] == f"{UI_URL}/runs/{result.run_id}"
    text = payload["text"]
    assert "\n" not in text
    assert text.startswith(
        f":rotating_light: creator-kpis run {result.run_id} of job nightly_tiktok"
    )
    assert "failed at step ingest__tiktok_videos: ValueError: " in text
    assert text.endswith(payload["ui_url"])


def test_each_failure_is_alerted_once(webhook: Webhook) -> None:
    sensor = build_run_failure_alert_sensor(AlertSettings(webhook.url, UI_URL))
    with dg.instance_for_test() as instance:
        cursor = sensor.evaluate_tick(dg.build_sensor_context(instance=instance)).cursor
        runs = [fail_a_run(instance).run_id for _ in range(2)]
        for _ in range(2):  # a second tick finds nothing new
            tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))
            cursor = tick.cursor
    assert [payload["run_id"] for payload in webhook.received] == runs


def test_without_webhook_the_alert_is_logged_at_error() -> None:
    sensor = build_run_failure_alert_sensor(AlertSettings(webhook_url=None))
    with dg.instance_for_test() as instance:
        result = fail_a_run(instance)
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        )
        collect = Collect()
        context.log.addHandler(collect)
        sensor(context)

    errors = [r.getMessage() for r in collect.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    text_line, payload_line = errors[0].split("\n")
    assert text_line.startswith(f":rotating_light: creator-kpis run {result.run_id}")
    assert ALERT_WEBHOOK_VAR in payload_line
    payload = json.loads(payload_line.split(": ", 1)[1])
    assert payload["run_id"] == result.run_id
    assert payload["failed_step"] == "ingest__tiktok_videos"
    assert payload["ui_url"] == f"{DEFAULT_UI_URL}/runs/{result.run_id}"


@pytest.mark.parametrize("status", [500, None])
def test_a_failing_webhook_is_logged_never_raised(webhook: Webhook, status: int | None) -> None:
    """HTTP 500, or nothing listening on the port: logged with the payload, the sensor goes on."""
    if status is None:
        url = "http://127.0.0.1:9/unreachable"  # the discard port: nothing listens there
    else:
        webhook.status = status
        url = webhook.url
    log = logging.getLogger("test_alerts.failing_webhook")
    collect = Collect()
    log.addHandler(collect)
    try:
        payload = build_alert_payload(RunFailure("r1", "build_all", (), "boom"), UI_URL)
        assert deliver_alert(payload, AlertSettings(url, UI_URL), log) is False
    finally:
        log.removeHandler(collect)
    (record,) = [r for r in collect.records if r.levelno == logging.ERROR]
    assert "could not POST the alert" in record.getMessage()
    assert '"run_id": "r1"' in record.getMessage()


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALERT_WEBHOOK_VAR, raising=False)
    monkeypatch.delenv(UI_URL_VAR, raising=False)
    assert AlertSettings.from_env() == AlertSettings(None, DEFAULT_UI_URL)
    monkeypatch.setenv(ALERT_WEBHOOK_VAR, " https://hooks.slack.com/services/T/B/X ")
    monkeypatch.setenv(UI_URL_VAR, "https://dagster.internal/")
    assert AlertSettings.from_env() == AlertSettings(
        "https://hooks.slack.com/services/T/B/X", "https://dagster.internal"
    )


def test_payload_of_several_failed_steps() -> None:
    failure = RunFailure(
        run_id="abc",
        job="build_all",
        failed_steps=(
            StepFailure("ingest__tiktok_videos", "ValueError: bad file"),
            StepFailure("dbt_models", "dbt build failed; see the dbt logs"),
        ),
        run_error="",
    )
    payload = build_alert_payload(failure, "http://localhost:3000/")
    assert payload["failed_step"] == "ingest__tiktok_videos, dbt_models"
    assert payload["error"] == (
        "ingest__tiktok_videos: ValueError: bad file; dbt_models: dbt build failed; see the dbt logs"
    )
    assert payload["ui_url"] == "http://localhost:3000/runs/abc"
    assert payload["text"] == (
        ":rotating_light: creator-kpis run abc of job build_all failed at step"
        f" ingest__tiktok_videos, dbt_models: {payload['error']} http://localhost:3000/runs/abc"
    )


def test_payload_of_a_run_that_failed_outside_any_step() -> None:
    failure = RunFailure("abc", "build_all", (), "run worker exited unexpectedly")
    payload = build_alert_payload(failure)
    assert payload["failed_step"] is None
    assert payload["failed_steps"] == []
    assert payload["error"] == "run worker exited unexpectedly"
    assert "failed outside any step: run worker exited unexpectedly" in payload["text"]


def describe(asset: dg.AssetsDefinition) -> RunFailure:
    """The RunFailure the sensor would describe for a run of ``asset``."""
    with dg.instance_for_test() as instance:
        result = dg.materialize([asset], instance=instance, raise_on_error=False)
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_alert",
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        ).for_run_failure()
        return describe_run_failure(
            context.dagster_run, context.failure_event, context.get_step_failure_events()
        )


def test_error_summary_is_one_short_paragraph() -> None:
    @dg.asset
    def verbose() -> None:
        raise RuntimeError("\n".join(f"line {i} of a very long error message" for i in range(100)))

    error = describe(verbose).error
    assert error.startswith("RuntimeError: line 0 of a very long error message line 1 of")
    assert len(error) == ERROR_SUMMARY_CHARS
    assert error.endswith("…")


def test_dagster_failure_description_is_the_error() -> None:
    @dg.asset
    def dbt_build() -> None:
        raise dg.Failure(description="dbt build failed; see the dbt logs of this step")

    failure = describe(dbt_build)
    assert failure.error == "dbt build failed; see the dbt logs of this step"
    assert [step.step_key for step in failure.failed_steps] == ["dbt_build"]


# --- text from data is escaped; the webhook must be https -------------------------------------

HOSTILE_FILE = "tiktok/videos/dt=2026-11-01/<!channel> & <https://evil.example|click>.jsonl"


def test_hostile_file_names_are_escaped_in_the_slack_text() -> None:
    failure = RunFailure(
        run_id="abc",
        job="build_all",
        failed_steps=(StepFailure("ingest__tiktok_videos", f"unreadable file {HOSTILE_FILE}"),),
        run_error="",
    )
    payload = build_alert_payload(failure, "https://dagster.internal")
    assert payload["text"] == (
        ":rotating_light: creator-kpis run abc of job build_all failed at step"
        " ingest__tiktok_videos: unreadable file tiktok/videos/dt=2026-11-01/&lt;!channel&gt;"
        " &amp; &lt;https://evil.example|click&gt;.jsonl https://dagster.internal/runs/abc"
    )
    # the JSON fields keep the text as it is (they are data, not mrkdwn)
    assert payload["error"] == f"unreadable file {HOSTILE_FILE}"
    assert "<!channel>" not in payload["text"] and "<https://evil" not in payload["text"]


def test_a_failed_run_with_a_hostile_error_is_posted_escaped(webhook: Webhook) -> None:
    @dg.asset(key=["ingest", "tiktok_creators"])
    def hostile() -> None:
        raise dg.Failure(description="creator <@U123> & <!here> broke <http://x.example|this>")

    defs = dg.Definitions(assets=[hostile], jobs=[dg.define_asset_job("j", selection=[hostile])])
    sensor = build_run_failure_alert_sensor(AlertSettings(webhook.url, UI_URL))
    with dg.instance_for_test() as instance:
        cursor = sensor.evaluate_tick(dg.build_sensor_context(instance=instance)).cursor
        defs.resolve_job_def("j").execute_in_process(instance=instance, raise_on_error=False)
        sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))
    (payload,) = webhook.received
    assert payload["error"] == "creator <@U123> & <!here> broke <http://x.example|this>"
    assert (
        ": creator &lt;@U123&gt; &amp; &lt;!here&gt; broke &lt;http://x.example|this&gt; "
        in payload["text"]
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://hooks.example/x",
        "http://hooks.slack.com/services/T/B/X",
        "hooks.slack.com/services/T/B/X",
        "https://",
    ],
)
def test_a_webhook_that_is_not_https_is_a_set_up_error(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALERT_WEBHOOK_VAR, url)
    with pytest.raises(OperatorError, match=f"^{ALERT_WEBHOOK_VAR}=.* is not an https:// URL"):
        AlertSettings.from_env()
    with pytest.raises(OperatorError):
        post_json(url, {"text": "x"})


def test_http_is_accepted_for_this_machine_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]:9/hook"):
        monkeypatch.setenv(ALERT_WEBHOOK_VAR, url)
        assert AlertSettings.from_env().webhook_url == url


def test_the_code_location_does_not_load_with_a_file_webhook(tmp_path: Path) -> None:
    """A set-up error at start: the run stops with one line naming the setting."""
    (tmp_path / "landing").mkdir()
    env = dict(
        os.environ,
        **{
            ALERT_WEBHOOK_VAR: "file:///etc/passwd",
            LANDING_DIR_VAR: str(tmp_path / "landing"),
            WAREHOUSE_VAR: str(tmp_path / "warehouse.duckdb"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        },
    )
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {ALERT_WEBHOOK_VAR}='file:///etc/passwd' is not an https:// URL"
        " (http:// only to localhost): fix or unset it"
    )
