"""End to end through the real UI: `dagster dev`, the GraphQL API and the asset graph in Chromium.

Starts `dagster dev -w workspace.yaml` on a free port with a temporary DAGSTER_HOME and a copy of
tests/e2e_landing, launches `build_all` (all assets) through GraphQL, checks through GraphQL that
every mart was materialized by that run and that its checks passed, then opens the global asset
lineage in headless Chromium (Debian's package, `make browser`; Playwright's own browsers are
never downloaded) and looks for the mart names. The screenshot is saved to
test-artifacts/asset-graph.png. Every process the test started is stopped, and checked to be
gone. Takes two to four minutes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from pipeline.cli import DAGSTER_YAML
from pipeline.settings import LANDING_DIR_VAR, PROJECT_ROOT, SERVING_VAR, WAREHOUSE_VAR
from tests.conftest import E2E_LANDING, MARTS
from tests.ui_support import (
    CHROMIUM_ARGS,
    LOCATION,
    MARKER_VAR,
    REPOSITORY,
    TERMINAL_RUN_STATUSES,
    DagsterDev,
    GraphQL,
    chromium_executable,
    processes_with_marker,
)

pytestmark = pytest.mark.slow

JOB = "build_all"
HEALTHY_TIMEOUT = 180  # webserver, daemon and code location on a slow 2-core machine
RUN_TIMEOUT = 480
PAGE_TIMEOUT_MS = 120_000
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOT = ARTIFACTS / "asset-graph.png"
# Wide enough that the asset cards show their full names and statuses (below a zoom of 0.6 the
# graph draws abbreviated names), tall enough that the graph, fitted to the width, fits whole.
VIEWPORT = {"width": 2200, "height": 1800}
PASSED = re.compile(r"^\s*\d+ / \d+ Passed\s*$")
# Environment settings that would make the code location behave differently from a default
# `make dev` (sensors and schedules on, alerts posted to a webhook)
UNSET = ("CREATOR_KPIS_AUTOMATION", "CREATOR_KPIS_ALERT_WEBHOOK", "CREATOR_KPIS_FIRST_DAY")

SELECTOR = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY}
JOB_SELECTOR = {**SELECTOR, "jobName": JOB}

REPOSITORIES_QUERY = """
query { repositoriesOrError { __typename
  ... on RepositoryConnection { nodes { name location { name } jobs { name } } }
  ... on PythonError { message } } }
"""
JOB_PARTITIONS_QUERY = """
query JobPartitions($params: PipelineSelector!) {
  pipelineOrError(params: $params) { __typename
    ... on Pipeline { name partitionKeysOrError { ... on PartitionKeys { partitionKeys } } }
    ... on PythonError { message }
    ... on Error { message } } }
"""
LAUNCH_MUTATION = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) { __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on PythonError { message stack }
    ... on Error { message } } }
"""
RUN_QUERY = """
query Run($runId: ID!) { runOrError(runId: $runId) { __typename
  ... on Run { status tags { key value } } ... on Error { message } } }
"""
RUN_ERRORS_QUERY = """
query RunErrors($runId: ID!, $afterCursor: String) {
  logsForRun(runId: $runId, afterCursor: $afterCursor, limit: 1000) { __typename
    ... on EventConnection { cursor hasMore events { __typename
      ... on MessageEvent { message level stepKey }
      ... on ExecutionStepFailureEvent { error { message } }
      ... on EngineEvent { error { message } } } }
    ... on Error { message } } }
"""
MART_QUERY = """
query Mart($assetKey: AssetKeyInput!) {
  assetOrError(assetKey: $assetKey) { __typename
    ... on Asset {
      assetMaterializations(limit: 1) { runId partition }
      definition { groupName assetChecksOrError { __typename
        ... on AssetChecks { checks { name executionForLatestMaterialization { runId status } } }
      } } } } }
"""


@dataclass
class UiRun:
    dagster: DagsterDev
    run_id: str
    tags: dict[str, str]
    partitioned: bool


def e2e_days() -> tuple[str, str]:
    """First and last `dt=` day of the end-to-end landing zone."""
    days = sorted(path.name.removeprefix("dt=") for path in E2E_LANDING.glob("*/*/dt=*"))
    return days[0], days[-1]


@pytest.fixture(scope="module")
def marker() -> Iterator[str]:
    """A token in the environment of every process this module starts (dagster dev and all its
    children, the Playwright driver, Chromium): at the end none of them may be left."""
    token = uuid.uuid4().hex
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MARKER_VAR, token)
        yield token
    leftovers = processes_with_marker(token)
    deadline = time.monotonic() + 15
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.5)
        leftovers = processes_with_marker(token)
    for pid, _ in leftovers:  # never leave them running, even when failing
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    assert not leftovers, f"processes started by the UI test still running: {leftovers}"


