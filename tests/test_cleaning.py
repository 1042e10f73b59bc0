"""Cleaning rules, one by one, with hand-computed values; then clean_batch per entity.

Each rule is a Polars expression over a text column; the helpers below evaluate it on a
one-column frame so a test reads as a table of input -> expected output.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.landing.cleaning import (
    INVALID_COUNT,
    INVALID_TIMESTAMP,
    INVALID_VALUE,
    MISSING_REQUIRED_FIELD,
    NEGATIVE_COUNT,
    clean_batch,
    count_reason,
    id_reason,
    normalize_id,
    normalize_username,
    parse_count,
    parse_timestamp,
    timestamp_reason,
)
from pipeline.landing.contract import (
    CAMPAIGN_POSTS,
    CAMPAIGNS,
    INSTAGRAM_CREATORS,
    INSTAGRAM_MEDIA,
    ROSTER_CREATORS,
    TIKTOK_CREATORS,
    TIKTOK_VIDEOS,
    Entity,
    Kind,
)
from pipeline.landing.records import RAW_LINE, RAW_RECORD

# --- helpers ------------------------------------------------------------------------------------


def evaluate(expression: pl.Expr, values: list[str | None]) -> list:
    """The expression's results on a one-column text frame ``c``."""
    frame = pl.DataFrame({"c": values}, schema={"c": pl.String})
    return frame.select(expression.alias("out"))["out"].to_list()


def counts(values: list[str | None], hidden_sentinel: bool = False) -> list[tuple]:
    """(value, reason) per input."""
    frame = pl.DataFrame({"c": values}, schema={"c": pl.String})
    result = frame.select(
        parse_count("c").alias("value"), count_reason("c", hidden_sentinel).alias("reason")
    )
    return list(zip(result["value"].to_list(), result["reason"].to_list()))


def timestamps(values: list[str | None]) -> list[tuple]:
    frame = pl.DataFrame({"c": values}, schema={"c": pl.String})
    result = frame.select(
        parse_timestamp("c").alias("value"), timestamp_reason("c").alias("reason")
    )
    return list(zip(result["value"].to_list(), result["reason"].to_list()))


def raw_records(entity: Entity, rows: list[dict]) -> pl.DataFrame:
    """Records as files.read_landing_file gives them: every contract field as text."""
    schema = {RAW_LINE: pl.Int64, RAW_RECORD: pl.String} | {
        f.name: pl.List(pl.String) if f.kind is Kind.TEXT_LIST else pl.String for f in entity.fields
    }
    columns: dict[str, list] = {name: [] for name in schema}
    for number, row in enumerate(rows, start=1):
        columns[RAW_LINE].append(number)
        columns[RAW_RECORD].append(json.dumps(row))
        for f in entity.fields:
            columns[f.name].append(row.get(f.name))
    return pl.DataFrame(columns, schema=schema)


def clean(entity: Entity, rows: list[dict], partition_day: date | None = date(2026, 10, 30)):
    return clean_batch(raw_records(entity, rows), entity, partition_day)


def rejected_reasons(result) -> dict[int, str]:
    return dict(zip(result.rejected[RAW_LINE].to_list(), result.rejected["reason"].to_list()))


VIDEO = {
    "id": "7312345678901234567",
    "username": "Creator",
    "create_time": "1793383800",  # 2026-10-30T18:10:00Z
    "view_count": "1000",
    "like_count": "100",
    "comment_count": "10",
    "share_count": "1",
    "fetched_at": "2026-10-30T20:00:00Z",
}
MEDIA = {
    "id": "17900000000000001",
    "username": "@Creator",
    "timestamp": "2026-10-30T18:10:00+0000",
    "comments_count": "3",
    "like_count": "25",
    "fetched_at": "2026-10-30T20:00:00Z",
}
CAMPAIGN_POST = {
    "campaign_id": "c-1",
    "platform": "tiktok",
    "post_id": "7312345678901234567",
    "fee": "1500",
    "creator_username": "@Creator",
}


# --- counts -------------------------------------------------------------------------------------


