"""The exact reader of JSON-lines files: line by line, a broken line is a malformed record."""

from __future__ import annotations

import json

from pipeline.landing.records import LINE_BREAK, Collector, loads, repair_text


def read_json_lines(text: str, out: Collector, first_line: int = 1) -> None:
    for number, line in enumerate(LINE_BREAK.split(text), start=first_line):
        if not line.strip():
            continue  # blank lines are not records
        try:
            value = loads(line)
        except json.JSONDecodeError as error:
            out.add_malformed(
                number, repair_text(line), f"invalid JSON: {error.msg} at column {error.colno}"
            )
            continue
        except RecursionError:
            out.add_malformed(number, repair_text(line[:10_000]), "invalid JSON: nested too deeply")
            continue
        out.add_json_value(number, repair_text(line), value)
