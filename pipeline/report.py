"""The KPI report: one self-contained HTML file built from the serving file.

It reads only the serving file (read-only, one short connection), so what it shows is exactly
what BI tools see. Each chart is one function: its query's result in (a Polars frame), a Plotly
figure out; the queries are module constants next to them, so a test can run the same query
and compare the numbers. Plotly draws interactive charts (hover shows the creator, zoom on the
log axes) and plotly.js is inlined once in the page: the file opens from disk with no network.

A chart whose data is missing (a mart not in the file, an empty table) becomes a short
"no data" note. Marts beyond the six the report knows (added by later work) get a section
each with their description and first rows; optional columns of the known marts (EMV, niche,
quality flags) are shown where they exist.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from pipeline.serving import MARTS_SCHEMA, PUBLICATION_TABLE, REJECTIONS_TABLE, quote_identifier
from pipeline.settings import REPORT_VAR, SERVING_VAR, OperatorError

# the marts the report's fixed sections read; any other mart gets a generic section
KNOWN_MARTS = (
    "campaign_performance",
    "instagram_creators",
    "instagram_posts",
    "platform_benchmarks",
    "tiktok_creators",
    "tiktok_videos",
)
PUBLICATION_TABLES = (PUBLICATION_TABLE, REJECTIONS_TABLE)
PLATFORM_LABELS = {"tiktok": "TikTok", "instagram": "Instagram"}
HEADLINE_RATES = {"tiktok": "interaction rate", "instagram": "engagement rate"}
TIER_COLOURS = {
    "nano": "#4c78a8",
    "micro": "#f58518",
    "mid": "#54a24b",
    "macro": "#b279a2",
    "mega": "#e45756",
}
PLATFORM_COLOURS = {"tiktok": "#25a5b4", "instagram": "#c13584"}
VIRAL_COLOUR = "#e4572e"
OTHER_COLOUR = "#9aa5b1"
TOP_N = 10
EXTRA_MART_ROWS = 15
TEMPLATE = "plotly_white"


class Catalog:
    """Which marts and columns the serving file has."""

    def __init__(self, columns: dict[str, list[str]], comments: dict[str, str | None]) -> None:
        self.columns = columns
        self.comments = comments

    def has(self, table: str, *columns: str) -> bool:
        return table in self.columns and all(c in self.columns[table] for c in columns)

    @property
    def extra_marts(self) -> list[str]:
        skip = set(KNOWN_MARTS) | set(PUBLICATION_TABLES)
        return [t for t in sorted(self.columns) if t not in skip]


def read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    rows = con.execute(
        "select table_name, column_name from duckdb_columns()"
        " where schema_name = ? order by table_name, column_index",
        [MARTS_SCHEMA],
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    comments = dict(
        con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = ?",
            [MARTS_SCHEMA],
        ).fetchall()
    )
    return Catalog(columns, comments)


def query(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()


# --- the charts: one query and one figure function each ------------------------------------

TIKTOK_REACH_SQL = """
select video_id, username, followers, views, is_viral
from marts.tiktok_videos
where followers > 0 and views > 0
order by video_id
"""


def tiktok_reach_figure(videos: pl.DataFrame) -> go.Figure:
    """Views per video against the creator's followers at the post (log-log), viral videos
    highlighted, and the line views = followers."""
    figure = go.Figure()
    for viral, name, colour in (
        (False, "other videos", OTHER_COLOUR),
        (True, "viral", VIRAL_COLOUR),
    ):
        part = videos.filter(pl.col("is_viral") == viral)
        figure.add_trace(
            go.Scatter(
                x=part["followers"].to_list(),
                y=part["views"].to_list(),
                mode="markers",
                name=f"{name} ({part.height})",
                marker={"color": colour, "size": 7 if viral else 5, "opacity": 0.8},
                text=part["username"].to_list(),
                customdata=part["video_id"].to_list(),
                hovertemplate="@%{text}<br>followers %{x:,}<br>views %{y:,}"
                "<br>video %{customdata}<extra></extra>",
            )
        )
    low, high = videos["followers"].min(), videos["followers"].max()
    figure.add_trace(
        go.Scatter(
            x=[low, high],
            y=[low, high],
            mode="lines",
            name="views = followers",
            line={"color": "#333", "dash": "dash", "width": 1},
            hoverinfo="skip",
        )
    )
    figure.update_xaxes(type="log", title="creator's followers at the post")
    figure.update_yaxes(type="log", title="views")
    return figure


INSTAGRAM_ENGAGEMENT_SQL = """
select c.username, c.followers, c.follower_tier, c.engagement_rate,
       b.tier_order, b.median_engagement_rate as tier_median_engagement_rate