ACCEPTED_COUNTS = {
    "12345": 12345,
    "12,345": 12345,
    "45.3K": 45_300,
    "1.2M": 1_200_000,
    "2B": 2_000_000_000,
    "1,5M": 1_500_000,
    "1.5M": 1_500_000,
    "1.234.567": 1_234_567,
    "1,234,567": 1_234_567,
    "1.000": 1000,  # without a suffix, a group of exactly three digits is thousands
    "  12,345 ": 12345,
    "\t45.3K\n": 45_300,
    "45.3k": 45_300,
    "1.2m": 1_200_000,
    "2b": 2_000_000_000,
    "1.25K": 1250,
    "0.5K": 500,
    "1,234K": 1234,  # with a suffix a single ',' is the decimal mark: 1.234K
    "0": 0,
    "12.0": 12,  # a whole decimal is a whole number
    "9223372036854775807": 2**63 - 1,
}

INVALID_COUNTS = [
    "abc",
    "",
    "   ",
    "1.5",  # not whole
    "1.2345K",  # = 1234.5
    "true",  # a JSON boolean arrives as text "true"
    "false",
    "NaN",
    "nan",
    "Infinity",
    "12,34",  # not a group of three
    "1,234.567",  # mixed separators
    "1.2.3",
    "1.5MK",
    "K",
    "1.K",
    "1e3",
    "9223372036854775808",  # beyond BIGINT
    "99999999999B",
]


def test_parse_count_accepts():
    texts = list(ACCEPTED_COUNTS)
    assert dict(zip(texts, counts(texts))) == {
        text: (value, None) for text, value in ACCEPTED_COUNTS.items()
    }


def test_parse_count_rejects_as_invalid_count():
    assert dict(zip(INVALID_COUNTS, counts(INVALID_COUNTS))) == {
        text: (None, INVALID_COUNT) for text in INVALID_COUNTS
    }


def test_negative_counts_are_negative_count():
    assert counts(["-5", "-1", "-1.2K", "-0"]) == [
        (-5, NEGATIVE_COUNT),
        (-1, NEGATIVE_COUNT),
        (-1200, NEGATIVE_COUNT),
        (0, None),
    ]


def test_hidden_sentinel_accepts_minus_one_only():
    assert counts(["-1", "-2", "5", None], hidden_sentinel=True) == [
        (-1, None),
        (-2, NEGATIVE_COUNT),
        (5, None),
        (None, None),
    ]


def test_absent_count_has_no_reason_but_empty_text_is_invalid():
    assert counts([None, ""]) == [(None, None), (None, INVALID_COUNT)]


# --- timestamps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20)),
        (" 1700000000 ", datetime(2023, 11, 14, 22, 13, 20)),
        ("1700000000.5", datetime(2023, 11, 14, 22, 13, 20, 500_000)),
        ("2026-10-30T18:10:00Z", datetime(2026, 10, 30, 18, 10)),
        ("2026-10-30T18:10:00z", datetime(2026, 10, 30, 18, 10)),
        ("2026-10-30T18:10:00+00:00", datetime(2026, 10, 30, 18, 10)),
        ("2026-10-30T18:10:00+0000", datetime(2026, 10, 30, 18, 10)),  # Instagram API form
        ("2026-10-30T20:10:00+02:00", datetime(2026, 10, 30, 18, 10)),
        ("2026-10-30T18:10:00-05:30", datetime(2026, 10, 30, 23, 40)),
        ("2026-10-31T01:10:00+0900", datetime(2026, 10, 30, 16, 10)),
        ("2026-10-30T18:10:00.123Z", datetime(2026, 10, 30, 18, 10, 0, 123_000)),
        ("2026-10-30 18:10:00", datetime(2026, 10, 30, 18, 10)),  # no offset: UTC
        ("2026-10-30T18:10", datetime(2026, 10, 30, 18, 10)),
        ("2026-10-30", datetime(2026, 10, 30)),
        ("2005-01-01T00:00:00Z", datetime(2005, 1, 1)),
        ("1104537600", datetime(2005, 1, 1)),
        ("2099-12-31T23:59:59Z", datetime(2099, 12, 31, 23, 59, 59)),
    ],
)
def test_parse_timestamp_accepts_as_naive_utc(text, expected):
    assert timestamps([text]) == [(expected, None)]


