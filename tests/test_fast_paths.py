"""The fast paths give exactly what the exact paths give.

Readers: every landing file of the bad-input catalogue, the end-to-end landing zone and a demo
landing zone is read both ways; then thousands of generated messy JSON and CSV files. A fast
path may decline a file (the exact reader then reads it), but when it reads one, the batch must
be equal to the exact reader's, row for row. Plain files must take the fast path.

Cleaning: clean_batch cleans plain rows (digits for counts, one ISO form or epoch seconds for
timestamps) with cheaper expressions; on generated records mixing every spelling, it must give
what the full rules give on every row.
"""

from __future__ import annotations

import json
import random
import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from demo import DemoSpec, write_demo_landing
from pipeline.landing import cleaning
from pipeline.landing.contract import (
    INSTAGRAM_CREATORS,
    INSTAGRAM_MEDIA,
    TIKTOK_CREATORS,
    TIKTOK_VIDEOS,
    Entity,
    Kind,
)
from pipeline.landing.discovery import LandingFile, discover
from pipeline.landing.readers import iter_landing_file, json_array, read_landing_file
from pipeline.landing.readers.csv_file import read_csv_fast
from pipeline.landing.readers.json_fast import read_json_fast
from pipeline.landing.records import RAW_LINE, RAW_RECORD, ReadLimits, UnreadableFile

TESTS_DIR = Path(__file__).parent
DAY = "2026-10-30"


def assert_same_batch(landing_file: LandingFile, *batch_bytes: int) -> None:
    """Read fast and exact, whole and (JSON arrays) in batches of each of ``batch_bytes``: the
    same records and malformed records every way."""
    try:
        exact = read_landing_file(landing_file, fast=False)
    except UnreadableFile as error:
        with pytest.raises(UnreadableFile, match=str(error).split("(")[0]):
            read_landing_file(landing_file, fast=True)
        return
    ways = [(True, ReadLimits())]
    ways += [(fast, ReadLimits(batch_bytes=b)) for b in batch_bytes for fast in (True, False)]
    for fast, limits in ways:
        other = read_landing_file(landing_file, fast, limits)
        assert_frame_equal(other.records, exact.records, check_exact=True)
        assert_frame_equal(other.malformed, exact.malformed, check_exact=True)


def landing_with(tmp_path: Path, entity: Entity, name: str, data: bytes) -> LandingFile:
    folder = tmp_path / entity.platform / entity.name / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    (found,) = [f for f in discover(tmp_path).files if f.path.name == name]
    return found


def catalogue_files(tmp_path: Path) -> list[LandingFile]:
    """Every catalogue file, placed as a file of each entity it could be read as."""
    placed = []
    for path in sorted((TESTS_DIR / "landing_catalogue").iterdir()):
        if path.suffix not in (".json", ".jsonl", ".csv"):
            continue
        for entity in (TIKTOK_CREATORS, TIKTOK_VIDEOS, INSTAGRAM_CREATORS, INSTAGRAM_MEDIA):
            placed.append(landing_with(tmp_path / entity.key, entity, path.name, path.read_bytes()))
    return placed


def test_catalogue_and_end_to_end_files_read_the_same_both_ways(tmp_path: Path) -> None:
    landing_files = catalogue_files(tmp_path) + discover(TESTS_DIR / "e2e_landing").files
    assert len(landing_files) > 40
    for landing_file in landing_files:
        assert_same_batch(landing_file)


def test_demo_files_take_the_fast_path_and_read_the_same(tmp_path: Path) -> None:
    write_demo_landing(tmp_path, DemoSpec(creators=25, days=4, seed=3))
    landing_files = [f for f in discover(tmp_path).files if f.path.suffix != ".parquet"]
    for landing_file in landing_files:
        assert_same_batch(landing_file)
        data = landing_file.path.read_bytes()
        text = data.decode("utf-8")
        if not landing_file.entity.dated:
            continue  # campaign fees are decimals ("fee":80.00): the exact reader keeps "80.00"
        if landing_file.path.suffix in (".json", ".jsonl"):
            as_array = text.lstrip().startswith("[")
            assert read_json_fast(data, landing_file.entity, as_array) is not None
        else:
            assert read_csv_fast(text, landing_file.entity) is not None


# --- generated JSON files -----------------------------------------------------------------------

