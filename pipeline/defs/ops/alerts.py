"""An alert for every failed run: a JSON POST to a webhook (Slack-compatible), or an ERROR log.

``CREATOR_KPIS_ALERT_WEBHOOK``: the URL to POST to, ``https://`` (``http://`` only to this
machine, for tests); unset, the alert is only logged (the sensor's tick log in the UI and the
daemon's output). Anything else is a set-up error when the code location loads. Text from data
(file names, usernames, errors) is escaped in the Slack ``text`` (``&``, ``<``, ``>``), so it
can neither ping a channel nor hide a link. ``CREATOR_KPIS_UI_URL``: the Dagster UI the
alert links to (default http://localhost:3000).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dagster as dg

from pipeline.defs.metadata import slack_escape
from pipeline.settings import (
    ALERT_WEBHOOK_VAR,
    DEFAULT_UI_URL,
    UI_URL_VAR,  # noqa: F401  (the setting's name, for callers)
    Settings,
    check_webhook_url,
)

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

WEBHOOK_TIMEOUT_SECONDS = 10
ERROR_SUMMARY_CHARS = 500
ALERT_SENSOR_NAME = "run_failure_alert"


@dataclass(frozen=True)
class AlertSettings:
    webhook_url: str | None
    ui_url: str = DEFAULT_UI_URL

    def __post_init__(self) -> None:
        if self.webhook_url is not None:
            check_webhook_url(self.webhook_url)

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertSettings:
        return cls(webhook_url=settings.alert_webhook, ui_url=settings.ui_url)

    @classmethod
    def from_env(cls) -> AlertSettings:
        return cls.from_settings(Settings.from_env())


@dataclass(frozen=True)
class StepFailure:
    step_key: str
    error: str  # one-line summary


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job: str
    failed_steps: tuple[StepFailure, ...]
    run_error: str  # why the run failed when no step did (launch error, crashed run worker)

    @property
    def error(self) -> str:
        if not self.failed_steps:
            return self.run_error
        if len(self.failed_steps) == 1:
            return self.failed_steps[0].error
        return _clip("; ".join(f"{step.step_key}: {step.error}" for step in self.failed_steps))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= ERROR_SUMMARY_CHARS:
        return text
    return text[: ERROR_SUMMARY_CHARS - 1].rstrip() + "…"


def _error_line(error: SerializableErrorInfo) -> str:
    """``ValueError: message`` without the module path of the exception class."""
    message = error.message.strip()
    return (
        re.sub(rf"^[\w.]+\.({re.escape(error.cls_name)}:)", r"\1", message)
        if error.cls_name
        else message
    )


def summarize_error(error: SerializableErrorInfo | None, description: str | None = None) -> str:
    """One paragraph: the user's error (Dagster's wrapper errors skipped) and its causes."""
    if description:  # dg.Failure(description=...): the message written for operators
        return _clip(description)
    if error is None:
        return "unknown error"
    while error.cls_name and error.cls_name.startswith("Dagster") and error.cause:
        error = error.cause  # DagsterExecutionStepExecutionError wraps the exception raised
    lines = [_error_line(error)]
    cause = error.cause or error.context
    while cause is not None and len(lines) < 4:
        lines.append(f"caused by {_error_line(cause)}")
        cause = cause.cause or cause.context
    return _clip("; ".join(lines))


def describe_step_failure(event: dg.DagsterEvent) -> StepFailure:
    data = event.event_specific_data
    error = getattr(data, "error", None)
    user_failure = getattr(data, "user_failure_data", None)
    description = user_failure.description if user_failure else None
    return StepFailure(step_key=event.step_key or "?", error=summarize_error(error, description))


def describe_run_failure(
    run: dg.DagsterRun, failure_event: dg.DagsterEvent, step_failures: Sequence[dg.DagsterEvent]
) -> RunFailure:
    data = failure_event.event_specific_data
    run_error = getattr(data, "error", None)
    return RunFailure(
        run_id=run.run_id,
        job=run.job_name,
        failed_steps=tuple(describe_step_failure(event) for event in step_failures),
        run_error=(
            summarize_error(run_error)
            if run_error
            else _clip(failure_event.message or "the run failed before any step ran")
        ),
    )


def build_alert_payload(failure: RunFailure, ui_url: str = DEFAULT_UI_URL) -> dict:
    """The JSON body POSTed to the webhook; ``text`` is the one line Slack shows."""
    run_url = f"{ui_url.rstrip('/')}/runs/{failure.run_id}"
    steps = ", ".join(step.step_key for step in failure.failed_steps) or None
    where = f"at step {steps}" if steps else "outside any step"
    return {
        "run_id": failure.run_id,
        "job": failure.job,
        "failed_step": steps,
        "failed_steps": [step.step_key for step in failure.failed_steps],
        "error": failure.error,
        "ui_url": run_url,
        # mrkdwn: only the text from data is escaped, the link to the run stays a link
        "text": (
            f":rotating_light: creator-kpis run {slack_escape(failure.run_id)} of job"
            f" {slack_escape(failure.job)} failed {slack_escape(where)}:"
            f" {slack_escape(failure.error)} {run_url}"
        ),
    }


def post_json(url: str, payload: dict, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> int:
    """POST ``payload`` as JSON; returns the HTTP status (raises on network or HTTP errors)."""
    check_webhook_url(url)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "creator-kpis-alerts"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def deliver_alert(payload: dict, settings: AlertSettings, log: logging.Logger) -> bool:
    """POST the alert, or log it at ERROR when no webhook is set. Never raises.

    Returns whether the webhook accepted it.
    """
    if not settings.webhook_url:
        log.error(
            f"{payload['text']}\nalert payload ({ALERT_WEBHOOK_VAR} not set): {json.dumps(payload)}"
        )
        return False
    try:
        post_json(settings.webhook_url, payload)
    except Exception as error:  # an unreachable or failing webhook must not break the sensor
        log.error(
            f"could not POST the alert to {ALERT_WEBHOOK_VAR} ({type(error).__name__}: {error});"
            f" the alert was: {json.dumps(payload)}"
        )
        return False
    log.info(f"alert for failed run {payload['run_id']} sent to the webhook")
    return True


def build_run_failure_alert_sensor(settings: AlertSettings) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name=ALERT_SENSOR_NAME,
        description=(
            f"Alerts on every failed run: POSTs a JSON payload (run_id, job, failed_step, error,"
            f" ui_url, Slack `text`) to {ALERT_WEBHOOK_VAR}, or logs it at ERROR when unset."
        ),
        # every run in this instance, also `python -m pipeline run` (executed in process, so
        # it belongs to no code location); the instance serves this project only
        monitor_all_code_locations=True,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
        failure = describe_run_failure(
            context.dagster_run, context.failure_event, context.get_step_failure_events()
        )
        deliver_alert(build_alert_payload(failure, settings.ui_url), settings, context.log)

    return run_failure_alert