@pytest.mark.parametrize(
    "text",
    [
        "not a date",
        "",
        "2026-13-01",
        "2026-02-30",
        "2026-10-30Tnoon",
        "1700000000000",  # milliseconds
        "-1",
        "1e9",
        "30/10/2026",
    ],
)
def test_unparseable_timestamp_is_invalid(text):
    assert timestamps([text]) == [(None, INVALID_TIMESTAMP)]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2004-12-31T23:59:59Z", datetime(2004, 12, 31, 23, 59, 59)),
        ("1104537599", datetime(2004, 12, 31, 23, 59, 59)),
        ("0", datetime(1970, 1, 1)),
        ("2100-01-01", datetime(2100, 1, 1)),
    ],
)
def test_timestamp_outside_2005_2099_is_invalid(text, parsed):
    assert timestamps([text]) == [(parsed, INVALID_TIMESTAMP)]


def test_absent_timestamp_has_no_reason():
    assert timestamps([None]) == [(None, None)]


# --- ids, usernames -----------------------------------------------------------------------------


def test_19_digit_id_stays_exact_text():
    big = "7312345678901234567"
    assert int(big) > 2**53 and str(int(float(big))) != big  # a float would change it
    assert evaluate(normalize_id("c"), [big, f" {big} "]) == [big, big]
    assert evaluate(id_reason("c"), [big, "17841400000000000"]) == [None, None]


@pytest.mark.parametrize("text", ["7.3e18", "7.312345678901235e+18", "7E18", "123.0"])
def test_id_that_went_through_a_float_is_invalid_value(text):
    assert evaluate(id_reason("c"), [text]) == [INVALID_VALUE]


def test_username_trimmed_one_at_removed_lower_cased():
    assert evaluate(
        normalize_username("c"), ["  @Creator.One ", "CREATOR", "@@double", "@ spaced", None]
    ) == ["creator.one", "creator", "@double", "spaced", None]


# --- clean_batch: per entity --------------------------------------------------------------------


def test_clean_video_row_is_fully_typed():
    row = VIDEO | {
        "view_count": "45.3K",
        "like_count": "1,5M",
        "favourites_count": "12,345",
        "hashtag_names": ["#fyp", " dance ", "#", " ", "# x "],
        "region_code": " us ",
        "video_description": "caf\ufffd",
    }
    result = clean(TIKTOK_VIDEOS, [row])
    assert result.rejected.height == 0
    assert result.clean.row(0, named=True) == {
        RAW_LINE: 1,
        "id": "7312345678901234567",
        "username": "creator",
        "create_time": datetime(2026, 10, 30, 18, 10),
        "view_count": 45_300,
        "like_count": 1_500_000,
        "comment_count": 10,
        "share_count": 1,
        "favourites_count": 12_345,
        "video_description": "caf\ufffd",
        "hashtag_names": ["fyp", "dance", "x"],
        "music_id": None,
        "video_duration": None,
        "region_code": "US",
        "fetched_at": datetime(2026, 10, 30, 20),
    }


@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_field_absent_null_or_empty_is_missing(value):
    row = {k: v for k, v in VIDEO.items() if k != "view_count"}
    if value is not None:
        row["view_count"] = value
    result = clean(TIKTOK_VIDEOS, [row])
    assert result.clean.height == 0
    assert result.rejected.row(0, named=True)["reason"] == MISSING_REQUIRED_FIELD
    assert "view_count is required but missing or empty" in result.rejected["detail"][0]


def test_each_entity_rejects_missing_required_fields():
    cases = [
        (TIKTOK_CREATORS, {"username": "a"}),
        (INSTAGRAM_CREATORS, {"followers_count": "1"}),
        (INSTAGRAM_MEDIA, MEDIA | {"id": None}),
        (CAMPAIGNS, {"brand": "Acme"}),
        (CAMPAIGN_POSTS, CAMPAIGN_POST | {"fee": ""}),
        (ROSTER_CREATORS, {"tiktok_username": "mia"}),
    ]
    for entity, row in cases:
        result = clean(entity, [row], None if not entity.dated else date(2026, 10, 30))
        assert rejected_reasons(result) == {1: MISSING_REQUIRED_FIELD}, entity.key