from marts.instagram_creators as c
left join marts.platform_benchmarks as b
    on b.platform = 'instagram' and b.follower_tier = c.follower_tier
where c.engagement_rate is not null and c.followers > 0
order by b.tier_order, c.followers, c.username
"""


def instagram_engagement_figure(creators: pl.DataFrame) -> go.Figure:
    """Creator engagement rate against followers (log x), one colour per tier, and each tier's
    median (from marts.platform_benchmarks) as a line across the tier's creators."""
    figure = go.Figure()
    tiers = creators.select("follower_tier", "tier_order").unique().sort("tier_order")
    for tier in tiers["follower_tier"].to_list():
        part = creators.filter(pl.col("follower_tier") == tier)
        colour = TIER_COLOURS.get(tier, OTHER_COLOUR)
        figure.add_trace(
            go.Scatter(
                x=part["followers"].to_list(),
                y=part["engagement_rate"].to_list(),
                mode="markers",
                name=tier,
                legendgroup=tier,
                marker={"color": colour, "size": 8},
                text=part["username"].to_list(),
                hovertemplate="@%{text}<br>followers %{x:,}<br>engagement %{y:.2%}<extra></extra>",
            )
        )
        median = part["tier_median_engagement_rate"][0]
        if median is not None:
            figure.add_trace(
                go.Scatter(
                    x=[part["followers"].min(), part["followers"].max()],
                    y=[median, median],
                    mode="lines",
                    name=f"{tier} median",
                    legendgroup=tier,
                    showlegend=False,
                    line={"color": colour, "width": 3},
                    hovertemplate=f"{tier} median %{{y:.2%}}<extra></extra>",
                )
            )
    figure.update_xaxes(type="log", title="followers")
    figure.update_yaxes(title="engagement rate", tickformat=".1%", rangemode="tozero")
    return figure


BENCHMARKS_SQL = """
select platform, follower_tier, tier_order,
       p25_engagement_rate, median_engagement_rate, p75_engagement_rate
from marts.platform_benchmarks
where median_engagement_rate is not null
order by platform desc, tier_order
"""