PLAIN_STRINGS = ["abc", "", " @Mia.Bakes ", "12,345", "45.3K", "Zoë ✨ 😀", "2026-10-30T18:10:00Z"]
MESSY_STRINGS = [
    'with "quotes" and \\ backslash',
    "line\nbreak\ttab",
    "[not a list",
    "{not an object",
    "\u2028separator\u0085",
    "\x7f\x00nul",
    "\ud83d",  # a lone surrogate: json.dumps writes "\ud83d"
    "\udc00",
    "😀",
    "a,b, c",
    '["x", "y"]',
]
NUMBER_TOKENS = [
    "0", "12", "-1", "-0", "1.5", "1.50", "12.0", "1e3", "1E5", "-2.5e-3",
    "9223372036854775807", "9999999999999999999", "12345678901234567890",
    "123456789012345678901", "-9223372036854775808", "-99999999999999999999", "007",
    "NaN", "Infinity", "1.", "+1",
]  # fmt: skip
OTHER_TOKENS = ["true", "false", "null", "{}", '{"a": 1}', "[1, 2]", '["a"]', "[]", '[["x"]]']
LIST_TOKENS = [
    '["a", "b"]', "[]", "null", '"a,b"', '["a", 1]', '["a", null]', '[["a"]]', "5", '{"x": 1}',
    '[ "spaced" , "out" ]', '["#tag", " x "]', '["esc\\"aped"]', '["\\ud83d\\ude00"]', "[1.5]",
]  # fmt: skip

EXTRA_TOKENS = ["1.5", "1e3", "-0", "123456789012345678901", '{"a": [1, {"b": null}]}', '"x"']


def messy_now(rng: random.Random, mess: float) -> bool:
    return rng.random() < mess


def string_token(rng: random.Random, mess: float) -> str:
    text = rng.choice(MESSY_STRINGS if messy_now(rng, mess) else PLAIN_STRINGS)
    lone_surrogate = any("\ud800" <= c <= "\udfff" for c in text)  # only writable escaped
    return json.dumps(text, ensure_ascii=lone_surrogate or rng.random() < 0.5)


def value_token(rng: random.Random, mess: float) -> str:
    roll = rng.random()
    if roll < 0.45:
        return string_token(rng, mess)
    if roll < 0.8:
        plain_numbers = NUMBER_TOKENS[:3] + NUMBER_TOKENS[10:12]
        return rng.choice(NUMBER_TOKENS if messy_now(rng, mess) else plain_numbers)
    return rng.choice(OTHER_TOKENS if messy_now(rng, mess) else OTHER_TOKENS[:3])


def record_line(rng: random.Random, entity: Entity, mess: float) -> str:
    members = []
    for f in entity.fields:
        for name in (f.name, *f.aliases):
            if rng.random() < 0.15:
                continue  # absent
            if f.kind.value == "text_list":
                plain_lists = LIST_TOKENS[:3] + LIST_TOKENS[9:13]
                token = rng.choice(LIST_TOKENS if messy_now(rng, mess) else plain_lists)
            else:
                token = value_token(rng, mess)
            key = json.dumps(name)
            if messy_now(rng, mess / 10):
                key = '"\\u00' + format(ord(name[0]), "02x") + name[1:] + '"'  # escaped key
            members.append((key, token))
    if rng.random() < 0.3:  # not a contract field: any valid JSON reads fast
        members.append(('"extra"', rng.choice(EXTRA_TOKENS)))
    if members and messy_now(rng, mess / 5):
        members.append(rng.choice(members))  # a duplicate key
    rng.shuffle(members)
    colon = rng.choice([":", ": ", " : "]) if mess else ":"
    comma = rng.choice([",", ", "]) if mess else ","
    line = "{" + comma.join(f"{k}{colon}{v}" for k, v in members) + "}"
    roll = rng.random()
    if roll < mess / 5:
        line = line[: rng.randrange(len(line))]  # truncated
    elif roll < mess / 3:
        line = rng.choice(["[1, 2]", '"text"', "42", "{} {}", "{},", " ", "\u00a0"])
    elif roll < mess / 2:
        line = "  " + line + "\t"
    return line