def test_count_rejections_carry_reason_and_detail():
    rows = [
        VIDEO | {"view_count": "abc"},
        VIDEO | {"view_count": "1.5"},
        VIDEO | {"view_count": "1.2345K"},
        VIDEO | {"view_count": "true"},
        VIDEO | {"view_count": "NaN"},
        VIDEO | {"like_count": "-3"},
        VIDEO | {"like_count": "-1"},  # -1 means hidden only on Instagram media
        VIDEO,
    ]
    result = clean(TIKTOK_VIDEOS, rows)
    assert rejected_reasons(result) == {
        1: INVALID_COUNT,
        2: INVALID_COUNT,
        3: INVALID_COUNT,
        4: INVALID_COUNT,
        5: INVALID_COUNT,
        6: NEGATIVE_COUNT,
        7: NEGATIVE_COUNT,
    }
    assert result.rejected["detail"][0] == (
        'view_count="abc" is not a non-negative whole number (12345, 12,345, 45.3K, 1.2M)'
    )
    assert result.clean[RAW_LINE].to_list() == [8]


def test_instagram_like_count_minus_one_or_missing_is_hidden_never_zero():
    rows = [
        MEDIA | {"like_count": "-1"},
        {k: v for k, v in MEDIA.items() if k != "like_count"},
        MEDIA | {"like_count": None},
        MEDIA | {"like_count": "0"},
        MEDIA | {"like_count": "1.2K"},
        MEDIA | {"like_count": "-2"},
    ]
    result = clean(INSTAGRAM_MEDIA, rows)
    assert rejected_reasons(result) == {6: NEGATIVE_COUNT}
    assert result.clean.select(RAW_LINE, "like_count", "likes_hidden").rows() == [
        (1, None, True),
        (2, None, True),
        (3, None, True),
        (4, 0, False),
        (5, 1200, False),
    ]


def test_instagram_comments_count_minus_one_is_negative():
    result = clean(INSTAGRAM_MEDIA, [MEDIA | {"comments_count": "-1"}])
    assert rejected_reasons(result) == {1: NEGATIVE_COUNT}


def test_instagram_api_timestamp_and_username():
    result = clean(INSTAGRAM_MEDIA, [MEDIA])
    assert result.clean.select("username", "timestamp", "fetched_at").row(0) == (
        "creator",
        datetime(2026, 10, 30, 18, 10),
        datetime(2026, 10, 30, 20),
    )


def test_ids_in_clean_batch():
    rows = [VIDEO | {"id": "7.3e18"}, VIDEO | {"music_id": "1.0"}, VIDEO | {"music_id": " 42 "}]
    result = clean(TIKTOK_VIDEOS, rows)
    assert rejected_reasons(result) == {1: INVALID_VALUE, 2: INVALID_VALUE}
    assert result.clean.select("id", "music_id").rows() == [("7312345678901234567", "42")]


def test_post_more_than_one_day_after_fetched_at_is_invalid_timestamp():
    rows = [
        VIDEO | {"create_time": "2026-10-31T20:00:00Z"},  # exactly one day after: fine
        VIDEO | {"create_time": "2026-10-31T20:00:01Z"},
        MEDIA | {"timestamp": "2026-10-31T20:00:01+0000"},
    ]
    videos = clean(TIKTOK_VIDEOS, rows[:2])
    assert rejected_reasons(videos) == {2: INVALID_TIMESTAMP}
    assert videos.rejected["detail"][0] == (
        "create_time=2026-10-31T20:00:01Z is more than one day after"
        " fetched_at=2026-10-30T20:00:00Z"
    )
    media = clean(INSTAGRAM_MEDIA, rows[2:])
    assert rejected_reasons(media) == {1: INVALID_TIMESTAMP}


