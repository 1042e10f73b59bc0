"""DuckDB 1.x's own Python package, in a venv of its own, for the serving-file compatibility test.

The project's venv has DuckDB 2.x, so an older client cannot be imported next to it. Each version
gets a venv under .tools/duckdb-<version>/ (git-ignored), created with uv from PyPI the first
time a test asks for it and reused afterwards. It is built in a temporary folder and renamed into
place once complete, so an interrupted build is never mistaken for a finished one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

TOOLS_DIR = PROJECT_ROOT / ".tools"
BUILD_TIMEOUT_SECONDS = 600


def uv_executable() -> Path:
    """The uv that `make` uses: the one on PATH, else the one `make` installs in .tools/."""
    found = shutil.which("uv")
    if found:
        return Path(found)
    local = TOOLS_DIR / "bin" / "uv"
    if local.is_file():
        return local
    raise RuntimeError("uv not found on PATH or in .tools/bin: run `make sync-dev` first")


def duckdb_client_python(version: str) -> Path:
    """The Python interpreter of a venv holding only ``duckdb==version`` (built once)."""
    venv = TOOLS_DIR / f"duckdb-{version}"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    TOOLS_DIR.mkdir(parents=True, exist_ok=True)
    uv = str(uv_executable())
    building = Path(tempfile.mkdtemp(prefix=f"duckdb-{version}.", dir=TOOLS_DIR))
    try:
        interpreter = f"{sys.version_info.major}.{sys.version_info.minor}"
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        env.pop("VIRTUAL_ENV", None)
        for command in (
            [uv, "venv", "--quiet", "--python", interpreter, str(building)],
            [uv, "pip", "install", "--quiet", "--python", str(building / "bin" / "python")]
            + [f"duckdb=={version}"],
        ):
            done = subprocess.run(
                command, env=env, timeout=BUILD_TIMEOUT_SECONDS, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
        try:
            building.rename(venv)
        except OSError:  # built meanwhile by another process: keep theirs
            if not python.exists():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return python
