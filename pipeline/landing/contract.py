"""The landing-zone contract: which entities exist, where their files live, which fields they carry.

Each entity is described declaratively (field name, kind, required); the cleaning rules in
:mod:`pipeline.landing.cleaning` turn a field's kind into Polars expressions, and the warehouse
table for the entity is derived from the same description. Adding a field is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """How a landing field is cleaned, and the DuckDB type it is stored as."""

    TEXT = "text"  # free text, kept as is (broken Unicode repaired)
    CODE = "code"  # short code, trimmed and upper-cased (media_type, currency, region_code)
    ID = "id"  # identifier, always a string (platform IDs exceed 2^53)
    USERNAME = "username"  # trimmed, leading '@' removed, lower-cased
    COUNT = "count"  # non-negative whole number; accepts "12,345", "45.3K", "1.2M", "2B"
    TIMESTAMP = "timestamp"  # UTC; epoch seconds or ISO-8601 with Z / +00:00 / +0000
    DATE = "date"  # calendar date, YYYY-MM-DD
    BOOL = "bool"  # true/false, 1/0, yes/no
    TEXT_LIST = "text_list"  # JSON array of strings, or a comma-separated string
    MONEY = "money"  # plain non-negative decimal, e.g. 1500 or 1250.50
    PLATFORM = "platform"  # tiktok | instagram


DUCKDB_TYPES: dict[Kind, str] = {
    Kind.TEXT: "VARCHAR",
    Kind.CODE: "VARCHAR",
    Kind.ID: "VARCHAR",
    Kind.USERNAME: "VARCHAR",
    Kind.COUNT: "BIGINT",
    Kind.TIMESTAMP: "TIMESTAMP",  # naive, always UTC
    Kind.DATE: "DATE",
    Kind.BOOL: "BOOLEAN",
    Kind.TEXT_LIST: "VARCHAR[]",
    Kind.MONEY: "DECIMAL(18, 2)",
    Kind.PLATFORM: "VARCHAR",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()  # other spellings accepted in landing files
    description: str = ""
    default: bool | None = None  # value of an absent field (only BOOL fields have one today)


@dataclass(frozen=True)
class Entity:
    platform: str  # landing folder level 1: tiktok | instagram | campaigns | roster
    name: str  # landing folder level 2: creators | videos | media | campaigns | campaign_posts
    fields: tuple[Field, ...]
    dated: bool = True  # files live under dt=YYYY-MM-DD/ partition folders
    timestamp_field: str | None = None  # the post's creation time (checked against fetched_at)
    hidden_sentinel_fields: tuple[str, ...] = ()  # counts where -1 means "hidden" (NULL)
    required_one_of: tuple[str, ...] = ()  # at least one of these fields must be present

    @property
    def key(self) -> str:
        """Dotted name used in the ledger and quarantine: ``tiktok.videos``."""
        return f"{self.platform}.{self.name}"

    @property
    def table(self) -> str:
        """Warehouse table in schema ``ingest``: ``tiktok_videos``, ``campaigns``, ``campaign_posts``,
        ``roster_creators``."""
        return self.name if self.platform == "campaigns" else f"{self.platform}_{self.name}"

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


FETCHED_AT = Field(
    "fetched_at",
    Kind.TIMESTAMP,
    description="When the record was observed (UTC); defaults to the partition day at 00:00 UTC.",
)

TIKTOK_CREATORS = Entity(
    "tiktok",
    "creators",
    (
        Field("username", Kind.USERNAME, required=True),
        Field("follower_count", Kind.COUNT, required=True),
        Field("display_name", Kind.TEXT),
        Field("following_count", Kind.COUNT),
        Field("likes_count", Kind.COUNT),
        Field("video_count", Kind.COUNT),
        Field("is_verified", Kind.BOOL),
        Field("bio_description", Kind.TEXT),
        FETCHED_AT,
    ),
)

TIKTOK_VIDEOS = Entity(
    "tiktok",
    "videos",
    (
        Field("id", Kind.ID, required=True),
        Field("username", Kind.USERNAME, required=True),
        Field("create_time", Kind.TIMESTAMP, required=True),
        Field("view_count", Kind.COUNT, required=True),
        Field("like_count", Kind.COUNT, required=True),
        Field("comment_count", Kind.COUNT, required=True),
        Field("share_count", Kind.COUNT, required=True),
        Field("favourites_count", Kind.COUNT, aliases=("favorites_count",)),
        Field("video_description", Kind.TEXT),
        Field("hashtag_names", Kind.TEXT_LIST),
        Field("music_id", Kind.ID),
        Field("video_duration", Kind.COUNT),
        Field("region_code", Kind.CODE),
        FETCHED_AT,
    ),
    timestamp_field="create_time",
)

INSTAGRAM_CREATORS = Entity(
    "instagram",
    "creators",
    (
        Field("username", Kind.USERNAME, required=True),
        Field("followers_count", Kind.COUNT, required=True),
        Field("id", Kind.ID),
        Field("name", Kind.TEXT),
        Field("follows_count", Kind.COUNT),
        Field("media_count", Kind.COUNT),
        Field("biography", Kind.TEXT),
        FETCHED_AT,
    ),
)

INSTAGRAM_MEDIA = Entity(
    "instagram",
    "media",
    (
        Field("id", Kind.ID, required=True),
        Field("username", Kind.USERNAME, required=True),
        Field("timestamp", Kind.TIMESTAMP, required=True),
        Field("comments_count", Kind.COUNT, required=True),
        Field("like_count", Kind.COUNT),
        Field("media_type", Kind.CODE),
        Field("media_product_type", Kind.CODE),
        Field("caption", Kind.TEXT),
        Field("permalink", Kind.TEXT),
        Field("views", Kind.COUNT),
        FETCHED_AT,
    ),
    timestamp_field="timestamp",
    hidden_sentinel_fields=("like_count",),
)

CAMPAIGNS = Entity(
    "campaigns",
    "campaigns",
    (
        Field("campaign_id", Kind.ID, required=True),
        Field("brand", Kind.TEXT),
        Field("campaign_name", Kind.TEXT),
        Field("start_date", Kind.DATE),
        Field("end_date", Kind.DATE),
        Field("currency", Kind.CODE),
    ),
    dated=False,
)

CAMPAIGN_POSTS = Entity(
    "campaigns",
    "campaign_posts",
    (
        Field("campaign_id", Kind.ID, required=True),
        Field("platform", Kind.PLATFORM, required=True),
        Field("post_id", Kind.ID, required=True),
        Field("fee", Kind.MONEY, required=True),
        Field("creator_username", Kind.USERNAME),
    ),
    dated=False,
)

# The agency's list of tracked creators: one agency creator_id, a username on either platform or
# both. When a creator_id appears more than once, the row of the file whose path sorts last (then
# the later line) wins (dbt: int_roster_creators_latest).
ROSTER_CREATORS = Entity(
    "roster",
    "creators",
    (
        Field("creator_id", Kind.ID, required=True, description="The agency's own creator id."),
        Field("display_name", Kind.TEXT),
        Field("tiktok_username", Kind.USERNAME),
        Field("instagram_username", Kind.USERNAME),
        Field("active", Kind.BOOL, default=True),
    ),
    dated=False,
    required_one_of=("tiktok_username", "instagram_username"),
)

ENTITIES: tuple[Entity, ...] = (
    TIKTOK_CREATORS,
    TIKTOK_VIDEOS,
    INSTAGRAM_CREATORS,
    INSTAGRAM_MEDIA,
    CAMPAIGNS,
    CAMPAIGN_POSTS,
    ROSTER_CREATORS,
)
ENTITIES_BY_KEY: dict[str, Entity] = {e.key: e for e in ENTITIES}

FILE_SUFFIXES: tuple[str, ...] = (".jsonl", ".json", ".csv", ".parquet")

# Lineage columns added to every ingest table, after the contract fields.
LINEAGE_COLUMNS: dict[str, str] = {
    "_source_file": "VARCHAR",  # path relative to the landing directory
    "_partition_day": "DATE",  # the dt= folder; NULL for campaign reference data
    "_line_number": "BIGINT",  # 1-based line (JSON lines), data row (CSV), element (JSON array)
    "_loaded_at": "TIMESTAMP",  # when the row was loaded (UTC)
    "_load_id": "BIGINT",  # the load of the file version the row came from (ingest.files.load_id)
}


def ingest_columns(entity: Entity) -> dict[str, str]:
    """Column name -> DuckDB type of the entity's warehouse table ``ingest.<table>``."""
    columns = {f.name: DUCKDB_TYPES[f.kind] for f in entity.fields}
    if entity.platform == "instagram" and entity.name == "media":
        columns["likes_hidden"] = "BOOLEAN"
    return columns | LINEAGE_COLUMNS