def test_missing_fetched_at_is_partition_day_midnight_utc():
    no_fetch = {k: v for k, v in VIDEO.items() if k != "fetched_at"}
    rows = [
        no_fetch | {"create_time": "2026-10-31T00:00:00Z"},  # one day after 2026-10-30 00:00
        no_fetch | {"create_time": "2026-10-31T00:00:01Z"},
    ]
    result = clean(TIKTOK_VIDEOS, rows, partition_day=date(2026, 10, 30))
    assert rejected_reasons(result) == {2: INVALID_TIMESTAMP}
    assert result.clean["fetched_at"].to_list() == [datetime(2026, 10, 30)]
    creators = clean(TIKTOK_CREATORS, [{"username": "a", "follower_count": "1"}])
    assert creators.clean["fetched_at"].to_list() == [datetime(2026, 10, 30)]


def test_invalid_fetched_at_is_rejected():
    result = clean(TIKTOK_CREATORS, [{"username": "a", "follower_count": "1", "fetched_at": "x"}])
    assert rejected_reasons(result) == {1: INVALID_TIMESTAMP}


def test_fetched_at_far_after_its_partition_day_or_in_the_future_is_invalid_timestamp():
    """Fix 4: partition day 2026-10-01 ends at 2026-10-02T00:00; fetched_at may be at most one day
    later (2026-10-03T00:00, accepted), one second more is rejected, and so is 2099 (which the
    2005-2099 range lets through). Loaded on the day itself (2026-10-01T12:00), more than one
    day ahead of the clock (2026-10-02T12:00) is rejected too. The detail names the bound."""
    day = date(2026, 10, 1)

    def fetched(*values: str) -> pl.DataFrame:
        rows = [
            {"username": f"u{i}", "follower_count": "1", "fetched_at": v}
            for i, v in enumerate(values)
        ]
        return raw_records(TIKTOK_CREATORS, rows)

    def details(result) -> dict[int, str]:
        return dict(zip(result.rejected[RAW_LINE].to_list(), result.rejected["detail"].to_list()))

    late = clean_batch(
        fetched("2026-10-03T00:00:00Z", "2026-10-03T00:00:01Z", "2099-06-01T00:00:00Z"),
        TIKTOK_CREATORS,
        day,
        loaded_at=datetime(2026, 12, 1),
    )
    assert late.clean["username"].to_list() == ["u0"]
    assert rejected_reasons(late) == {2: INVALID_TIMESTAMP, 3: INVALID_TIMESTAMP}
    assert details(late) == {
        2: "fetched_at=2026-10-03T00:00:01Z is more than one day after the end of partition day"
        " 2026-10-01",
        3: "fetched_at=2099-06-01T00:00:00Z is more than one day after the end of partition day"
        " 2026-10-01; fetched_at=2099-06-01T00:00:00Z is more than one day in the future"
        " at load time",
    }
    ahead = clean_batch(
        fetched("2026-10-02T12:00:00Z", "2026-10-02T12:00:01Z"),
        TIKTOK_CREATORS,
        day,
        loaded_at=datetime(2026, 10, 1, 12),
    )
    assert ahead.clean["username"].to_list() == ["u0"]
    assert details(ahead) == {
        2: "fetched_at=2026-10-02T12:00:01Z is more than one day in the future at load time"
    }
    assert rejected_reasons(ahead) == {2: INVALID_TIMESTAMP}


def test_username_empty_after_normalisation_is_missing():
    """Fix 6: " @ " is no username: a required one rejects the record as missing, an optional
    one (campaign_posts.creator_username) is NULL, never ''."""
    creators = clean(
        TIKTOK_CREATORS,
        [{"username": " @ ", "follower_count": "1"}, {"username": "@a", "follower_count": "2"}],
    )
    assert creators.clean["username"].to_list() == ["a"]
    assert rejected_reasons(creators) == {1: MISSING_REQUIRED_FIELD}
    assert creators.rejected["detail"].to_list() == ["username is required but missing or empty"]
    post = {"campaign_id": "c", "platform": "tiktok", "post_id": "1", "fee": "5"}
    posts = clean(CAMPAIGN_POSTS, [post | {"creator_username": "@"}], partition_day=None)
    assert posts.rejected.height == 0
    assert posts.clean["creator_username"].to_list() == [None]