def json_file(rng: random.Random, entity: Entity, mess: float) -> tuple[str, bytes]:
    lines = [record_line(rng, entity, mess) for _ in range(rng.randrange(1, 25))]
    newline = "\r\n" if mess and rng.random() < 0.2 else "\n"
    if rng.random() < 0.5:
        if messy_now(rng, mess):
            lines.insert(rng.randrange(len(lines) + 1), "")
        text = newline.join(lines) + newline
        return "records.jsonl", text.encode()
    separators = [",", ",", " ,", ""] if messy_now(rng, mess) else [","]
    body = [line + rng.choice(separators) for line in lines[:-1]]
    last = lines[-1] + ("," if messy_now(rng, mess) else "")
    tail = "]" + (newline + '{"after": 1}' if messy_now(rng, mess / 3) else "")
    text = newline.join(["[", *body, last, tail]) + newline
    return "records.json", text.encode()


@pytest.mark.parametrize("messy", [False, True], ids=["plain", "messy"])
def test_generated_json_files_read_the_same_both_ways(tmp_path: Path, messy: bool) -> None:
    rng = random.Random(20261125 + messy)
    taken = 0
    rounds = 400
    for round_number in range(rounds):
        entity = rng.choice([TIKTOK_VIDEOS, INSTAGRAM_MEDIA, TIKTOK_CREATORS])
        mess = rng.choice([0.002, 0.01, 0.03, 0.2]) if messy else 0.0
        name, data = json_file(rng, entity, mess)
        landing_file = landing_with(tmp_path / str(round_number), entity, name, data)
        as_array = name.endswith(".json")
        assert_same_batch(landing_file, *([rng.choice([1, 3, 16, 60, 250])] if as_array else []))
        taken += read_json_fast(data, entity, as_array) is not None
    if messy:
        assert rounds / 5 < taken < rounds  # both paths are exercised
    else:
        assert taken == rounds


# --- JSON arrays in bounded batches ------------------------------------------------------------


def video_element(n: int) -> str:
    return f'{{"id":"{n}","username":"user_{n}","view_count":{3 * n},"hashtag_names":["t{n}"]}}'


def array_file(elements: list[str], separator: str = ",\n") -> bytes:
    return ("[\n" + separator.join(elements) + "\n]\n").encode()


