"""The exact reader of JSON-array files: element by element, so one broken element keeps the ones
before it."""

from __future__ import annotations

import json

from pipeline.landing.records import Collector, repair_text


def read_json_array(text: str, out: Collector) -> None:
    """A JSON array, element by element, so one broken element keeps the ones before it."""
    decoder = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
    position = text.index("[") + 1
    element = 0
    length = len(text)

    def end_of_array(closing: int) -> None:
        rest = text[closing + 1 :].strip()
        if rest:  # e.g. two exports concatenated: never drop the second one silently
            out.add_malformed(
                element + 1,
                repair_text(rest[:10_000]),
                "unexpected content after the end of the JSON array",
            )

    while True:
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position < length and text[position] == "]":
            end_of_array(position)
            return
        element += 1
        try:
            value, end = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as error:
            message = getattr(error, "msg", "nested too deeply")
            out.add_malformed(
                element,
                repair_text(text[position : position + 10_000]),
                f"invalid JSON array element: {message}; the rest of the file is unreadable",
            )
            return
        out.add_json_value(element, repair_text(text[position:end]), value)
        position = end
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position < length and text[position] == ",":
            position += 1
        elif position < length and text[position] == "]":
            end_of_array(position)
            return
        else:
            if position < length or element:
                out.add_malformed(
                    element + 1,
                    repair_text(text[position : position + 10_000]),
                    "invalid JSON array: expected ',' or ']'; the rest of the file is unreadable",
                )
            return