def test_campaign_posts_platform_fee_and_username():
    rows = [
        CAMPAIGN_POST,
        CAMPAIGN_POST | {"platform": " Instagram ", "fee": "1250.50"},
        CAMPAIGN_POST | {"platform": "youtube"},
        CAMPAIGN_POST | {"fee": "abc"},
        CAMPAIGN_POST | {"fee": "-5"},
        CAMPAIGN_POST | {"fee": "1,500"},
        CAMPAIGN_POST | {"platform": ""},
    ]
    result = clean(CAMPAIGN_POSTS, rows, partition_day=None)
    assert rejected_reasons(result) == {
        3: INVALID_VALUE,
        4: INVALID_VALUE,
        5: INVALID_VALUE,
        6: INVALID_VALUE,
        7: MISSING_REQUIRED_FIELD,
    }
    assert result.clean.select("platform", "fee", "creator_username").rows() == [
        ("tiktok", Decimal("1500.00"), "creator"),
        ("instagram", Decimal("1250.50"), "creator"),
    ]


def test_usernames_normalised_on_every_entity():
    cases = [
        (TIKTOK_CREATORS, {"username": " @MixedCase ", "follower_count": "1"}, "username"),
        (TIKTOK_VIDEOS, VIDEO | {"username": "@MixedCase"}, "username"),
        (INSTAGRAM_CREATORS, {"username": "MixedCase ", "followers_count": "1"}, "username"),
        (INSTAGRAM_MEDIA, MEDIA | {"username": "@MIXEDCASE"}, "username"),
        (CAMPAIGN_POSTS, CAMPAIGN_POST | {"creator_username": " @MixedCase"}, "creator_username"),
    ]
    for entity, row, column in cases:
        result = clean(entity, [row], None if not entity.dated else date(2026, 10, 30))
        assert result.clean[column].to_list() == ["mixedcase"], entity.key


def test_roster_needs_one_username_and_defaults_active_to_true():
    rows = [
        {"creator_id": "CR-1", "tiktok_username": " @Mia.Dance ", "active": None},
        {"creator_id": "CR-2", "instagram_username": "@Leo", "active": "no"},
        {"creator_id": "CR-3", "tiktok_username": "", "instagram_username": None},
        {"creator_id": "CR-4", "tiktok_username": " @ ", "active": "yes"},  # empty once cleaned
        {"creator_id": "CR-5", "tiktok_username": "a", "instagram_username": "B", "active": "1"},
        {"creator_id": "CR-6", "tiktok_username": "a", "active": "maybe"},
    ]
    result = clean(ROSTER_CREATORS, rows, partition_day=None)
    assert rejected_reasons(result) == {
        3: MISSING_REQUIRED_FIELD,
        4: MISSING_REQUIRED_FIELD,
        6: INVALID_VALUE,
    }
    assert (
        "one of tiktok_username, instagram_username is required" in (result.rejected["detail"][0])
    )
    assert result.clean.select(
        "creator_id", "tiktok_username", "instagram_username", "active"
    ).rows() == [
        ("CR-1", "mia.dance", None, True),
        ("CR-2", None, "leo", False),
        ("CR-5", "a", "b", True),
    ]


def test_campaign_dates_and_codes():
    rows = [
        {"campaign_id": "c-1", "start_date": "2026-10-01", "currency": " eur "},
        {"campaign_id": "c-2", "start_date": "01/10/2026"},
    ]
    result = clean(CAMPAIGNS, rows, partition_day=None)
    assert rejected_reasons(result) == {2: INVALID_VALUE}
    assert result.clean.select("campaign_id", "start_date", "currency").rows() == [
        ("c-1", date(2026, 10, 1), "EUR")
    ]


def test_clean_and_rejected_partition_the_batch():
    rows = [VIDEO, VIDEO | {"view_count": "x"}, VIDEO | {"id": None}, VIDEO]
    result = clean(TIKTOK_VIDEOS, rows)
    assert result.clean[RAW_LINE].to_list() == [1, 4]
    assert result.rejected[RAW_LINE].to_list() == [2, 3]
    assert result.rejected[RAW_RECORD][0] == json.dumps(rows[1])


# --- properties ---------------------------------------------------------------------------------

