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
from datetime import date
from pathlib import Path

import polars as pl
import pytest
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
from pipeline.landing.readers import read_landing_file
from pipeline.landing.readers.csv_file import read_csv_fast
from pipeline.landing.readers.json_fast import read_json_fast
from pipeline.landing.records import RAW_LINE, RAW_RECORD, UnreadableFile

TESTS_DIR = Path(__file__).parent
DAY = "2026-10-30"


def assert_same_batch(landing_file: LandingFile) -> None:
    try:
        exact = read_landing_file(landing_file, fast=False)
    except UnreadableFile as error:
        with pytest.raises(UnreadableFile, match=str(error).split("(")[0]):
            read_landing_file(landing_file, fast=True)
        return
    fast = read_landing_file(landing_file, fast=True)
    assert_frame_equal(fast.records, exact.records, check_exact=True)
    assert_frame_equal(fast.malformed, exact.malformed, check_exact=True)


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
        assert_same_batch(landing_file)
        as_array = name.endswith(".json")
        taken += read_json_fast(data, entity, as_array) is not None
    if messy:
        assert rounds / 5 < taken < rounds  # both paths are exercised
    else:
        assert taken == rounds


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
