"""The HTML KPI report (pipeline/report.py).

One pipeline run over tests/e2e_landing publishes the serving file and, as the Dagster asset
serving/report, the report beside it. The numbers behind every chart are compared with queries
written here against the serving file and with values worked out by hand from the landing zone
(see tests/test_end_to_end.py for the derivations). Serving files with empty, missing and
additional marts show "no data" notes and extra sections instead of failing. The browser test
(Debian's chromium through Playwright, as tests/test_ui.py) is in tests/test_report_browser.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline import cli, report
from pipeline.report import build_report, write_report
from pipeline.settings import (
    PROJECT_ROOT,
    REPORT_FILE_NAME,
    REPORT_VAR,
    SERVING_VAR,
    OperatorError,
)
from tests.conftest import PipelineRun

APPROX = pytest.approx


def serving_rows(serving: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def serving_file(e2e_run: PipelineRun) -> Path:
    assert e2e_run.result.success
    assert e2e_run.settings.serving is not None
    return e2e_run.settings.serving


@pytest.fixture(scope="module")
def built(serving_file: Path) -> report.Report:
    return build_report(serving_file)


def section(built: report.Report, key: str) -> report.Section:
    return next(s for s in built.sections if s.key == key)


def traces(section: report.Section) -> dict[str, dict]:
    assert section.figure is not None, section.note
    return {trace.name: trace for trace in section.figure.data}


def test_the_run_writes_the_report_beside_the_serving_file(
    e2e_run: PipelineRun, serving_file: Path
) -> None:
    path = serving_file.with_name(REPORT_FILE_NAME)
    assert e2e_run.settings.report == path
    page = path.read_text()
    materialized = [
        event.materialization
        for event in e2e_run.result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey(["serving", "report"])
    ]
    assert [m.metadata["path"].value for m in materialized] == [str(path)]
    run_id = serving_rows(serving_file, "select run_id from marts.publication")[0][0]
    assert run_id == e2e_run.result.run_id
    assert run_id in page  # the header names the publication it shows
    assert "https://" not in page.split("<body>", 1)[1].replace("https://plotly.com", "")
    assert not list(serving_file.parent.glob(f".{REPORT_FILE_NAME}.tmp-*"))


def test_header_rows_and_rejections(built: report.Report, serving_file: Path) -> None:
    header = built.header
    counts = {
        mart: serving_rows(serving_file, f"select count(*) from marts.{mart}")[0][0]
        for mart in header.mart_rows["mart"].to_list()
    }
    assert dict(header.mart_rows.iter_rows()) == counts
    assert counts["tiktok_videos"] == 3 and counts["instagram_posts"] == 4
    # the hand-written landing zone: "lots" views and a truncated line in a TikTok file, one bad
    # campaign post
    assert header.rejections is not None
    assert sorted(header.rejections.iter_rows()) == [
        ("campaigns.campaign_posts", "invalid_value", 1),
        ("tiktok.videos", "invalid_count", 1),
        ("tiktok.videos", "malformed_record", 1),
    ]
    assert str(header.latest_data_day) == "2026-11-01"


def test_tiktok_reach_chart(built: report.Report, serving_file: Path) -> None:
    chart = traces(section(built, "tiktok-reach"))
    viral = serving_rows(
        serving_file,
        "select followers, views from marts.tiktok_videos"
        " where is_viral and followers > 0 and views > 0 order by video_id",
    )
    other = serving_rows(
        serving_file,
        "select followers, views from marts.tiktok_videos"
        " where not is_viral and followers > 0 and views > 0 order by video_id",
    )
    assert list(zip(chart["viral (1)"].x, chart["viral (1)"].y)) == viral == [(12_000, 200_000)]
    assert list(zip(chart["other videos (1)"].x, chart["other videos (1)"].y)) == other
    assert other == [(12_000, 50_000)]
    line = chart["views = followers"]
    assert list(line.x) == list(line.y) == [12_000, 12_000]
    assert section(built, "tiktok-reach").figure.layout.xaxis.type == "log"
    # carol's video has no follower count: not drawn, and the note says so
    assert "1 videos without a follower count" in section(built, "tiktok-reach").note


def test_instagram_engagement_chart(built: report.Report, serving_file: Path) -> None:
    chart = traces(section(built, "instagram-engagement"))
    expected = serving_rows(
        serving_file,
        "select follower_tier, followers, engagement_rate from marts.instagram_creators"
        " where engagement_rate is not null order by followers",
    )
    assert [(name, x, y) for name, t in chart.items() if "median" not in name
            for x, y in zip(t.x, t.y)] == expected  # fmt: skip
    assert expected == [("micro", 40_000, APPROX(0.045))]
    median = chart["micro median"]
    tier_median = serving_rows(
        serving_file,
        "select median_engagement_rate from marts.platform_benchmarks"
        " where platform = 'instagram' and follower_tier = 'micro'",
    )[0][0]
    assert list(median.y) == [tier_median, tier_median] == [APPROX(0.045)] * 2


def test_benchmarks_chart(built: report.Report, serving_file: Path) -> None:
    chart = traces(section(built, "benchmarks"))
    for platform, label in (("tiktok", "TikTok"), ("instagram", "Instagram")):
        expected = serving_rows(
            serving_file,
            "select follower_tier, p25_engagement_rate, median_engagement_rate,"
            f" p75_engagement_rate from marts.platform_benchmarks where platform = '{platform}'"
            " order by tier_order",
        )
        band, median = chart[f"{label} p25-p75"], chart[f"{label} median"]
        drawn = [
            (tier, base, mid, base + height)
            for tier, base, height, mid in zip(band.x, band.base, band.y, median.y)
        ]
        assert drawn == [(t, APPROX(a), APPROX(b), APPROX(c)) for t, a, b, c in expected]
    assert list(chart["TikTok median"].y) == [APPROX(0.1)]  # alice, the only rate
    assert list(chart["Instagram median"].y) == [APPROX(0.045)]  # dana


def test_growth_leaders_chart(built: report.Report, serving_file: Path) -> None:
    chart = traces(section(built, "growth-leaders"))
    for platform, label in (("tiktok", "TikTok"), ("instagram", "Instagram")):
        expected = serving_rows(
            serving_file,
            f"select '@' || username, follower_growth_30d from marts.{platform}_creators"
            " where follower_growth_30d is not null"
            " order by follower_growth_30d desc, username limit 10",
        )
        bars = chart[label]
        assert list(zip(bars.y, bars.x))[::-1] == expected  # drawn biggest on top
    assert list(zip(chart["TikTok"].y, chart["TikTok"].x)) == [
        ("@alice", APPROX(0.25)),
        ("@bob", APPROX(0.5)),
    ]
    assert list(chart["Instagram"].x) == [APPROX(-0.2)]  # dana lost followers


def test_campaign_chart_and_fees(built: report.Report, serving_file: Path) -> None:
    campaigns = section(built, "campaigns")
    figure = campaigns.figure
    assert figure is not None
    drawn = {}
    for trace in figure.data:
        metric = "cpe" if trace.xaxis == "x" else "cpm"
        for label, value in zip(trace.x, trace.y):
            drawn[(trace.name, label, metric)] = value
    expected = serving_rows(
        serving_file,
        "select platform, campaign_name || ' (' || currency || ')', cpe, cpm"
        " from marts.campaign_performance",
    )
    labels = {"tiktok": "TikTok", "instagram": "Instagram"}
    for platform, label, cpe, cpm in expected:
        assert drawn[(labels[platform], label, "cpe")] == APPROX(cpe)
        assert drawn[(labels[platform], label, "cpm")] == (cpm if cpm is None else APPROX(cpm))
    # by hand: 1500 / 25000 and 1500 / 250000 * 1000 on TikTok; 1000 / 2500 on Instagram
    assert drawn[("TikTok", "Launch (EUR)", "cpe")] == APPROX(0.06)
    assert drawn[("TikTok", "Launch (EUR)", "cpm")] == APPROX(6.0)
    assert drawn[("Instagram", "Launch (EUR)", "cpe")] == APPROX(0.4)
    assert drawn[("Instagram", "Launch (EUR)", "cpm")] is None  # no views on Instagram
    caption, fees = campaigns.tables[0]
    assert "Fees" in caption and "emv" not in fees.columns  # no EMV in the marts yet
    fee_by_platform = {
        (r["campaign_id"], r["platform"]): r["total_fee"] for r in fees.iter_rows(named=True)
    }
    assert fee_by_platform[("CMP-1", "tiktok")] == APPROX(1750)
    assert fee_by_platform[("CMP-1", "instagram")] == APPROX(1000)


def test_top_creators_tables(built: report.Report, serving_file: Path) -> None:
    top = section(built, "top-creators")
    tables = dict(top.tables)
    tiktok = tables["TikTok, by interaction rate"]
    assert tiktok.rows() == serving_rows(
        serving_file,
        "select username, follower_tier, followers, interaction_rate from marts.tiktok_creators"
        " where interaction_rate is not null order by interaction_rate desc, username limit 10",
    )
    assert tiktok.rows() == [("alice", "micro", 12_000, APPROX(0.1))]  # bob has no videos
    instagram = tables["Instagram, by engagement rate"]
    assert instagram.rows() == [("dana", "micro", 40_000, APPROX(0.045))]


def test_every_section_has_a_heading_and_a_reading_aid(built: report.Report) -> None:
    keys = [s.key for s in built.sections]
    assert keys == [
        "tiktok-reach",
        "instagram-engagement",
        "benchmarks",
        "growth-leaders",
        "campaigns",
        "top-creators",
    ]
    for s in built.sections:
        assert s.title and s.reading_aid.endswith(".") and s.reading_aid.count(". ") == 0, s.key
        assert s.figure is not None or s.tables, s.key


# --- missing data, extra marts, writing -----------------------------------------------------


def derived_serving(source: Path, target: Path, statements: list[str]) -> Path:
    """A copy of a serving file changed by SQL statements (the copy made writable first)."""
    shutil.copyfile(source, target)
    os.chmod(target, 0o644)
    with duckdb.connect(str(target)) as con:
        for statement in statements:
            con.execute(statement)
    return target


def test_empty_and_missing_marts_give_no_data_notes(serving_file: Path, tmp_path: Path) -> None:
    serving = derived_serving(
        serving_file,
        tmp_path / "sparse.duckdb",
        [
            "delete from marts.tiktok_videos",
            "drop table marts.platform_benchmarks",
            "delete from marts.campaign_performance",
            "delete from marts.tiktok_creators",
            "delete from marts.instagram_creators",
            "drop table marts.publication_rejections",
        ],
    )
    out = tmp_path / "report.html"
    built = write_report(serving, out)
    notes = {s.key: s.note for s in built.sections}
    assert notes["tiktok-reach"] == "No data: the query behind this chart returned no rows."
    assert notes["instagram-engagement"] == (
        "No data: the serving file has no marts.platform_benchmarks."
    )
    assert notes["benchmarks"] == "No data: the serving file has no marts.platform_benchmarks."
    assert notes["growth-leaders"].startswith("No data")
    assert notes["campaigns"].startswith("No data")
    assert notes["top-creators"] == "No data: no creator has a headline rate yet."
    assert all(s.figure is None for s in built.sections)
    page = out.read_text()
    assert page.count('class="note"') >= 6
    assert "carries no summary of rejected records" in page


def test_marts_added_later_get_a_section_and_optional_columns_show(
    serving_file: Path, tmp_path: Path
) -> None:
    serving = derived_serving(
        serving_file,
        tmp_path / "richer.duckdb",
        [
            "create table marts.creator_quality_flags as"
            " select 'tiktok' as platform, 'alice' as username, 'engagement_spike' as flag",
            "comment on table marts.creator_quality_flags is"
            " '**Creators whose numbers look unusual**, one row per flag. More text.'",
            "alter table marts.campaign_performance add column emv double",
            "update marts.campaign_performance set emv = 123.5",
            "alter table marts.tiktok_creators add column niche varchar",
            "update marts.tiktok_creators set niche = 'dance'",
        ],
    )
    built = build_report(serving)
    extra = section(built, "mart-creator-quality-flags")
    assert extra.title == "marts.creator_quality_flags"
    assert extra.reading_aid == "Creators whose numbers look unusual, one row per flag."
    assert extra.tables[0][1].rows() == [("tiktok", "alice", "engagement_spike")]
    fees = section(built, "campaigns").tables[0][1]
    assert fees["emv"].to_list() == [123.5, 123.5]
    tiktok = dict(section(built, "top-creators").tables)["TikTok, by interaction rate"]
    assert tiktok["niche"].to_list() == ["dance"]


def test_report_is_replaced_atomically(serving_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "kpis.html"
    out.write_text("old report")
    write_report(serving_file, out)
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["kpis.html"]  # no temporary file left
    # a report path that cannot be written: one line naming the setting, nothing left behind
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the report folder should be")
    with pytest.raises(OperatorError, match=REPORT_VAR):
        write_report(serving_file, blocker / "kpis.html")
    occupied = tmp_path / "occupied.html"
    occupied.mkdir()  # a folder in the report's place: the rename fails
    with pytest.raises(OperatorError, match=REPORT_VAR):
        write_report(serving_file, occupied)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "kpis.html",
        "not-a-folder",
        "occupied.html",
    ]
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_cli_report_command(
    serving_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(SERVING_VAR, str(serving_file))
    out = tmp_path / "cli.html"
    assert cli.main(["report", "--out", str(out)]) == 0
    assert f"KPI report written to {out}" in capsys.readouterr().out
    assert "Creator KPIs" in out.read_text()
    monkeypatch.setenv(REPORT_VAR, str(tmp_path / "from_env.html"))
    assert cli.main(["report"]) == 0
    assert (tmp_path / "from_env.html").is_file()
    monkeypatch.setenv(SERVING_VAR, str(tmp_path / "missing.duckdb"))
    assert cli.main(["report"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: serving file") and SERVING_VAR in error
    assert "\n" not in error


# --- in the browser ---------------------------------------------------------------------------


def test_report_opens_in_chromium_offline_with_every_section_visible(
    e2e_run: PipelineRun, serving_file: Path
) -> None:
    from tests.report_browser import visit_report

    page = serving_file.with_name(REPORT_FILE_NAME)
    screenshot = PROJECT_ROOT / "test-artifacts" / "report.png"
    visit = visit_report(page, screenshot)
    assert visit.console_errors == []
    assert visit.requests == [visit.url]  # the file itself, nothing from the network
    expected = ["summary", *(s.key for s in build_report(serving_file).sections)]
    assert list(visit.headings) == expected
    assert all(visit.headings.values()), visit.headings
    charts = ["tiktok-reach", "instagram-engagement", "benchmarks", "growth-leaders", "campaigns"]
    assert [key for key, shown in visit.charts.items() if shown] == charts
    assert visit.tables["summary"] and visit.tables["campaigns"] and visit.tables["top-creators"]
    assert screenshot.stat().st_size > 50_000


def test_a_report_without_data_opens_cleanly_too(serving_file: Path, tmp_path: Path) -> None:
    from tests.report_browser import visit_report

    serving = derived_serving(
        serving_file,
        tmp_path / "empty.duckdb",
        [f"delete from marts.{mart}" for mart in report.KNOWN_MARTS],
    )
    out = tmp_path / "empty.html"
    write_report(serving, out)
    visit = visit_report(out)
    assert visit.console_errors == [] and visit.requests == [visit.url]
    assert all(visit.headings.values())
    assert not any(visit.charts.values())
    sections = [key for key in visit.headings if key != "summary"]
    assert all(visit.notes[key] for key in sections), visit.notes