def count_fast_pieces(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each piece offered to the fast path was taken (True) or declined (False)."""
    taken: list[bool] = []

    def counting(*args, **kwargs):
        parsed = read_json_fast(*args, **kwargs)
        taken.append(parsed is not None)
        return parsed

    monkeypatch.setattr(json_array, "read_json_fast", counting)
    return taken


def test_json_array_spanning_many_batches_takes_the_fast_path_piece_by_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = array_file([video_element(n) for n in range(1, 301)])
    landing_file = landing_with(tmp_path, TIKTOK_VIDEOS, "videos.json", data)
    taken = count_fast_pieces(monkeypatch)
    batches = list(iter_landing_file(landing_file, True, ReadLimits(batch_bytes=500)))
    # 23,043 bytes in pieces of about 500 bytes, cut after a line: 5 to 8 elements of 68 to
    # 76 bytes each (the last piece: what is left), every piece read by the fast path
    heights = [b.records.height for b in batches]
    assert len(batches) > 40 and taken == [True] * len(batches)
    assert sum(heights) == 300 and min(heights[:-1]) >= 5 and max(heights) <= 8
    records = pl.concat([b.records for b in batches])
    assert records.select(RAW_LINE, "id", "view_count", "hashtag_names").rows() == [
        (n, str(n), str(3 * n), [f"t{n}"]) for n in range(1, 301)
    ]
    assert records[RAW_RECORD][299] == video_element(300)
    assert_same_batch(landing_file, 1, 75, 76, 500, 4096)


def test_json_array_elements_straddling_piece_boundaries(tmp_path: Path) -> None:
    """A one-line array (pieces cut anywhere) and a pretty-printed one (cut inside elements):
    the exact reader pulls the next piece for an element that runs past its piece."""
    elements = [{"id": str(n), "username": f"user_{n}", "view_count": n} for n in range(1, 41)]
    expected = [(n, str(n), f"user_{n}", str(n)) for n in range(1, 41)]
    for name, text in (
        ("one_line.json", json.dumps(elements)),
        ("pretty.json", json.dumps(elements, indent=2)),
    ):
        landing_file = landing_with(tmp_path, TIKTOK_VIDEOS, name, text.encode())
        for batch_bytes in (1, 2, 5, 17, 49, 50, 51, 64, 300):
            batch = read_landing_file(landing_file, True, ReadLimits(batch_bytes=batch_bytes))
            assert batch.records.select(RAW_LINE, "id", "username", "view_count").rows() == (
                expected
            ), (name, batch_bytes)
            assert batch.malformed.height == 0
        assert_same_batch(landing_file, 1, 7, 50, 333)


def test_json_array_characters_split_at_piece_boundaries(tmp_path: Path) -> None:
    """Multi-byte characters (and invalid bytes, repaired) wherever a piece or a decoded part
    ends: every batch size from 1 to 80 bytes reads the same names."""
    names = ["Zoë", "😀😀😀😀😀😀😀😀😀😀", "café ✨", "日本語のテキスト", "a"]
    lines = [f'{{"username":"{name}","follower_count":{n}}}' for n, name in enumerate(names)]
    data = array_file(lines).replace(b"\xc3\xa9", b"\xe9")  # café in Latin-1: invalid UTF-8
    landing_file = landing_with(tmp_path, TIKTOK_CREATORS, "creators.json", data)
    expected = [(1, "Zoë"), (2, "😀" * 10), (3, "caf\ufffd ✨"), (4, "日本語のテキスト"), (5, "a")]
    for batch_bytes in range(1, 81):
        for fast in (True, False):
            batch = read_landing_file(landing_file, fast, ReadLimits(batch_bytes=batch_bytes))
            assert batch.records.select(RAW_LINE, "username").rows() == expected, batch_bytes
    assert_same_batch(landing_file, 3, 31)


def test_json_array_element_larger_than_a_batch_is_read(tmp_path: Path) -> None:
    bio = "ü" * 150_000 + "x" * 150_000
    elements = ['{"username":"a"}', json.dumps({"username": "b", "bio_description": bio}), "7"]
    data = array_file(elements)
    landing_file = landing_with(tmp_path, TIKTOK_CREATORS, "creators.json", data)
    for fast in (True, False):
        batches = list(iter_landing_file(landing_file, fast, ReadLimits(batch_bytes=1000)))
        records = pl.concat([b.records for b in batches])
        assert records.select(RAW_LINE, "username").rows() == [(1, "a"), (2, "b")]
        assert records["bio_description"][1] == bio
        malformed = pl.concat([b.malformed for b in batches])
        assert malformed.rows() == [(3, "7", "expected a JSON object, got str")]


JSON_KEYS = ["id", "username", "view_count", "hashtag_names", "favorites_count", "other"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
number_tokens = st.sampled_from(["0", "-12", "1.50", "1e3", "9999999999999999999", "-0"])


@st.composite
def json_array_texts(draw: st.DrawFn) -> bytes:
    """A JSON array of records and other values, laid out any way, possibly damaged."""
    blanks = st.text(alphabet=" \t\r\n", max_size=3)
    elements = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 4)):
            keys = draw(st.lists(st.sampled_from(JSON_KEYS), max_size=5))
            members = [
                json.dumps(key, ensure_ascii=draw(st.booleans()))
                + ":"
                + (
                    draw(number_tokens)
                    if draw(st.booleans())
                    else json.dumps(draw(json_values), ensure_ascii=draw(st.booleans()))
                )
                for key in keys
            ]
            elements.append("{" + draw(st.sampled_from([",", ", "])).join(members) + "}")
        else:
            elements.append(json.dumps(draw(json_values), ensure_ascii=False))
    one_per_line = draw(st.booleans())
    separators = [",\n" if one_per_line else draw(blanks) + "," + draw(blanks) for _ in elements]
    body = "".join(e + s for e, s in zip(elements, separators, strict=True))
    if elements and draw(st.booleans()):
        body = body.rstrip(",\n \t\r")  # no trailing comma
    text = draw(st.sampled_from(["", "\ufeff"])) + draw(blanks) + "[\n" + body + "\n]"
    text += draw(st.sampled_from(["", "\n", " [1]", "\n\u00a0x  \n"]))
    data = text.encode("utf-8", errors="surrogatepass")
    damage = draw(st.sampled_from(["none", "none", "truncate", "byte", "break"]))
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if damage == "truncate":
        data = data[:at]
    elif damage == "byte":
        data = (
            data[:at] + draw(st.sampled_from([b"\xff", b"\xe2\x82", b'"', b"}", b"\\"])) + data[at:]
        )
    elif damage == "break":
        data = data[:at] + b"oops" + data[at:]
    return data


@settings(max_examples=150, deadline=None)
@given(json_array_texts(), st.integers(1, 48))
# a key written with a value, then with null: Python keeps the null, Polars the value (found by
# hypothesis; the fast path's duplicate-key accounting added up)
@example(data=b'[\n{"id":null,"username":false,"username":null},\n]', batch_bytes=1)
@example(data=b'[\n{"id":1,"username":"a","username":null}\n]', batch_bytes=48)
def test_a_json_array_read_in_tiny_batches_is_the_array_read_whole(
    data: bytes, batch_bytes: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        landing_file = landing_with(Path(folder), TIKTOK_VIDEOS, "videos.json", data)
        assert_same_batch(landing_file, batch_bytes)


# --- generated CSV files ------------------------------------------------------------------------

CSV_CELLS = ["abc", "", " spaced ", "12,345", 'say "hi"', "multi\nline", "Zoë ✨", "-1", "1.5"]
CSV_MESSY_CELLS = ["\r", "cr\rinside", '["a", "b"]', "#a, #b", "[broken", '"', "a\r\nb"]


def csv_file(rng: random.Random, entity: Entity, mess: float) -> bytes:
    names = [f.name for f in entity.fields]
    header = [n for n in names if rng.random() < 0.85 or n in entity.required_fields]
    if rng.random() < 0.2:
        header.append("extra")
    if messy_now(rng, mess):
        header[0] = f" {header[0]} "
    if messy_now(rng, mess / 3):
        header.append(header[-1])  # a duplicated column name
    if "favourites_count" in header and rng.random() < 0.3:
        header.append("favorites_count")
    rows = []
    for _ in range(rng.randrange(1, 20)):
        width = len(header)
        if messy_now(rng, mess / 3):
            width += rng.choice([-1, 1])
        pool = CSV_CELLS + CSV_MESSY_CELLS if messy_now(rng, mess) else CSV_CELLS
        rows.append([rng.choice(pool) for _ in range(width)])
        if messy_now(rng, mess / 3):
            rows.append([])  # a blank line
    out = []
    for row in [header, *rows]:
        cells = []
        for cell in row:
            quote = any(c in cell for c in ',"\n\r') or rng.random() < 0.1
            cells.append('"' + cell.replace('"', '""') + '"' if quote else cell)
        out.append(",".join(cells))
    newline = "\r\n" if rng.random() < 0.3 else "\n"
    text = newline.join(out) + (newline if rng.random() < 0.9 else "")
    bom = "\ufeff" if rng.random() < 0.1 else ""
    return (bom + text).encode()


@pytest.mark.parametrize("messy", [False, True], ids=["plain", "messy"])
def test_generated_csv_files_read_the_same_both_ways(tmp_path: Path, messy: bool) -> None:
    rng = random.Random(1125 + messy)
    taken = 0
    rounds = 300
    for round_number in range(rounds):
        entity = rng.choice([TIKTOK_CREATORS, INSTAGRAM_CREATORS, TIKTOK_VIDEOS])
        mess = rng.choice([0.01, 0.05, 0.3]) if messy else 0.0
        data = csv_file(rng, entity, mess)
        landing_file = landing_with(tmp_path / str(round_number), entity, "records.csv", data)
        assert_same_batch(landing_file)
        text = data.decode("utf-8-sig")
        taken += read_csv_fast(text, entity) is not None
    if messy:
        assert rounds / 5 < taken < rounds  # both paths are exercised
    else:
        assert taken == rounds


def test_fast_json_reader_declines_what_polars_would_spell_differently(tmp_path: Path) -> None:
    for token in ("1.50", "1e3", "-0", "123456789012345678901", '{"a": 1}'):
        data = b'{"id":"1","username":"a","view_count":%s}\n' % token.encode()
        assert read_json_fast(data, TIKTOK_VIDEOS, as_array=False) is None, token
    for data in (
        b'{"id":"1","id":"2"}\n',  # duplicate key: Python keeps the last, Polars the first
        b'{"\\u0069d":"1"}\n',  # an escaped key
        b'{"id":"\\ud83d"}\n',  # a lone surrogate
        b'{"hashtag_names":["a",1.5]}\n',
    ):
        assert read_json_fast(data, TIKTOK_VIDEOS, as_array=False) is None, data
    plain = b'{"id":"1","view_count":12,"hashtag_names":["a"],"x":1.5}\n'
    parsed = read_json_fast(plain, TIKTOK_VIDEOS, as_array=False)
    assert parsed is not None
    assert parsed.select("id", "view_count", "hashtag_names").row(0) == ("1", "12", ["a"])
    assert isinstance(parsed, pl.DataFrame)


# --- cleaning: plain rows -----------------------------------------------------------------------

COUNT_SPELLINGS = [
    "0", "7", "12345", "007", "999999999999999999", "9223372036854775807", "12,345", "45.3K",
    "-1", "-5", " 12 ", "", "abc", "12.0", "1.5", "٣", "+3", None,
]  # fmt: skip
TIMESTAMP_SPELLINGS = [
    "2026-10-15T11:00:58Z", "2026-10-15T11:00:58+00:00", "2026-10-30T18:10:00+0000",
    "2026-10-15T11:00:58-05:30", "2026-10-15T11:00:58+1400", "2026-02-30T10:00:00Z",
    "2026-13-01T00:00:00+00:00", "2026-10-15T24:00:00Z", "2026-10-15T23:59:60Z",
    "2026-10-15T10:00:00+2400", "2026-10-15T10:00:00+99:99", "0000-01-01T00:00:00Z",
    "2004-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "1790927618", "0", "9999999999",
    "99999999999", "1790927618.5", "2026-10-15 11:00:58Z", "2026-10-15T11:00:58.123Z",
    "2026-10-15", "2026-10-15T11:00:58z", "garbage", "", None,
    "2026-10-16 09:45:44.000000+00:00", "2026-10-16T09:45:44.5Z", "2026-10-16 09:45:44+02:00",
    "2026-10-16T09:45:44.1234567891Z", "2026-02-29 00:00:00.000000+00:00",
]  # fmt: skip


def generated_records(rng: random.Random, entity: Entity, rows: int) -> pl.DataFrame:
    columns: dict[str, list] = {RAW_LINE: list(range(1, rows + 1)), RAW_RECORD: ["{}"] * rows}
    for f in entity.fields:
        if f.kind.value == "count":
            pool = COUNT_SPELLINGS
        elif f.kind.value == "timestamp":
            pool = TIMESTAMP_SPELLINGS
        elif f.kind.value == "text_list":
            columns[f.name] = [rng.choice([None, ["#a", " b "], []]) for _ in range(rows)]
            continue
        else:
            pool = ["x", " @Mia ", "", None, "7.3e18", "true", "2026-10-30", "instagram"]
        # mostly plain values, so that plain and other rows share a batch
        columns[f.name] = [
            rng.choice(pool[:3] if rng.random() < 0.7 else pool) for _ in range(rows)
        ]
    schema = {
        f.name: pl.List(pl.String) if f.kind.value == "text_list" else pl.String
        for f in entity.fields
    }
    return pl.DataFrame(columns, schema={RAW_LINE: pl.Int64, RAW_RECORD: pl.String} | schema)


@pytest.mark.parametrize(
    "entity", [TIKTOK_VIDEOS, INSTAGRAM_MEDIA, TIKTOK_CREATORS], ids=lambda e: e.key
)
def test_clean_batch_plain_rows_clean_as_the_full_rules_do(entity: Entity) -> None:
    rng = random.Random(7)
    for partition_day in (date(2026, 10, 15), date(2026, 1, 1)):
        records = generated_records(rng, entity, 3000)
        plain = cleaning._plain_rows(records, entity)
        assert plain is not None and 0 < plain.sum() < records.height
        result = cleaning.clean_batch(records, entity, partition_day)
        full = cleaning._clean(records, entity, partition_day, plain_rows=False)
        assert_frame_equal(result.clean, full.clean, check_exact=True)
        assert_frame_equal(result.rejected, full.rejected, check_exact=True)
        assert result.rejected.height > 0


def test_plain_timestamps_parse_as_the_full_rule_does() -> None:
    shaped = [t for t in TIMESTAMP_SPELLINGS if t is not None]
    frame = pl.DataFrame({"t": shaped}).filter(
        pl.col("t").str.contains(cleaning.PLAIN_PATTERNS[Kind.TIMESTAMP])
    )
    assert frame.height >= 16
    both = frame.select(
        cleaning.parse_timestamp("t").alias("full"),
        cleaning.parse_timestamp("t", plain=True).alias("plain"),
    )
    # as microseconds: Python datetimes cannot hold year 0
    assert both["full"].cast(pl.Int64).to_list() == both["plain"].cast(pl.Int64).to_list()