EARLIEST_OK = datetime(2005, 1, 1)
LATEST_OK = datetime(2100, 1, 1)
EPOCH_2005 = int(datetime(2005, 1, 1, tzinfo=UTC).timestamp())
EPOCH_2100 = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())


PROPERTY_SETTINGS = settings(max_examples=15, deadline=None)


def _grouped(n: int, separator: str) -> str:
    return f"{n:,}".replace(",", separator)


@st.composite
def count_like_text(draw) -> str:
    n = draw(st.integers(min_value=-(10**12), max_value=10**15))
    style = draw(st.sampled_from(["plain", "comma", "dot", "K", "M", "B", "decimal_suffix"]))
    if style == "plain":
        text = str(n)
    elif style in ("comma", "dot"):
        text = ("-" if n < 0 else "") + _grouped(abs(n), "," if style == "comma" else ".")
    elif style == "decimal_suffix":
        text = f"{abs(n) % 1000}{draw(st.sampled_from('.,'))}{abs(n) % 97}"
        text += draw(st.sampled_from("KkMmBb"))
    else:
        text = f"{n}{draw(st.sampled_from([style, style.lower()]))}"
    padding = draw(st.sampled_from(["", " ", "\t", "  \n"]))
    return padding + text + padding


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.text(), count_like_text(), st.none()), max_size=80))
def test_count_never_raises_and_value_xor_reason(values):
    for text, (value, reason) in zip(values, counts(values), strict=True):
        if text is None:
            assert (value, reason) == (None, None)
        elif reason is None:
            assert value is not None and value >= 0
        else:
            assert reason in (INVALID_COUNT, NEGATIVE_COUNT)
            assert (value is None) == (reason == INVALID_COUNT)


@PROPERTY_SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=2**63 - 1), min_size=1, max_size=30))
def test_formatted_integers_round_trip(numbers):
    renderings = (str, lambda n: _grouped(n, ","), lambda n: _grouped(n, "."))
    texts = [render(n) for render in renderings for n in numbers]
    assert counts(texts) == [(n, None) for _ in renderings for n in numbers]


@PROPERTY_SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=999_999_999_999), min_size=1, max_size=30))
def test_thousands_suffix_round_trips(numbers):
    texts = [f"{n}K" for n in numbers] + [f"{n}m" for n in numbers]
    expected = [n * 1000 for n in numbers] + [n * 1_000_000 for n in numbers]
    assert counts(texts) == [(e, None) for e in expected]


@PROPERTY_SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30))
def test_one_decimal_suffix_round_trips(numbers):
    """n/10 thousand written "x.yK" and "x,yK" is n * 100."""
    texts = [f"{n // 10}{sep}{n % 10}K" for n in numbers for sep in ".,"]
    assert counts(texts) == [(n * 100, None) for n in numbers for _ in ".,"]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(), st.none(), count_like_text(), st.from_regex(r"\A\d{1,12}\Z")),
        max_size=80,
    )
)
def test_timestamp_never_raises_and_value_or_reason(values):
    for text, (value, reason) in zip(values, timestamps(values), strict=True):
        if text is None:
            assert (value, reason) == (None, None)
        elif reason is None:
            assert EARLIEST_OK <= value < LATEST_OK
        else:
            assert reason == INVALID_TIMESTAMP


@PROPERTY_SETTINGS
@given(
    st.lists(st.integers(min_value=EPOCH_2005, max_value=EPOCH_2100 - 1), min_size=1, max_size=20),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_epoch_seconds_round_trip_via_iso_renderings(seconds, offset_minutes):
    offset = timezone(timedelta(minutes=offset_minutes))
    expected = [datetime.fromtimestamp(s, UTC).replace(tzinfo=None) for s in seconds]
    renderings = [
        str,
        lambda s: datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        lambda s: datetime.fromtimestamp(s, UTC).isoformat(),  # +00:00
        lambda s: datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        lambda s: datetime.fromtimestamp(s, offset).isoformat(),  # another offset
        lambda s: datetime.fromtimestamp(s, offset).strftime("%Y-%m-%dT%H:%M:%S%z"),
    ]
    texts = [render(s) for render in renderings for s in seconds]
    assert timestamps(texts) == [(e, None) for _ in renderings for e in expected], texts
