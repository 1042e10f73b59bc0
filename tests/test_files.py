"""Finding landing files and reading them into all-text records plus malformed records.

Bad inputs are small hand-written files in ``tests/landing_catalogue/`` (byte-exact), copied
into a temporary landing zone; each test asserts exactly what comes out of every line.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from pipeline.landing.cleaning import id_reason, parse_timestamp
from pipeline.landing.contract import (
    CAMPAIGN_POSTS,
    CAMPAIGNS,
    INSTAGRAM_MEDIA,
    TIKTOK_CREATORS,
    TIKTOK_VIDEOS,
    Entity,
)
from pipeline.landing.discovery import LandingFile, StrayFile, discover
from pipeline.landing.readers import iter_landing_file, read_landing_file
from pipeline.landing.records import (
    RAW_LINE,
    RAW_RECORD,
    REPLACEMENT,
    RawBatch,
    ReadLimits,
    UnreadableFile,
)

CATALOGUE = Path(__file__).parent / "landing_catalogue"
DAY = "2026-10-30"


# --- helpers ------------------------------------------------------------------------------------


def entity_dir(landing: Path, entity: Entity, day: str | None = DAY) -> Path:
    folder = landing / entity.platform / entity.name
    return folder / f"dt={day}" if entity.dated and day else folder


def place(landing: Path, entity: Entity, name: str, data: bytes, day: str | None = DAY) -> Path:
    path = entity_dir(landing, entity, day) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def landing_file(landing: Path, path: Path) -> LandingFile:
    relpath = path.relative_to(landing).as_posix()
    found = {f.relpath: f for f in discover(landing).files}
    assert relpath in found, f"{relpath} not discovered"
    return found[relpath]


def read(landing: Path, entity: Entity, name: str, data: bytes | None = None) -> RawBatch:
    """Place ``data`` (default: the catalogue file ``name``) and read it."""
    if data is None:
        data = (CATALOGUE / name).read_bytes()
    return read_landing_file(landing_file(landing, place(landing, entity, name, data)))


def fields(batch: RawBatch, *names: str) -> list[tuple]:
    return batch.records.select(RAW_LINE, *names).rows()


def malformed(batch: RawBatch) -> list[tuple]:
    return batch.malformed.select(RAW_LINE, "detail").rows()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


# --- discover -----------------------------------------------------------------------------------


def test_discover_finds_files_by_entity_and_partition_day(landing):
    place(landing, TIKTOK_VIDEOS, "b.jsonl", b"{}\n")
    place(landing, TIKTOK_VIDEOS, "a.csv", b"id\n", day="2026-10-29")
    place(landing, INSTAGRAM_MEDIA, "m.PARQUET", b"")
    place(landing, CAMPAIGNS, "campaigns.json", b"[]")
    found = discover(landing)
    assert [(f.relpath, f.entity.key, f.partition_day, f.size_bytes) for f in found.files] == [
        ("tiktok/videos/dt=2026-10-29/a.csv", "tiktok.videos", date(2026, 10, 29), 3),
        ("tiktok/videos/dt=2026-10-30/b.jsonl", "tiktok.videos", date(2026, 10, 30), 3),
        ("instagram/media/dt=2026-10-30/m.PARQUET", "instagram.media", date(2026, 10, 30), 0),
        ("campaigns/campaigns/campaigns.json", "campaigns.campaigns", None, 2),
    ]
    assert found.strays == []
    assert [f.relpath for f in found.for_entity(TIKTOK_VIDEOS, {date(2026, 10, 30)})] == [
        "tiktok/videos/dt=2026-10-30/b.jsonl"
    ]


def test_discover_reports_strays_and_skips_hidden_files(landing):
    place(landing, TIKTOK_VIDEOS, "notes.txt", b"x")
    place(landing, TIKTOK_VIDEOS, ".video.jsonl.swp", b"x")
    (landing / "tiktok/videos/loose.jsonl").write_bytes(b"{}")
    place(landing, TIKTOK_VIDEOS, "bad_day.jsonl", b"{}", day="2026-02-30")
    place(landing, TIKTOK_VIDEOS, "deep/too_deep.jsonl", b"{}")
    (landing / "campaigns/campaigns/dt=2026-10-30").mkdir(parents=True)
    (landing / "campaigns/campaigns/dt=2026-10-30/c.csv").write_bytes(b"campaign_id\n")
    (landing / "youtube/videos").mkdir(parents=True)
    (landing / "youtube/videos/v.jsonl").write_bytes(b"{}")  # not an entity: not looked at
    found = discover(landing)
    assert found.files == []
    assert sorted(found.strays, key=lambda s: s.relpath) == [
        StrayFile("campaigns/campaigns/dt=2026-10-30/c.csv", "campaign files are not partitioned"),
        StrayFile(
            "tiktok/videos/dt=2026-02-30/bad_day.jsonl", "invalid partition day 'dt=2026-02-30'"
        ),
        StrayFile(
            "tiktok/videos/dt=2026-10-30/deep/too_deep.jsonl",
            "not inside a dt=YYYY-MM-DD partition folder",
        ),
        StrayFile("tiktok/videos/dt=2026-10-30/notes.txt", "unsupported file type '.txt'"),
        StrayFile("tiktok/videos/loose.jsonl", "not inside a dt=YYYY-MM-DD partition folder"),
    ]


def test_symlinks_leaving_the_landing_dir_are_strays(landing, tmp_path):
    outside = tmp_path / "outside"
    (outside / "day").mkdir(parents=True)
    (outside / "secret.jsonl").write_bytes(b'{"username": "secret", "follower_count": 1}\n')
    (outside / "day" / "secret.jsonl").write_bytes(b"{}\n")
    inside = place(landing, TIKTOK_CREATORS, "real.jsonl", b'{"username": "a"}\n')
    folder = entity_dir(landing, TIKTOK_CREATORS)
    os.symlink(outside / "secret.jsonl", folder / "link_out.jsonl")
    os.symlink(inside, folder / "link_in.jsonl")
    os.symlink(outside / "day", folder.parent / "dt=2026-10-31")
    os.symlink(folder / "gone.jsonl", folder / "broken.jsonl")
    found = discover(landing)
    assert [f.relpath for f in found.files] == [
        "tiktok/creators/dt=2026-10-30/link_in.jsonl",
        "tiktok/creators/dt=2026-10-30/real.jsonl",
    ]
    assert sorted(found.strays, key=lambda s: s.relpath) == [
        StrayFile("tiktok/creators/dt=2026-10-30/broken.jsonl", "broken symlink"),
        StrayFile(
            "tiktok/creators/dt=2026-10-30/link_out.jsonl",
            "symlink pointing outside the landing dir",
        ),
        StrayFile("tiktok/creators/dt=2026-10-31", "symlink pointing outside the landing dir"),
    ]


# --- JSON lines ---------------------------------------------------------------------------------


def test_json_lines_mixed_catalogue(landing):
    batch = read(landing, TIKTOK_VIDEOS, "tiktok_videos_mixed.jsonl")
    assert batch.rows_read == 7  # 8 lines, one blank
    assert fields(batch, "id", "username", "view_count", "like_count", "comment_count") == [
        (1, "7312345678901234567", "@Creator", "45.3K", "1,5M", "12"),
        (3, "7312345678901234568", "creator", "1.5", "true", "NaN"),
        (7, "7.3e18", "creator", "1", "1", "1"),
        (8, "7312345678901234570", "creator", "1", "1", "1"),
    ]
    assert malformed(batch) == [
        (4, "invalid JSON: Expecting property name enclosed in double quotes at column 54"),
        (5, "expected a JSON object, got list"),
        (6, "expected a JSON object, got str"),
    ]
    assert batch.malformed[RAW_RECORD].to_list() == [
        '{"id": "7312345678901234569", "username": "creator", broken json',
        "[1, 2]",
        '"just a string"',
    ]
    # the unknown field is ignored: only contract columns (plus line and raw text) come out
    assert batch.records.columns == [RAW_LINE, RAW_RECORD] + [f.name for f in TIKTOK_VIDEOS.fields]


def test_19_digit_json_number_id_is_exact_text(landing):
    batch = read(landing, TIKTOK_VIDEOS, "tiktok_videos_mixed.jsonl")
    first = batch.records["id"][0]
    assert first == "7312345678901234567"
    assert str(int(float(first))) != first  # through a float it would have changed


def test_broken_unicode_is_repaired_and_the_record_kept(landing):
    batch = read(landing, TIKTOK_VIDEOS, "tiktok_videos_mixed.jsonl")
    # a lone surrogate escape becomes U+FFFD; a raw U+2028 inside a string is not a line break
    assert fields(batch, "video_description")[-1] == (
        8,
        f"emoji {REPLACEMENT} cut \u2028 line separator",
    )
    media = read(landing, INSTAGRAM_MEDIA, "instagram_media_invalid_utf8.jsonl")
    assert fields(media, "id", "caption", "like_count") == [
        (1, "17900000000000001", f"caf{REPLACEMENT} {REPLACEMENT}{REPLACEMENT} end", "-1"),
        (2, "17900000000000002", None, None),
    ]
    assert media.malformed.height == 0


def test_json_lines_numbering_counts_blank_lines_and_crlf(landing):
    data = b'\r\n{"username": "a"}\r\n  \r\n{"username": "b"}\n\n{"username": "c"}'
    batch = read(landing, TIKTOK_CREATORS, "lines.jsonl", data)
    assert fields(batch, "username") == [(2, "a"), (4, "b"), (6, "c")]


def test_json_line_that_is_not_an_object_is_malformed(landing):
    data = b'null\n42\ntrue\n{"username": "a"}\n'
    batch = read(landing, TIKTOK_CREATORS, "values.jsonl", data)
    assert fields(batch, "username") == [(4, "a")]
    assert [line for line, _ in malformed(batch)] == [1, 2, 3]


def test_deeply_nested_json_line_is_malformed_not_a_crash(landing):
    data = b"[" * 100_000 + b"]" * 100_000 + b'\n{"username": "a"}\n'
    batch = read(landing, TIKTOK_CREATORS, "nested.jsonl", data)
    assert fields(batch, "username") == [(2, "a")]
    assert malformed(batch) == [(1, "invalid JSON: nested too deeply")]


def test_numbers_booleans_lists_and_aliases_arrive_as_text(landing):
    data = (
        b'{"id": 12, "username": "a", "create_time": 1.7e9, "view_count": -0.0,'
        b' "like_count": false, "comment_count": null, "favorites_count": "7",'
        b' "hashtag_names": "fyp, dance", "music_id": 7312345678901234567}\n'
        b'{"id": "13", "hashtag_names": ["x", 1, null], "favourites_count": 8,'
        b' "favorites_count": 9}\n'
    )
    batch = read(landing, TIKTOK_VIDEOS, "types.jsonl", data)
    assert fields(
        batch,
        "id",
        "create_time",
        "view_count",
        "like_count",
        "comment_count",
        "favourites_count",
        "hashtag_names",
        "music_id",
    ) == [
        (1, "12", "1.7e9", "-0.0", "false", None, "7", ["fyp", "dance"], "7312345678901234567"),
        (2, "13", None, None, None, None, "8", ["x", "1"], None),
    ]


# --- JSON arrays --------------------------------------------------------------------------------


def test_json_array_line_number_is_the_element(landing):
    batch = read(landing, TIKTOK_CREATORS, "tiktok_creators_array.json")
    assert batch.rows_read == 3
    assert fields(batch, "username", "follower_count") == [(1, "alpha", "10"), (3, "beta", "2B")]
    assert [line for line, _ in malformed(batch)] == [2]
    assert batch.malformed[RAW_RECORD].to_list() == ["42"]


def test_dot_json_may_hold_json_lines(landing):
    batch = read(landing, TIKTOK_CREATORS, "tiktok_creators_lines.json")
    assert fields(batch, "username", "follower_count") == [(1, "alpha", "10"), (2, "beta", "20")]
    assert batch.malformed.height == 0


def test_broken_array_element_keeps_the_elements_before_it(landing):
    data = b'[{"username": "a"}, {"username": "b"}, {"username": oops}, {"username": "d"}]'
    batch = read(landing, TIKTOK_CREATORS, "broken.json", data)
    assert fields(batch, "username") == [(1, "a"), (2, "b")]
    assert malformed(batch) == [
        (3, "invalid JSON array element: Expecting value; the rest of the file is unreadable")
    ]


def test_truncated_array_is_reported(landing):
    batch = read(landing, TIKTOK_CREATORS, "truncated.json", b'[{"username": "a"}, {"usern')
    assert fields(batch, "username") == [(1, "a")]
    assert [line for line, _ in malformed(batch)] == [2]


def test_content_after_the_array_is_not_dropped_silently(landing):
    batch = read(landing, TIKTOK_CREATORS, "tiktok_creators_concatenated_arrays.json")
    assert fields(batch, "username") == [(1, "alpha")]
    assert malformed(batch) == [(2, "unexpected content after the end of the JSON array")]
    assert batch.malformed[RAW_RECORD].to_list() == ['[{"username": "beta", "follower_count": 20}]']


# --- JSON arrays in bounded batches -------------------------------------------------------------


def read_in_batches(landing: Path, name: str, data: bytes, batch_bytes: int) -> list[RawBatch]:
    path = place(landing, TIKTOK_CREATORS, name, data)
    limits = ReadLimits(batch_bytes=batch_bytes)
    batches = list(iter_landing_file(landing_file(landing, path), fast=True, limits=limits))
    for fast in (True, False):  # read whole, either way: the same records
        whole = read_landing_file(landing_file(landing, path), fast)
        assert pl.concat([b.records for b in batches]).equals(whole.records)
        assert pl.concat([b.malformed for b in batches]).equals(whole.malformed)
    return batches


def creator_elements(count: int) -> list[str]:
    return [f'{{"username": "u{n}", "follower_count": {n}}}' for n in range(1, count + 1)]


def test_broken_array_element_in_a_later_batch_keeps_the_batches_before_it(landing):
    elements = creator_elements(60)
    elements[44] = '{"username": oops}'
    data = ("[\n" + ",\n".join(elements) + "\n]\n").encode()
    batches = read_in_batches(landing, "broken_late.json", data, batch_bytes=200)
    assert len(batches) > 8  # 44 elements of about 40 bytes read before it, 200 bytes a batch
    assert all(b.malformed.height == 0 for b in batches[:-1])
    loaded = pl.concat([b.records for b in batches])
    assert loaded.select(RAW_LINE, "username", "follower_count").rows() == [
        (n, f"u{n}", str(n)) for n in range(1, 45)
    ]
    rest = '{"username": oops},\n' + ",\n".join(elements[45:]) + "\n]\n"  # the rest, as written
    assert batches[-1].malformed.rows() == [
        (
            45,
            rest,
            "invalid JSON array element: Expecting value; the rest of the file is unreadable",
        )
    ]


def test_array_broken_after_an_element_in_a_later_batch(landing):
    elements = creator_elements(30)
    missing_comma = "[" + ",".join(elements[:20]) + " " + ",".join(elements[20:]) + "]"
    batches = read_in_batches(landing, "missing_comma.json", missing_comma.encode(), 64)
    assert pl.concat([b.records for b in batches])[RAW_LINE].to_list() == list(range(1, 21))
    assert batches[-1].malformed.rows() == [
        (
            21,
            ",".join(elements[20:]) + "]",
            "invalid JSON array: expected ',' or ']'; the rest of the file is unreadable",
        )
    ]
    truncated = ("[\n" + ",\n".join(elements[:12])).encode()
    batches = read_in_batches(landing, "truncated_late.json", truncated, 100)
    assert pl.concat([b.records for b in batches])[RAW_LINE].to_list() == list(range(1, 13))
    assert batches[-1].malformed.rows() == [
        (13, "", "invalid JSON array: expected ',' or ']'; the rest of the file is unreadable")
    ]


@pytest.mark.parametrize("batch_bytes", [7, 64, 4096, 64 * 1024**2])
def test_content_after_the_array_keeps_its_first_10000_characters(landing, batch_bytes):
    """Whatever follows the array, stripped, cut at 10,000 characters; read a piece at a time."""
    array = "[" + ",".join(creator_elements(3)) + "]"
    cases = [
        (" \n x y \n\t", "x y"),
        ("\n" * 5000 + "z" * 9999 + " " * 3000, "z" * 9999),  # blanks from the 10,000th on
        ("z" * 9999 + " " * 3000 + "y", "z" * 9999 + " "),  # more after those blanks
        ("é" * 12_000, "é" * 10_000),
    ]
    for index, (after, kept) in enumerate(cases):
        data = (array + after).encode()
        batches = read_in_batches(landing, f"after_{index}.json", data, batch_bytes)
        records = pl.concat([b.records for b in batches])
        assert records.select(RAW_LINE, "username").rows() == [(1, "u1"), (2, "u2"), (3, "u3")]
        assert pl.concat([b.malformed for b in batches]).rows() == [
            (4, kept, "unexpected content after the end of the JSON array")
        ], index


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_with_bom_and_crlf(landing):
    batch = read(landing, TIKTOK_CREATORS, "tiktok_creators_bom_crlf.csv")
    assert batch.rows_read == 3  # the blank row is not a record
    assert fields(batch, "username", "follower_count", "display_name", "bio_description") == [
        (1, "@Alpha", "12,345", "Alpha", "line one\r\nline two"),
        (4, "gamma", "45.3K", "Gamma", "bio, with comma"),
    ]
    assert malformed(batch) == [(3, "CSV row has 3 fields, the header has 4")]
    assert batch.malformed[RAW_RECORD].to_list() == ["beta,1.2M,Beta"]
    # the raw record re-quotes the field holding the line break
    assert batch.records[RAW_RECORD][0] == '@Alpha,"12,345",Alpha,"line one\r\nline two"'


def test_csv_empty_cells_are_null_and_extra_columns_ignored(landing):
    data = b"follower_count, username ,unknown\n,a,zzz\n5,,\n"
    batch = read(landing, TIKTOK_CREATORS, "cells.csv", data)
    assert fields(batch, "username", "follower_count", "display_name") == [
        (1, "a", None, None),
        (2, None, "5", None),
    ]


def test_csv_lacking_a_required_header_column_is_unreadable(landing):
    with pytest.raises(UnreadableFile) as raised:
        read(landing, TIKTOK_CREATORS, "tiktok_creators_missing_header.csv")
    assert str(raised.value) == (
        "tiktok/creators/dt=2026-10-30/tiktok_creators_missing_header.csv:"
        " CSV header lacks required column(s) follower_count (header: username, display_name)"
    )


def test_csv_field_longer_than_128_kib_is_read(landing):
    bio = "x" * 200_000
    data = f'username,follower_count,bio_description\na,1,"{bio}"\nb,2,c\n'.encode()
    batch = read(landing, TIKTOK_CREATORS, "long.csv", data)
    assert fields(batch, "username")[-1] == (2, "b")
    assert batch.records["bio_description"].str.len_chars().to_list() == [200_000, 1]


def test_csv_invalid_utf8_is_repaired(landing):
    batch = read(landing, TIKTOK_CREATORS, "latin1.csv", b"username,follower_count\ncaf\xe9,1\n")
    assert fields(batch, "username") == [(1, f"caf{REPLACEMENT}")]


# --- empty files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.jsonl", "empty.csv", "empty.json"])
def test_empty_file_gives_zero_rows(landing, name):
    batch = read(landing, TIKTOK_VIDEOS, name)
    assert (batch.records.height, batch.malformed.height, batch.rows_read) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("blank.jsonl", b"\n \r\n\t\n"),
        ("empty_array.json", b" [ ] \n"),
        ("header.csv", b"campaign_id,brand\r\n"),
    ],
)
def test_whitespace_only_files_give_zero_rows(landing, name, data):
    assert read(landing, CAMPAIGNS, name, data).rows_read == 0


# --- Parquet ------------------------------------------------------------------------------------


def write_parquet(landing: Path, entity: Entity, name: str, frame: pl.DataFrame) -> Path:
    path = entity_dir(landing, entity) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    return path


def test_corrupt_parquet_is_unreadable(landing):
    with pytest.raises(UnreadableFile, match=r"^tiktok/videos/dt=2026-10-30/tiktok_videos_corr"):
        read(landing, TIKTOK_VIDEOS, "tiktok_videos_corrupt.parquet")


def test_empty_parquet_file_is_unreadable_but_zero_row_parquet_is_fine(landing):
    with pytest.raises(UnreadableFile):
        read(landing, TIKTOK_VIDEOS, "zero_bytes.parquet", b"")
    path = write_parquet(
        landing, TIKTOK_VIDEOS, "no_rows.parquet", pl.DataFrame({"id": []}, schema={"id": pl.Int64})
    )
    assert read_landing_file(landing_file(landing, path)).rows_read == 0


def test_parquet_ids_are_exact_strings(landing):
    frame = pl.DataFrame(
        {
            "id": pl.Series([7312345678901234567, 42], dtype=pl.Int64),
            "music_id": pl.Series([18446744073709551615, None], dtype=pl.UInt64),
            "username": ["@Creator", "b"],
            "create_time": pl.Series(
                [datetime(2026, 10, 30, 18, 10, tzinfo=UTC), None]
            ).dt.convert_time_zone("Europe/Berlin"),
            "fetched_at": [datetime(2026, 10, 30, 20), None],
            "view_count": [12345.0, 1.5],
            "like_count": [True, False],
            "hashtag_names": [["a", "#b"], None],
            "favorites_count": [3, 4],
            "thumbnail": pl.Series([b"\xff\xd8\xff", b""], dtype=pl.Binary),  # unknown column
        }
    )
    path = write_parquet(landing, TIKTOK_VIDEOS, "typed.parquet", frame)
    batch = read_landing_file(landing_file(landing, path))
    assert batch.records.schema["id"] == pl.String
    assert fields(
        batch, "id", "music_id", "username", "view_count", "like_count", "favourites_count"
    ) == [
        (1, "7312345678901234567", "18446744073709551615", "@Creator", "12345.0", "true", "3"),
        (2, "42", None, "b", "1.5", "false", "4"),
    ]
    assert batch.records["hashtag_names"].to_list() == [["a", "#b"], None]
    parsed = batch.records.select(
        parse_timestamp("create_time").alias("create_time"),
        parse_timestamp("fetched_at").alias("fetched_at"),
    )
    assert parsed.row(0) == (datetime(2026, 10, 30, 18, 10), datetime(2026, 10, 30, 20))
    assert batch.records[RAW_RECORD][1].startswith('{"id":42,')


def test_parquet_float_id_is_rejected_by_the_id_rule(landing):
    frame = pl.DataFrame({"id": [7312345678901234567.0], "username": ["a"]})
    path = write_parquet(landing, TIKTOK_VIDEOS, "float_id.parquet", frame)
    batch = read_landing_file(landing_file(landing, path))
    assert batch.records.select(id_reason("id").alias("r"))["r"].to_list() == ["invalid_value"]


def test_parquet_column_that_cannot_become_text_is_unreadable(landing):
    frame = pl.DataFrame({"id": [[1, 2]], "username": ["a"]})
    path = write_parquet(landing, TIKTOK_VIDEOS, "list_id.parquet", frame)
    with pytest.raises(UnreadableFile, match="unsupported Parquet column types"):
        read_landing_file(landing_file(landing, path))


# --- campaigns ----------------------------------------------------------------------------------


def test_campaign_posts_catalogue_reads_as_text(landing):
    batch = read(landing, CAMPAIGN_POSTS, "campaign_posts.csv")
    assert batch.rows_read == 7
    assert fields(batch, "platform", "fee", "creator_username") == [
        (1, "TikTok", "1500", "@Creator"),
        (2, "instagram", "1250.50", " CREATOR2 "),
        (3, "youtube", "100", "creator3"),
        (4, "tiktok", "-5", "creator4"),
        (5, "tiktok", "free", "creator5"),
        (6, "tiktok", None, "creator6"),
    ]
    assert malformed(batch) == [(7, "CSV row has 3 fields, the header has 5")]


def test_reading_leaves_the_file_untouched(landing):
    data = (CATALOGUE / "tiktok_videos_mixed.jsonl").read_bytes()
    path = place(landing, TIKTOK_VIDEOS, "mixed.jsonl", data)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_landing_file(landing_file(landing, path))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