def benchmarks_figure(benchmarks: pl.DataFrame) -> go.Figure:
    """Per platform and tier, the p25-p75 band of the headline rate with the median marked."""
    platforms = [p for p in ("tiktok", "instagram") if p in benchmarks["platform"].to_list()]
    figure = make_subplots(
        rows=1,
        cols=len(platforms),
        subplot_titles=[f"{PLATFORM_LABELS[p]}: {HEADLINE_RATES[p]}" for p in platforms],
    )
    for column, platform in enumerate(platforms, start=1):
        part = benchmarks.filter(pl.col("platform") == platform).sort("tier_order")
        colour = PLATFORM_COLOURS[platform]
        tiers = part["follower_tier"].to_list()
        figure.add_trace(
            go.Bar(
                x=tiers,
                y=(part["p75_engagement_rate"] - part["p25_engagement_rate"]).to_list(),
                base=part["p25_engagement_rate"].to_list(),
                name=f"{PLATFORM_LABELS[platform]} p25-p75",
                marker={"color": colour, "opacity": 0.35},
                customdata=part.select("p25_engagement_rate", "p75_engagement_rate").rows(),
                hovertemplate="%{x}: p25 %{customdata[0]:.2%}, p75 %{customdata[1]:.2%}"
                "<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=tiers,
                y=part["median_engagement_rate"].to_list(),
                mode="markers",
                name=f"{PLATFORM_LABELS[platform]} median",
                marker={"color": colour, "size": 12, "symbol": "diamond"},
                hovertemplate="%{x}: median %{y:.2%}<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.update_yaxes(tickformat=".1%", rangemode="tozero", row=1, col=column)
    return figure


GROWTH_LEADERS_SQL = """
with creators as (
    select 'tiktok' as platform, username, follower_tier, followers, follower_growth_30d
    from marts.tiktok_creators
    union all
    select 'instagram', username, follower_tier, followers, follower_growth_30d
    from marts.instagram_creators
)
select platform, username, follower_tier, followers, follower_growth_30d
from creators
where follower_growth_30d is not null
qualify row_number() over (
    partition by platform order by follower_growth_30d desc, username
) <= 10
order by platform desc, follower_growth_30d desc, username
"""


def growth_leaders_figure(leaders: pl.DataFrame) -> go.Figure:
    """Top 10 creators per platform by follower_growth_30d (horizontal bars, biggest on top)."""
    platforms = [p for p in ("tiktok", "instagram") if p in leaders["platform"].to_list()]
    figure = make_subplots(
        rows=1,
        cols=len(platforms),
        subplot_titles=[PLATFORM_LABELS[p] for p in platforms],
        horizontal_spacing=0.2,
    )
    for column, platform in enumerate(platforms, start=1):
        part = leaders.filter(pl.col("platform") == platform).reverse()  # biggest bar on top
        figure.add_trace(
            go.Bar(
                x=part["follower_growth_30d"].to_list(),
                y=[f"@{name}" for name in part["username"].to_list()],
                orientation="h",
                name=PLATFORM_LABELS[platform],
                marker={"color": PLATFORM_COLOURS[platform]},
                customdata=part.select("follower_tier", "followers").rows(),
                hovertemplate="%{y} (%{customdata[0]}, %{customdata[1]:,} followers)"
                "<br>growth %{x:.1%}<extra></extra>",
            ),
            row=1,
            col=column,
        )
        figure.update_xaxes(tickformat=".0%", row=1, col=column)
    figure.update_layout(showlegend=False)
    return figure


def campaigns_sql(catalog: Catalog) -> str:
    emv = "emv" if catalog.has("campaign_performance", "emv") else "null::double as emv"
    return f"""
select campaign_id, campaign_name, platform, currency, posts, total_fee::double as total_fee,
       views, engagements, cpe, cpm, {emv}
from marts.campaign_performance
order by campaign_id, platform desc
"""


def campaign_costs_figure(campaigns: pl.DataFrame) -> go.Figure:
    """Cost per engagement and CPM by campaign (grouped bars, one colour per platform), in each
    campaign's own currency."""
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["cost per engagement", "CPM (cost per 1,000 views)"],
    )
    labelled = campaigns.with_columns(
        label=pl.format("{} ({})", pl.col("campaign_name"), pl.col("currency"))
    )
    for platform in ("tiktok", "instagram"):
        part = labelled.filter(pl.col("platform") == platform)
        if part.is_empty():
            continue
        for column, metric in enumerate(("cpe", "cpm"), start=1):
            figure.add_trace(
                go.Bar(
                    x=part["label"].to_list(),
                    y=part[metric].to_list(),
                    name=PLATFORM_LABELS[platform],
                    legendgroup=platform,
                    showlegend=column == 1,
                    marker={"color": PLATFORM_COLOURS[platform]},
                    customdata=part["currency"].to_list(),
                    hovertemplate=f"%{{x}} on {PLATFORM_LABELS[platform]}: {metric.upper()}"
                    " %{y:,.2f} %{customdata}<extra></extra>",
                ),
                row=1,
                col=column,
            )
    figure.update_layout(barmode="group")
    return figure


def top_creators_sql(platform: str, catalog: Catalog) -> str:
    table = f"{platform}_creators"
    rate = "interaction_rate" if platform == "tiktok" else "engagement_rate"
    optional = [c for c in ("niche", "emv", "quality_flags") if catalog.has(table, c)]
    extra = "".join(f", {quote_identifier(c)}" for c in optional)
    return f"""
select username, follower_tier, followers, {rate} as headline_rate{extra}
from marts.{table}
where {rate} is not null
order by {rate} desc, username
limit {TOP_N}
"""


# --- sections ---------------------------------------------------------------------------------


@dataclass
class Section:
    """One part of the report: a heading, a reading aid, and a chart, a table or a note."""

    key: str
    title: str
    reading_aid: str
    figure: go.Figure | None = None
    tables: list[tuple[str, pl.DataFrame]] = field(default_factory=list)
    note: str | None = None
    data: dict[str, pl.DataFrame] = field(default_factory=dict)  # the query results behind it


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    reading_aid: str
    needs: dict[str, tuple[str, ...]]  # table -> columns the query reads
    sql: Callable[[Catalog], str]
    build: Callable[[pl.DataFrame], go.Figure]


CHARTS = (
    ChartSpec(
        "tiktok-reach",
        "TikTok: views against followers",
        "Each dot is one video, placed by its creator's followers at the post and its views;"
        " dots above the dashed line reached more people than follow the creator, and the"
        " viral ones (orange) come from accounts of every size: on TikTok, views do not follow"
        " followers.",
        {"tiktok_videos": ("video_id", "username", "followers", "views", "is_viral")},
        lambda _: TIKTOK_REACH_SQL,
        tiktok_reach_figure,
    ),
    ChartSpec(
        "instagram-engagement",
        "Instagram: engagement rate against followers",
        "Each dot is a creator, coloured by follower tier, and each tier's line is its median"
        " engagement rate: the lines step down from nano to mega, because on Instagram"
        " engagement falls as accounts grow.",
        {
            "instagram_creators": ("username", "followers", "follower_tier", "engagement_rate"),
            "platform_benchmarks": ("platform", "follower_tier", "median_engagement_rate"),
        },
        lambda _: INSTAGRAM_ENGAGEMENT_SQL,
        instagram_engagement_figure,
    ),
    ChartSpec(
        "benchmarks",
        "Benchmarks by follower tier",
        "Each bar spans the middle half of a tier's creators (25th to 75th percentile of the"
        " platform's headline rate) and the diamond is the median: a creator above the bar is"
        " in the top quarter of their tier.",
        {
            "platform_benchmarks": (
                "platform",
                "follower_tier",
                "tier_order",
                "p25_engagement_rate",
                "median_engagement_rate",
                "p75_engagement_rate",
            )
        },
        lambda _: BENCHMARKS_SQL,
        benchmarks_figure,
    ),
    ChartSpec(
        "growth-leaders",
        "Growth leaders (30 days)",
        "The ten creators per platform whose follower count grew most, relative to where it"
        " stood 30 days earlier, so a small account can top the list.",
        {
            "tiktok_creators": ("username", "follower_tier", "followers", "follower_growth_30d"),
            "instagram_creators": ("username", "follower_tier", "followers", "follower_growth_30d"),
        },
        lambda _: GROWTH_LEADERS_SQL,
        growth_leaders_figure,
    ),
    ChartSpec(
        "campaigns",
        "Campaigns: what attention cost",
        "Cost per engagement and per thousand views for each campaign and platform, in the"
        " campaign's own currency (never converted): the lower the bar, the cheaper the"
        " attention.",
        {
            "campaign_performance": (
                "campaign_id",
                "campaign_name",
                "platform",
                "currency",
                "total_fee",
                "cpe",
                "cpm",
            )
        },
        campaigns_sql,
        campaign_costs_figure,
    ),
)


def _missing(catalog: Catalog, needs: dict[str, tuple[str, ...]]) -> list[str]:
    missing = []
    for table, columns in needs.items():
        if table not in catalog.columns:
            missing.append(f"{MARTS_SCHEMA}.{table}")
        else:
            missing += [f"{MARTS_SCHEMA}.{table}.{c}" for c in columns if not catalog.has(table, c)]
    return missing


def chart_section(con: duckdb.DuckDBPyConnection, catalog: Catalog, spec: ChartSpec) -> Section:
    section = Section(spec.key, spec.title, spec.reading_aid)
    missing = _missing(catalog, spec.needs)
    if missing:
        section.note = f"No data: the serving file has no {', '.join(missing)}."
        return section
    frame = query(con, spec.sql(catalog))
    section.data["chart"] = frame
    if frame.is_empty():
        section.note = "No data: the query behind this chart returned no rows."
        return section
    section.figure = spec.build(frame)
    if spec.key == "tiktok-reach":
        hidden = query(
            con,
            "select count(*) as n from marts.tiktok_videos"
            " where not coalesce(followers > 0 and views > 0, false)",
        )["n"][0]
        if hidden:
            section.note = (
                f"{hidden:,} videos without a follower count at the post (or without views) are"
                " not drawn: a log scale has no zero."
            )
    if spec.key == "campaigns":
        fees = frame.select(
            "campaign_id",
            "campaign_name",
            "platform",
            "currency",
            "posts",
            "total_fee",
            "views",
            "engagements",
            *(["emv"] if frame["emv"].is_not_null().any() else []),
        )
        section.tables.append(("Fees and reach per campaign and platform", fees))
    return section


def top_creators_section(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> Section:
    section = Section(
        "top-creators",
        f"Top {TOP_N} creators by headline rate",
        f"The {TOP_N} creators per platform with the highest headline rate over their recent"
        " posts (interaction rate on TikTok, engagement rate on Instagram), with their tier and"
        " followers: compare them with their tier's band in the benchmarks above.",
    )
    for platform in ("tiktok", "instagram"):
        table = f"{platform}_creators"
        rate = "interaction_rate" if platform == "tiktok" else "engagement_rate"
        title = f"{PLATFORM_LABELS[platform]}, by {HEADLINE_RATES[platform]}"
        if not catalog.has(table, "username", "follower_tier", "followers", rate):
            section.tables.append((title, pl.DataFrame()))
            continue
        frame = query(con, top_creators_sql(platform, catalog))
        section.data[platform] = frame
        section.tables.append((title, frame))
    if all(frame.is_empty() for _, frame in section.tables):
        section.note = "No data: no creator has a headline rate yet."
    return section


def extra_mart_section(con: duckdb.DuckDBPyConnection, catalog: Catalog, mart: str) -> Section:
    """A mart the report has no chart for yet: its description and its first rows."""
    comment = (catalog.comments.get(mart) or "").strip()
    first_sentence = comment.replace("**", "").split(". ")[0].rstrip(".") + "." if comment else ""
    section = Section(
        f"mart-{mart}".replace("_", "-"),
        f"{MARTS_SCHEMA}.{mart}",
        first_sentence or f"The first rows of {MARTS_SCHEMA}.{mart}.",
    )
    frame = query(
        con, f"select * from {MARTS_SCHEMA}.{quote_identifier(mart)} limit {EXTRA_MART_ROWS}"
    )
    section.data["table"] = frame
    if frame.is_empty():
        section.note = "No data: the mart has no rows."
    else:
        total = query(con, f"select count(*) as n from {MARTS_SCHEMA}.{quote_identifier(mart)}")
        shown = f"first {frame.height} of {total['n'][0]:,} rows"
        section.tables.append((shown, frame))
    return section


@dataclass
class Header:
    run_id: str | None
    published_at: datetime | None
    latest_data_day: object
    mart_rows: pl.DataFrame
    rejections: pl.DataFrame | None  # None: the serving file carries no rejection summary


def read_header(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> Header:
    run_id = published_at = latest_day = None
    if catalog.has(PUBLICATION_TABLE, "run_id", "published_at", "latest_data_day"):
        rows = con.execute(
            f"select run_id, published_at, latest_data_day from {MARTS_SCHEMA}.{PUBLICATION_TABLE}"
        ).fetchall()
        if rows:
            run_id, published_at, latest_day = rows[0]
    marts = [t for t in sorted(catalog.columns) if t not in PUBLICATION_TABLES]
    counts = [
        (
            mart,
            query(con, f"select count(*) as n from {MARTS_SCHEMA}.{quote_identifier(mart)}")["n"][
                0
            ],
        )
        for mart in marts
    ]
    mart_rows = pl.DataFrame(
        {"mart": [m for m, _ in counts], "rows": [n for _, n in counts]},
        schema={"mart": pl.String, "rows": pl.Int64},
    )
    rejections = None
    if catalog.has(REJECTIONS_TABLE, "entity", "reason", "records"):
        rejections = query(
            con,
            f"select entity, reason, records from {MARTS_SCHEMA}.{REJECTIONS_TABLE}"
            " order by records desc, entity, reason",
        )
    return Header(run_id, published_at, latest_day, mart_rows, rejections)


@dataclass
class Report:
    serving: Path
    header: Header
    sections: list[Section]


def build_report(serving: Path) -> Report:
    """Everything the report shows, read from the serving file in one read-only connection."""
    if not serving.is_file():
        raise OperatorError(
            f"serving file {serving} does not exist: run the pipeline first"
            f" (python -m pipeline run) or set {SERVING_VAR}"
        )
    with duckdb.connect(str(serving), read_only=True) as con:
        catalog = read_catalog(con)
        header = read_header(con, catalog)
        sections = [chart_section(con, catalog, spec) for spec in CHARTS]
        sections.append(top_creators_section(con, catalog))
        sections += [extra_mart_section(con, catalog, mart) for mart in catalog.extra_marts]
    return Report(serving, header, sections)


# --- HTML -------------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2933; background: #f7f8fa; }
header, section { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
header { background: #fff; border-bottom: 1px solid #e4e7eb; }
section { background: #fff; margin-top: 16px; border-radius: 6px; }
h1 { margin: 8px 0; font-size: 1.6em; }
h2 { margin: 4px 0 8px; font-size: 1.25em; }
h3 { margin: 12px 0 4px; font-size: 1em; }
p.aid { color: #52606d; margin: 4px 0 12px; }
p.note { color: #8d2b0b; background: #fff4e5; padding: 8px 12px; border-radius: 4px; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
dl.facts dt { color: #52606d; } dl.facts dd { margin: 0; font-weight: 600; }
table { border-collapse: collapse; margin: 4px 0 12px; font-size: 0.9em; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e4e7eb; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.tables { display: flex; flex-wrap: wrap; gap: 24px; }
.chart { min-height: 420px; }
"""


def _cell(value: object, column: str) -> tuple[str, bool]:
    """A table cell's text and whether it is a number (right-aligned)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, float):
        if "rate" in column or "growth" in column:
            return f"{value:.2%}", True
        return f"{value:,.2f}", True
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, list):
        return ", ".join(str(v) for v in value), False
    return str(value), False


def table_html(frame: pl.DataFrame, caption: str = "") -> str:
    if frame.is_empty():
        return f"<div><h3>{html.escape(caption)}</h3><p class='note'>No data.</p></div>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.iter_rows():
        cells = []
        for column, value in zip(frame.columns, row):
            text, numeric = _cell(value, column)
            cells.append(f"<td{' class=num' if numeric else ''}>{html.escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    title = f"<h3>{html.escape(caption)}</h3>" if caption else ""
    return f"<div>{title}<table><tr>{head}</tr>{''.join(body)}</table></div>"


def figure_html(figure: go.Figure, key: str) -> str:
    figure.update_layout(template=TEMPLATE, margin={"t": 40, "r": 20, "b": 50, "l": 60}, height=480)
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{key}",
        config={"displaylogo": False, "responsive": True},
    )


def header_html(report: Report) -> str:
    header = report.header
    published = f"{header.published_at:%Y-%m-%d %H:%M} UTC" if header.published_at else "unknown"
    facts = [
        ("publication run", header.run_id or "unknown"),
        ("published", published),
        ("latest data day", str(header.latest_data_day or "none")),
        ("serving file", str(report.serving)),
    ]
    facts_html = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts)
    if header.rejections is None:
        rejected = (
            "<p class='note'>This serving file carries no summary of rejected records"
            " (published by an older version of the pipeline).</p>"
        )
    elif header.rejections.is_empty():
        rejected = "<p class='aid'>The last run rejected no records.</p>"
    else:
        total = int(header.rejections["records"].sum())
        rejected = table_html(header.rejections, f"Records rejected in the last run: {total:,}")
    return f"""<header id="summary">
<h1>Creator KPIs</h1>
<p class="aid">What the latest publication of the marts holds: which run published it, how
recent its data is, how many rows each mart has, and which landing records that run set aside
in quarantine (and why).</p>
<dl class="facts">{facts_html}</dl>
<div class="tables">{table_html(header.mart_rows, "Rows per mart")}{rejected}</div>
</header>"""


def section_html(section: Section) -> str:
    parts = [
        f'<section id="{section.key}">',
        f"<h2>{html.escape(section.title)}</h2>",
        f'<p class="aid">{html.escape(section.reading_aid)}</p>',
    ]
    if section.figure is not None:
        parts.append(f'<div class="chart">{figure_html(section.figure, section.key)}</div>')
    if section.note:
        parts.append(f'<p class="note">{html.escape(section.note)}</p>')
    if section.tables:
        tables = "".join(table_html(frame, caption) for caption, frame in section.tables)
        parts.append(f'<div class="tables">{tables}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = "\n".join(section_html(s) for s in report.sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Creator KPIs report</title>
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head>
<body>
{header_html(report)}
{sections}
<section><p class="aid">Generated {generated} by <code>python -m pipeline report</code> from the
serving file alone. Charts are interactive: hover for the creator, drag to zoom, double-click to
reset.</p></section>
</body>
</html>
"""


def write_report(serving: Path, out: Path) -> Report:
    """Build the report from ``serving`` and write it to ``out`` atomically (temporary file in
    the same folder, then rename): a reader never sees a half-written report."""
    report = build_report(serving)
    page = render_html(report)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OperatorError(
            f"cannot create the report folder {out.parent} ({error.strerror}):"
            f" set {REPORT_VAR} or --out to a writable path"
        ) from None
    temporary = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(page, encoding="utf-8")
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OperatorError(
            f"cannot write the report {out} ({error.strerror}):"
            f" set {REPORT_VAR} or --out to a writable path"
        ) from None
    return report


def section_titles(report: Report) -> Sequence[str]:
    return [section.title for section in report.sections]
