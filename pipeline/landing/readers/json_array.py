"""JSON-array files, streamed in bounded batches: the file is cut into *pieces* of about
``ReadLimits.batch_bytes``; each piece is read by the fast path (Polars) when its checks allow,
else by the exact reader, element by element, so one broken element keeps the ones before it.

Pieces are cut, when possible, just after a line ending in a comma (between two elements when
the array has one element per line, the layout the fast path reads), else at a character
boundary. The exact reader keeps the not-yet-read text of the array and pulls the next piece when
an element, or what follows it, runs past that text; an element larger than a piece grows the
text for that element only (at most the file's size). Elements are numbered from 1 across the
whole file (the records' line number).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import polars as pl

from pipeline.landing.contract import Entity
from pipeline.landing.readers.json_fast import json_is_array, read_json_fast
from pipeline.landing.records import (
    RAW_LINE,
    Collector,
    RawBatch,
    ReadLimits,
    UnreadableFile,
    repair_text,
)

_BLANKS = re.compile(r"[ \t\r\n]*")  # JSON's whitespace, skipped between elements
# The json scanner decides within this many characters of where it stops (the longest token it
# looks ahead for is "-Infinity"; a number stops where its digits do): a result that comes this
# close to the end of the text read so far is retried with more text.
_LOOKAHEAD = 32
_EXCERPT = 10_000  # characters of a malformed element (or of what follows the array) kept


@dataclass(frozen=True)
class _Piece:
    data: bytes
    after_comma_line: bool  # ends just after a line ending in a comma
    last: bool  # the end of the file


def read_json_array(
    handle: BinaryIO, first: bytes, entity: Entity, fast: bool, limits: ReadLimits, relpath: str
) -> Iterator[RawBatch]:
    """The records of a JSON-array file whose first ``first`` bytes are already read, in batches
    of about ``limits.batch_bytes`` (see the module's docstring)."""
    pieces = _array_pieces(handle, first, limits, relpath)
    del first  # the pieces hold it until they are cut from it
    exact = _ExactArrayReader(entity, pieces, limits.batch_bytes)
    for piece in pieces:
        if fast and (piece.after_comma_line or piece.last) and exact.between_pieces():
            parsed = _read_piece_fast(piece, entity, opening=not exact.opened)
            if parsed is not None:
                if exact.elements:
                    parsed = parsed.with_columns(pl.col(RAW_LINE) + exact.elements)
                yield RawBatch(parsed, Collector(entity).batch().malformed)
                exact.skip_elements(parsed.height)
                if piece.last:
                    return
                continue
        exact.add_piece(piece)
        yield from exact.read()
        if exact.finished:
            return


def _read_piece_fast(piece: _Piece, entity: Entity, opening: bool) -> pl.DataFrame | None:
    if opening and not json_is_array(piece.data):
        return None
    return read_json_fast(piece.data, entity, as_array=True, opening=opening, closing=piece.last)


def _array_pieces(
    handle: BinaryIO, first: bytes, limits: ReadLimits, relpath: str
) -> Iterator[_Piece]:
    """The file (``first``: its beginning, already read) in pieces of about ``batch_bytes``, the
    BOM removed; the last piece (possibly empty) ends the file."""
    read = len(first)
    buffer = first.removeprefix(codecs.BOM_UTF8)
    del first
    while True:
        if len(buffer) >= limits.batch_bytes:
            cut = _after_comma_line(buffer)
            after_comma_line = cut > 0
            if not after_comma_line:
                cut = _character_boundary(buffer)
            piece, buffer = buffer[:cut], buffer[cut:]  # the whole buffer is not kept meanwhile
            yield _Piece(piece, after_comma_line, last=False)
            del piece
            continue
        more = handle.read(limits.batch_bytes)
        if not more:
            yield _Piece(buffer, after_comma_line=False, last=True)
            return
        read += len(more)
        if read > limits.max_file_bytes:  # it was smaller when opened: it grew since
            raise UnreadableFile(
                f"{relpath}: grew over the limit of {limits.max_file_bytes:,} bytes"
                " (CREATOR_KPIS_MAX_FILE_BYTES) while being read; not read to the end"
            )
        buffer += more
        del more


def _after_comma_line(buffer: bytes) -> int:
    """Just after the line break of the last of the buffer's last few lines that ends in a comma
    (blanks allowed after it); 0 if none does."""
    end = len(buffer)
    for _ in range(4):
        newline = buffer.rfind(b"\n", 0, end)
        newline = max(newline, buffer.rfind(b"\r", newline + 1, end))
        if newline < 0:
            return 0
        line_end = newline
        while line_end > 0 and buffer[line_end - 1] in b" \t\r":
            line_end -= 1
        if line_end > 0 and buffer[line_end - 1] == ord(","):
            return newline + 1
        end = newline
    return 0


def _character_boundary(buffer: bytes) -> int:
    """Just after the buffer's last ASCII byte, if it is among the last few; else its end (the
    exact reader's decoder carries a character split there over to the next piece)."""
    for index in range(len(buffer) - 1, max(len(buffer) - 9, -1), -1):
        if buffer[index] < 0x80:
            return index + 1
    return len(buffer)


class _ExactArrayReader:
    """The exact reader: the array element by element (``json`` keeping every number's
    spelling), over the text of the pieces given to it. The text is decoded a part of a piece
    at a time (1 MiB at most), and more is pulled (the rest of the piece, then the next piece
    from ``pieces``) when an element, or the blanks, comma or excerpt after it, runs past it."""

    def __init__(self, entity: Entity, pieces: Iterator[_Piece], batch_bytes: int):
        self.entity = entity
        self.pieces = pieces
        self.batch_bytes = batch_bytes
        self.decode_bytes = max(1, min(1 << 20, batch_bytes // 4))
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.json = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
        self.piece = _Piece(b"", after_comma_line=False, last=False)  # the piece being read
        self.decoded = 0  # bytes of the piece decoded so far
        self.text = ""  # the text not yet read, from ``position`` on
        self.position = 0
        self.at_end_of_file = False
        self.opened = False  # past the opening "["
        self.expect_element = True  # else: after an element, expecting "," or "]"
        self.elements = 0  # elements read so far: the next one is number elements + 1
        self.finished = False
        self.out = Collector(entity)
        self.out_chars = 0

    def between_pieces(self) -> bool:
        """Whether the next element starts exactly at the next piece (all text read, between
        elements, no character split): that piece may take the fast path."""
        return (
            self.expect_element
            and self.position == len(self.text)
            and self.decoded == len(self.piece.data)
            and not self.piece.last
            and not self.decoder.getstate()[0]
        )

    def skip_elements(self, count: int) -> None:
        """``count`` elements of the next piece were read by the fast path."""
        self.elements += count
        self.opened = True

    def add_piece(self, piece: _Piece) -> None:
        """Read ``piece`` next (the text read so far must be at its end)."""
        self.piece, self.decoded = piece, 0

    def _pull(self) -> bool:
        """Add some text; False at the end of the file."""
        if self.at_end_of_file:
            return False
        self._pull_until(len(self.text) - self.position + 1)
        return True

    def _pull_until(self, chars: int) -> None:
        """Add text until ``chars`` characters from ``position`` on are read, or the file ends."""
        parts = [self.text[self.position :]]
        read = len(parts[0])
        while read < chars and not self.at_end_of_file:
            parts.append(self._decode_next())
            read += len(parts[-1])
        self.text = "".join(parts)  # joined once: an element can be larger than a piece
        self.position = 0

    def _decode_next(self) -> str:
        """The text of the next part of the piece, or of the next piece."""
        while self.decoded == len(self.piece.data) and not self.piece.last:
            self.add_piece(next(self.pieces))
        data = self.piece.data
        end = min(self.decoded + self.decode_bytes, len(data))
        self.at_end_of_file = self.piece.last and end == len(data)
        text = self.decoder.decode(data[self.decoded : end], final=self.at_end_of_file)
        self.decoded = end
        return text

    def read(self) -> Iterator[RawBatch]:
        """Elements until the end of the array, or until the text runs out between elements at
        a piece boundary (the next piece may then take the fast path); batches of about
        ``batch_bytes``."""
        while not self.finished and self._step():
            if self.out_chars >= self.batch_bytes:
                yield self._batch()
        if self.out_chars or self.out.malformed_lines:
            yield self._batch()

    def _batch(self) -> RawBatch:
        batch = self.out.batch()
        self.out = Collector(self.entity)
        self.out_chars = 0
        return batch

    def _step(self) -> bool:
        """Read one element (or the comma after it, or the array's end); False to hand back."""
        text = self.text
        if not self.opened:
            if "[" not in text and self._pull():
                return True
            self.position = text.index("[") + 1  # the file's first non-blank character
            self.opened = True
            return True
        position = _BLANKS.match(text, self.position).end()
        self.position = position
        if position == len(text) and not self.at_end_of_file:
            if self.between_pieces():
                return False
            self._pull()
            return True
        if self.expect_element:
            if position < len(text) and text[position] == "]":
                self._end_of_array()
            else:
                self._element()
        elif position < len(text) and text[position] == ",":
            self.position += 1
            self.expect_element = True
        elif position < len(text) and text[position] == "]":
            self._end_of_array()
        else:
            self._pull_until(_EXCERPT)
            self._stop(
                "invalid JSON array: expected ',' or ']'; the rest of the file is unreadable"
            )
        return True

    def _element(self) -> None:
        text, position = self.text, self.position
        try:
            value, end = self.json.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as error:
            if not self.at_end_of_file and _may_need_more_text(error, len(text)):
                self._pull_until(2 * (len(text) - position) + _LOOKAHEAD)
                return
            message = getattr(error, "msg", "nested too deeply")
            self._pull_until(_EXCERPT)
            self._stop(f"invalid JSON array element: {message}; the rest of the file is unreadable")
            return
        if not self.at_end_of_file and end > len(text) - _LOOKAHEAD:
            self._pull_until(2 * (len(text) - position) + _LOOKAHEAD)  # a number may go on
            return
        self.elements += 1
        self.out.add_json_value(self.elements, repair_text(text[position:end]), value)
        self.out_chars += end - position
        self.position = end
        self.expect_element = False

    def _stop(self, detail: str) -> None:
        """The array breaks at ``position``: the next element is malformed, the rest unread."""
        excerpt = self.text[self.position : self.position + _EXCERPT]
        self.out.add_malformed(self.elements + 1, repair_text(excerpt), detail)
        self.out_chars += len(excerpt)
        self.finished = True

    def _end_of_array(self) -> None:
        """The closing "]" at ``position``: whatever follows it but blanks is malformed (e.g. two
        exports concatenated: never drop the second one silently), its first 10,000 characters
        kept, stripped. The rest of the file is read a piece at a time."""
        self.position += 1
        while True:
            rest = self.text[self.position :]
            content = rest.lstrip()
            self.position += len(rest) - len(content)
            if content or not self._pull():
                break
        if content:
            self._pull_until(_EXCERPT)
            excerpt = self.text[self.position : self.position + _EXCERPT]
            cut = len(excerpt) == _EXCERPT and (
                not excerpt[-1].isspace() or self._more_after(self.position + _EXCERPT)
            )
            self.out.add_malformed(
                self.elements + 1,
                repair_text(excerpt if cut else excerpt.rstrip()),
                "unexpected content after the end of the JSON array",
            )
        self.finished = True

    def _more_after(self, position: int) -> bool:
        """Whether anything but blanks comes from ``position`` to the end of the file."""
        rest = self.text[position:]
        self.position = len(self.text)
        while not rest or rest.isspace():
            if not self._pull():
                return False
            rest = self.text
        return True


def _may_need_more_text(error: Exception, length: int) -> bool:
    """Whether the json scanner may have failed only for want of the text after ``length``."""
    if not isinstance(error, json.JSONDecodeError):
        return False  # nested too deeply: as deep within the text read as in the whole file
    return error.msg.startswith("Unterminated string") or error.pos > length - _LOOKAHEAD
