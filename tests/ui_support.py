"""Helpers for tests/test_ui.py: `dagster dev` as a process, its GraphQL API, headless Chromium.

Nothing here downloads anything: GraphQL goes through urllib, and the browser is Debian's
`chromium` (installed by `make browser`), driven by the Playwright package's bundled driver.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

DAGSTER = PROJECT_ROOT / ".venv" / "bin" / "dagster"
LOCATION = "creator_kpis"  # workspace.yaml
REPOSITORY = "__repository__"  # a Definitions object's repository
CHROMIUM = "/usr/bin/chromium"
# the flags a closed network needs: without the background-networking ones Chromium keeps
# trying (and failing) to reach Google's services
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# every process a test starts inherits this variable (value: a fresh token), so teardown can
# prove that none of them is left, whatever process group it ended up in
MARKER_VAR = "CREATOR_KPIS_UI_TEST"
TERMINAL_RUN_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_executable() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return CHROMIUM if Path(CHROMIUM).exists() else None


def processes_with_marker(token: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment holds MARKER_VAR=token."""
    needle = f"{MARKER_VAR}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if cmdline:  # zombies have none: they are dead, only not yet reaped
            found.append((int(entry.name), cmdline.strip()))
    return found


class GraphQLError(AssertionError):
    pass


@dataclass
class GraphQL:
    url: str
    timeout: float = 60

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            raise GraphQLError(f"GraphQL HTTP {error.code}: {error.read()[:2000]!r}") from None
        if answer.get("errors"):
            raise GraphQLError(f"GraphQL errors: {json.dumps(answer['errors'])[:4000]}")
        return answer["data"]


@dataclass
class DagsterDev:
    """`dagster dev -w workspace.yaml` on a free port, in its own process group."""

    env: dict
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql(self) -> GraphQL:
        return GraphQL(f"{self.base_url}/graphql")

    def start(self) -> None:
        command = [str(DAGSTER), "dev", "-w", "workspace.yaml", "-p", str(self.port)]
        command += ["-h", "127.0.0.1"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: webserver, daemon, code servers, runs
            )

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_until_healthy(self, timeout: float) -> float:
        """Until /server_info answers and the code location has loaded; returns the seconds."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            self._check_alive()
            try:
                with urllib.request.urlopen(f"{self.base_url}/server_info", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                pass
            self._check_deadline(deadline, timeout, "the webserver to answer /server_info")
            time.sleep(1)
        query = """{ workspaceOrError { __typename ... on Workspace { locationEntries {
            name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
        while True:
            self._check_alive()
            entries = self.graphql(query)["workspaceOrError"].get("locationEntries", [])
            entry = next((e for e in entries if e["name"] == LOCATION), None)
            if entry and entry["loadStatus"] == "LOADED":
                location = entry["locationOrLoadError"] or {}
                if location.get("__typename") == "PythonError":
                    raise AssertionError(
                        f"code location {LOCATION} failed to load: {location['message']}"
                    )
                return time.monotonic() - started
            self._check_deadline(deadline, timeout, f"code location {LOCATION} to load")
            time.sleep(1)

    def _check_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"dagster dev exited with {self.process.returncode}:\n{self.log_tail()}"
            )

    def _check_deadline(self, deadline: float, timeout: float, what: str) -> None:
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}:\n{self.log_tail()}")

    def stop(self, grace: float = 90) -> float:
        """SIGTERM to `dagster dev` (it shuts down its webserver and daemon, which stop their
        code servers), then SIGKILL to the whole group after `grace` seconds; returns seconds."""
        if self.process is None:
            return 0.0
        started = time.monotonic()
        group = self.process.pid
        if self.process.poll() is None:
            # only the parent: it tells its children through their shutdown pipes; a SIGTERM
            # to every process of the group at once leaves them waiting for each other
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 10
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.5)
        try:  # whatever is left: code servers, run workers, dbt
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        return time.monotonic() - started


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
