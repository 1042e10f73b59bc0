"""Reading results: the text table, the latest result of a scale, the py-spy profile summary."""

from __future__ import annotations

import json
from pathlib import Path


def summarize_profile(raw: Path, top: int = 60) -> str:
    """Inclusive share of samples per function (file) and per process, from py-spy raw output."""
    from collections import Counter

    per_function: Counter[str] = Counter()
    per_process: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        process = next((f for f in reversed(frames[:2]) if f.startswith("process ")), "?")
        per_process[process.split(":", 1)[-1][:100]] += samples
        seen = set()
        for frame in frames:
            if frame.startswith("process "):
                continue
            name, _, where = frame.partition(" (")
            key = f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})"
            if key not in seen:
                seen.add(key)
                per_function[key] += samples
    lines = [f"{total} samples at 50 Hz (all processes of the tree)", "", "per process:"]
    lines += [f"{n / total:6.1%}  {p}" for p, n in per_process.most_common()]
    lines += ["", f"top {top} functions (inclusive):"]
    lines += [f"{n / total:6.1%}  {f}" for f, n in per_function.most_common(top)]
    return "\n".join(lines) + "\n"


def latest_result(results_dir: Path, scale_name: str) -> dict | None:
    found = sorted(results_dir.glob(f"{scale_name}-*.json"))
    for path in reversed(found):
        results = json.loads(path.read_text())
        if results.get("ok"):
            return results
    return None


def format_table(results: dict) -> str:
    """The results as a text table with the ratios and targets."""
    rows = [("lower bound (DuckDB read only)", results["lower_bound"])]
    rows += [(f"  stage: {m['name']}", m) for m in [results["dbt_parse"], *results["stages"]]]
    rows += [
        ("full run (python -m pipeline run)", results["full_run"]),
        (f"incremental run ({results['incremental_run']['detail']['day']})", results["incremental_run"]),
    ]  # fmt: skip
    if "nothing_new_run" in results:
        rows.append(("nothing-new run (same day again)", results["nothing_new_run"]))
    width = max(len(label) for label, _ in rows)
    landing = results["landing"]
    lines = [
        f"scale {results['scale']}: {landing['total_records']:,} records"
        f" ({landing['post_observations']:,} post observations), {landing['files']} files,"
        f" {landing['bytes'] / 1e9:.2f} GB, {landing['days']} days",
        f"machine: {results['machine']['nproc']} cores, {results['machine']['cpu_model']},"
        f" {results['machine']['memory_bytes'] / 2**30:.1f} GiB RAM;"
        f" load average before {results['load_average']['before']},"
        f" after {results['load_average']['after']}",
        f"bytecode: {results['bytecode']}",
        "",
        f"{'step':<{width}}  {'wall s':>8}  {'peak RSS MiB':>12}  {'CPU s':>8}  status",
    ]
    for label, m in rows:
        cpu = m["cpu_user_seconds"] + m["cpu_system_seconds"]
        status = "ok" if m["returncode"] == 0 else f"FAILED ({m['returncode']})"
        lines.append(
            f"{label:<{width}}  {m['wall_seconds']:>8.1f}  {m['peak_rss_bytes'] / 2**20:>12,.0f}"
            f"  {cpu:>8.1f}  {status}"
        )
    for label, key in (("full run", "full_run"), ("incremental run", "incremental_run")):
        dbt = results[key].get("detail", {}).get("dbt")
        if dbt:
            parts = ", ".join(
                f"{kind} {entry['nodes']} in {entry['seconds']:.1f} s"
                for kind, entry in dbt["by_type"].items()
            )
            slowest = ", ".join(
                f"{n['node'].split('.')[-1]} {n['seconds']:.1f} s" for n in dbt["slowest"][:4]
            )
            lines.append(
                f"dbt in the {label}: {dbt['elapsed_seconds']:.1f} s ({parts}); slowest: {slowest}"
            )
    lines.append("")
    for name, value in results["ratios"].items():
        lines.append(f"{name}: {value}")
    lines.append(f"peak RSS of any run: {results['peak_rss_bytes'] / 2**30:.2f} GiB")
    for name, met in results["targets"].items():
        lines.append(f"target {name}: {'met' if met else 'NOT met'}")
    return "\n".join(lines)