@pytest.fixture(scope="module")
def dagster_ui(
    marker: str, dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DagsterDev]:
    """`dagster dev` on a free port over a temporary instance, warehouse and landing copy."""
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    landing = root / "landing"
    shutil.copytree(E2E_LANDING, landing)
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(
        {
            "DAGSTER_HOME": str(home),
            LANDING_DIR_VAR: str(landing),
            WAREHOUSE_VAR: str(root / "wh.duckdb"),
            SERVING_VAR: str(root / "serving" / "creator_kpis.duckdb"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    dagster = DagsterDev(env=env, log_path=root / "dagster-dev.log")
    started = time.monotonic()
    dagster.start()
    try:
        seconds = dagster.wait_until_healthy(HEALTHY_TIMEOUT)
        print(f"\n[ui] dagster dev on {dagster.base_url} healthy after {seconds:.0f} s")
        # the teardown's check for leftovers sees what this test started
        assert dagster.process and dagster.process.pid in dict(processes_with_marker(marker))
        yield dagster
    finally:
        stopped_in = dagster.stop()
        print(
            f"[ui] dagster dev stopped in {stopped_in:.0f} s (up {time.monotonic() - started:.0f} s)"
        )


@pytest.fixture(scope="module")
def ui_run(dagster_ui: DagsterDev) -> UiRun:
    """build_all launched through GraphQL, as the UI's "Materialize all" does, and finished."""
    gql = dagster_ui.graphql
    repositories = gql(REPOSITORIES_QUERY)["repositoriesOrError"]
    assert repositories["__typename"] == "RepositoryConnection", repositories
    found = {
        (r["location"]["name"], r["name"]): {j["name"] for j in r["jobs"]}
        for r in repositories["nodes"]
    }
    assert JOB in found.get((LOCATION, REPOSITORY), set()), f"no job {JOB} in {found}"

    job = gql(JOB_PARTITIONS_QUERY, {"params": {**SELECTOR, "pipelineName": JOB}})
    job = job["pipelineOrError"]
    assert job["__typename"] == "Pipeline", job
    partition_keys = job["partitionKeysOrError"]["partitionKeys"]
    tags = {"creator_kpis/test": "test_ui"}
    if partition_keys:  # daily-partitioned assets: one run over the landing zone's days
        first, last = e2e_days()
        missing = {first, last} - set(partition_keys)
        assert not missing, f"days {missing} are not partitions of {JOB}"
        tags["dagster/asset_partition_range_start"] = first
        tags["dagster/asset_partition_range_end"] = last
    params = {
        "selector": JOB_SELECTOR,
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
    }
    launched = gql(LAUNCH_MUTATION, {"executionParams": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    print(f"[ui] launched {JOB} run {run_id} with tags {tags}")

    started = time.monotonic()
    status = None
    while time.monotonic() - started < RUN_TIMEOUT:
        run = gql(RUN_QUERY, {"runId": run_id})["runOrError"]
        assert run["__typename"] == "Run", run
        status = run["status"]
        if status in TERMINAL_RUN_STATUSES:
            break
        time.sleep(2)
    print(f"[ui] run {run_id}: {status} after {time.monotonic() - started:.0f} s")
    if status != "SUCCESS":
        pytest.fail(
            f"run {run_id} of {JOB} ended {status} (timeout {RUN_TIMEOUT} s):\n"
            + run_errors(gql, run_id, dagster_ui)
        )
    return UiRun(dagster_ui, run_id, tags, bool(partition_keys))


def run_errors(gql: GraphQL, run_id: str, dagster: DagsterDev) -> str:
    """The run's error events and the error lines of its step logs, to debug a failed run."""
    lines = []
    cursor = None
    while True:  # a partition range plans one event per asset and day: page through them
        page = gql(RUN_ERRORS_QUERY, {"runId": run_id, "afterCursor": cursor})["logsForRun"]
        for event in page.get("events", []):
            error = event.get("error") or {}
            if error or event.get("level") in ("ERROR", "CRITICAL"):
                step = event.get("stepKey") or ""
                lines.append(f"{event['__typename']} {step}: {event.get('message', '')}")
                if error:
                    lines.append(f"    {error.get('message', '').strip()}")
        if not page.get("hasMore"):
            break
        cursor = page["cursor"]
    home = Path(dagster.env["DAGSTER_HOME"])
    for log in sorted((home / "storage" / run_id / "compute_logs").glob("*.*")):
        if log.suffix not in (".out", ".err"):
            continue
        errors = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "ERROR" in line or "Error" in line or "Failure" in line
        ]
        if errors:
            lines.append(f"step log {log.name} (error lines):")
            lines += [f"    {line}" for line in errors[-30:]]
    lines.append("dagster dev log (tail):")
    lines.append(dagster.log_tail(30))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def mart_states(ui_run: UiRun) -> dict[str, dict]:
    gql = ui_run.dagster.graphql
    states = {}
    for mart in MARTS:
        asset = gql(MART_QUERY, {"assetKey": {"path": ["marts", mart]}})["assetOrError"]
        assert asset["__typename"] == "Asset", f"marts/{mart}: {asset}"
        states[mart] = asset
    return states


def test_every_mart_materialized_and_checked_through_graphql(
    ui_run: UiRun, mart_states: dict[str, dict]
) -> None:
    problems = []
    for mart, asset in mart_states.items():
        materializations = asset["assetMaterializations"]
        if not materializations or materializations[0]["runId"] != ui_run.run_id:
            problems.append(
                f"marts/{mart}: not materialized by run {ui_run.run_id}: {materializations}"
            )
        checks = asset["definition"]["assetChecksOrError"]
        if checks["__typename"] != "AssetChecks" or not checks["checks"]:
            problems.append(f"marts/{mart}: no asset checks: {checks}")
            continue
        for check in checks["checks"]:
            execution = check["executionForLatestMaterialization"] or {}
            if execution.get("status") != "SUCCEEDED" or execution.get("runId") != ui_run.run_id:
                problems.append(
                    f"marts/{mart} check {check['name']}: {execution or 'not executed'}"
                )
    assert not problems, "\n".join(problems)


def test_asset_graph_shows_the_marts_in_chromium(
    ui_run: UiRun, mart_states: dict[str, dict], marker: str
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    assert executable, "Debian's chromium is not installed: run `make browser` (make test does)"
    groups = sorted({asset["definition"]["groupName"] for asset in mart_states.values()})
    # the global lineage shows groups collapsed; open the mart groups (the UI's group ids)
    expanded = ",".join(f"global@global:{group}" for group in groups)
    url = f"{ui_run.dagster.base_url}/asset-groups?expanded={quote(expanded, safe='@:,')}"
    ARTIFACTS.mkdir(exist_ok=True)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            assert any("chromium" in command for _, command in processes_with_marker(marker)), (
                "the browser does not carry the marker: the leftover check would not see it"
            )
            context = browser.new_context(viewport=VIEWPORT)
            # the "Join the Dagster community" dialog shown once on localhost: dismissed before
            context.add_init_script("window.localStorage.setItem('communityNux', '\"1\"')")
            page = context.new_page()
            page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
            page.get_by_text(MARTS[1], exact=True).first.wait_for(timeout=PAGE_TIMEOUT_MS)
            for mart in MARTS:
                try:
                    page.get_by_text(mart, exact=True).first.wait_for(timeout=10_000)
                except PlaywrightTimeout:
                    pass  # asserted below, with every missing name at once
            try:  # the cards' check counts ("16 / 16 Passed") come a moment after the names
                page.get_by_text(PASSED).nth(len(MARTS) - 1).wait_for(timeout=30_000)
                # and the collapsed groups' status counts ("8 assets (fetching statuses)")
                page.get_by_text("fetching statuses").first.wait_for(
                    state="detached", timeout=30_000
                )
            except PlaywrightTimeout:
                pass  # only for a complete screenshot; checks are asserted through GraphQL
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            text = page.inner_text("body")
            missing = [mart for mart in MARTS if mart not in text]
            # if the graph left a mart out (zoomed away, or drawn abbreviated), its group page
            # must still show it: each group page is saved as a screenshot too
            for group in sorted({mart_states[mart]["definition"]["groupName"] for mart in missing}):
                group_url = f"{ui_run.dagster.base_url}/locations/{LOCATION}/asset-groups/{group}"
                page.goto(group_url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
                for mart in [
                    m for m in missing if mart_states[m]["definition"]["groupName"] == group
                ]:
                    try:
                        page.get_by_text(mart, exact=True).first.wait_for(timeout=PAGE_TIMEOUT_MS)
                    except PlaywrightTimeout:
                        pass
                page.screenshot(path=str(ARTIFACTS / f"asset-group-{group}.png"), full_page=True)
                text = page.inner_text("body")
                missing = [mart for mart in missing if mart not in text]
        finally:
            browser.close()
    print(f"[ui] browser done in {time.monotonic() - started:.0f} s, screenshot: {SCREENSHOT}")
    assert not missing, f"mart names not in the asset graph ({url}): {missing}; see {ARTIFACTS}"
    assert SCREENSHOT.stat().st_size > 10_000


def test_run_is_visible_with_our_tags(ui_run: UiRun) -> None:
    """The run the UI shows is the one the test launched, with the partition range if any."""
    run = ui_run.dagster.graphql(RUN_QUERY, {"runId": ui_run.run_id})["runOrError"]
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert run["status"] == "SUCCESS"
    assert {k: tags.get(k) for k in ui_run.tags} == ui_run.tags, json.dumps(tags)
