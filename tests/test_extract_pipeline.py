"""The extract assets in the pipeline: fake APIs -> extract -> ingest -> dbt marts in one run,
secrets nowhere, the landing sensor quiet about files their run already loaded, and the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline import cli
from pipeline.defs.extract.keys import extract_asset_key
from pipeline.defs.partitions import partition_range_tags
from pipeline.defs.resources import LandingZone
from pipeline.extract.landing import LandingWriter
from pipeline.extract.tokens import CreatorTokens, TokenStore
from pipeline.settings import LANDING_DIR_VAR, SETTINGS_VARS, WAREHOUSE_VAR, ApiSettings, Settings
from pipeline.summary import _extract_lines
from tests.extract_fakes import DisplayAccount, FakeGraph, FakeTikTok, graph_error

ALICE_VIDEO = 7301234567890123457  # 19 digits: exact only if never a float
CARL_VIDEO = 7309999999999999999


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


@pytest.fixture
def fakes():
    tiktok, graph = FakeTikTok().start(), FakeGraph().start()
    yield tiktok, graph
    tiktok.stop()
    graph.stop()


def populate(tiktok: FakeTikTok, graph: FakeGraph, now: datetime) -> None:
    profile = {"following_count": 1, "likes_count": 1, "video_count": 2, "is_verified": False}
    tiktok.users["alice"] = {"display_name": "Alice", "follower_count": 2000, **profile}
    tiktok.users["carl"] = {"display_name": "Carl", "follower_count": 100, **profile}
    tiktok.users["old"] = {"display_name": "Old", "follower_count": 1, **profile}
    counts = ("view_count", "like_count", "comment_count", "share_count")
    tiktok.videos = [
        {"id": ALICE_VIDEO, "username": "alice", "create_time": ts(now - timedelta(hours=2))}
        | dict(zip(counts, (1000, 100, 20, 30))),
        {"id": 7301234567890123000, "username": "alice", "create_time": ts(now - timedelta(days=3))}
        | dict(zip(counts, (400, 10, 0, 2)))
        | {"favorites_count": 7},
        {"id": CARL_VIDEO, "username": "carl", "create_time": ts(now - timedelta(days=1))}
        | dict(zip(counts, (50, 5, 5, 0))),
        {"id": 7300000000000000001, "username": "old", "create_time": ts(now - timedelta(days=1))}
        | dict(zip(counts, (9, 9, 9, 9))),
    ]
    tiktok.accounts["open-dana"] = DisplayAccount(
        "open-dana",
        {"username": "dana", "display_name": "Dana", "follower_count": 500},
        [
            {"id": 7400000000000000001, "create_time": ts(now - timedelta(hours=5)), "duration": 15}
            | dict(zip(counts, (200, 20, 2, 3)))
        ],
        access_token="act-dana-SECRET-0001",
        refresh_token="rft-dana-SECRET-0001",
    )
    stamp = "%Y-%m-%dT%H:%M:%S+0000"
    graph.accounts["mia"] = {
        "id": "17841400000000099",
        "username": "mia",
        "name": "Mia",
        "biography": "b",
        "followers_count": 1000,
        "follows_count": 5,
        "media_count": 2,
        "media": [
            {
                "id": "17900000000000001",
                "timestamp": (now - timedelta(hours=1)).strftime(stamp),
                "media_type": "IMAGE",
                "like_count": 50,
                "comments_count": 10,
            },
            {
                "id": "17900000000000002",
                "timestamp": (now - timedelta(days=2)).strftime(stamp),
                "media_type": "VIDEO",
                "like_count": 0,
                "comments_count": 4,
            },
        ],
    }
    graph.accounts["bea"] = {"id": "1", "username": "bea", "followers_count": 1, "media": []}
    graph.user_faults["bea"] = [graph_error(100, "Object does not exist", subcode=33)]


def write_landing(landing: Path) -> None:
    (landing / "roster" / "creators").mkdir(parents=True)
    (landing / "roster" / "creators" / "roster.csv").write_text(
        "creator_id,display_name,tiktok_username,instagram_username,active\n"
        "c1,Alice,@Alice,mia,true\n"
        "c2,Dana,dana,,true\n"
        "c3,Bea,,bea,true\n"
        "c4,Old,old,,false\n"
    )
    (landing / "campaigns" / "campaigns").mkdir(parents=True)
    (landing / "campaigns" / "campaigns" / "campaigns.csv").write_text(
        "campaign_id,brand,campaign_name,start_date,end_date,currency\nCMP-9,Acme,Go,,,EUR\n"
    )
    (landing / "campaigns" / "campaign_posts").mkdir(parents=True)
    (landing / "campaigns" / "campaign_posts" / "posts.jsonl").write_text(
        json.dumps(
            {
                "campaign_id": "CMP-9",
                "platform": "tiktok",
                "post_id": str(CARL_VIDEO),
                "fee": 100,
                "creator_username": "carl",
            }
        )
        + "\n"
    )


def test_fake_apis_to_marts_in_one_run(dbt_manifest, fakes, tmp_path, monkeypatch, capfd):
    """The daily schedule's run (yesterday..today): today's API records land in dt=today and
    are ingested, built and published together with yesterday's late landing file."""
    from pipeline.definitions import BUILD_ALL_JOB, build_definitions
    from pipeline.defs.ingest.schedules import daily_build
    from pipeline.defs.ingest.sensors import landing_sensor

    tiktok, graph = fakes
    now = datetime.now(UTC)
    today = now.date()
    yesterday = today - timedelta(days=1)
    populate(tiktok, graph, now)
    landing = tmp_path / "landing"
    write_landing(landing)
    late = landing / "instagram" / "creators" / f"dt={yesterday}" / "late.csv"
    late.parent.mkdir(parents=True)
    late.write_text("username,followers_count\nyuki,300\n")  # collected yesterday, landed late
    settings = Settings(landing_dir=landing, warehouse=tmp_path / "wh" / "warehouse.duckdb")
    monkeypatch.setenv(LANDING_DIR_VAR, str(landing))
    monkeypatch.setenv(WAREHOUSE_VAR, str(settings.warehouse))
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", tiktok.client_secret)  # read through dg.EnvVar
    monkeypatch.setenv("INSTAGRAM_ACCESS_TOKEN", graph.token)
    extract = ApiSettings(
        tiktok_client_key=tiktok.client_key,
        tiktok_client_secret=tiktok.client_secret,
        tiktok_research=True,
        tiktok_api_url=tiktok.url,
        instagram_access_token=graph.token,
        instagram_user_id=graph.user_id,
        graph_api_url=graph.url,
    )
    store = TokenStore(extract.token_store_path(settings.warehouse))
    store.put(
        CreatorTokens(
            "open-dana",
            "dana",
            "act-dana-SECRET-0001",
            "rft-dana-SECRET-0001",
            (now + timedelta(hours=1)).isoformat(),
            (now + timedelta(days=300)).isoformat(),
        )
    )
    with dg.instance_for_test() as instance:
        # the sensor's view of the landing zone before the run
        sensor_resources = {"landing": LandingZone(path=str(landing))}
        before = landing_sensor(
            dg.build_sensor_context(instance=instance, resources=sensor_resources)
        )
        defs = build_definitions(dataclasses.replace(settings, apis=extract))
        scheduled = daily_build(dg.build_schedule_context(scheduled_execution_time=now))
        assert scheduled.tags == {
            **partition_range_tags(yesterday, today),
            "creator_kpis/trigger": "daily_build",
        }
        result = defs.resolve_job_def(BUILD_ALL_JOB).execute_in_process(
            instance=instance, raise_on_error=False, tags=scheduled.tags
        )
        assert result.success
        run_logs = [
            (entry.user_message or "") + json.dumps(str(entry.dagster_event))
            for entry in instance.all_logs(result.run_id)
        ]
        # one materialization per partition of the range; both describe today's fetch
        assert [m.partition for m in result.asset_materializations_for_node("extract__tiktok")] == [
            yesterday.isoformat(),
            today.isoformat(),
        ]
        tiktok_meta = result.asset_materializations_for_node("extract__tiktok")[0].metadata
        instagram_meta = result.asset_materializations_for_node("extract__instagram")[0].metadata
        checks = {
            (e.asset_key.path[-1], e.check_name): e
            for e in result.get_asset_check_evaluations()
            if e.asset_key.path[0] == "extract"
        }
        after = landing_sensor(
            dg.build_sensor_context(
                instance=instance, cursor=before.cursor, resources=sensor_resources
            )
        )
        # a file landed outside a Dagster run (python -m pipeline extract) does get a run
        LandingWriter(landing, "tiktok", today, lambda: now).write(
            "creators", [{"username": "zed", "follower_count": 1}]
        )
        later = landing_sensor(
            dg.build_sensor_context(
                instance=instance, cursor=after.cursor, resources=sensor_resources
            )
        )

    # who was fetched: active roster usernames + campaign_posts creators; "old" is inactive
    assert {r.body.get("username") for r in tiktok.calls("/v2/research/user/info/")} == {
        "alice",
        "carl",
    }
    assert tiktok_meta["creators"].value == 3 and tiktok_meta["creators_ok"].value == 3
    # records fetched today land in dt=today only, though the run covers yesterday too
    assert tiktok_meta["day"].value == today.isoformat()
    assert {path.parent.name for path in landing.rglob("api-*")} == {f"dt={today}"}
    # python -m pipeline run's summary: 3 profiles + 4 videos; 1 profile + 2 posts
    assert _extract_lines(result) == [
        "extract/tiktok: 3 of 3 creators ok, 7 records",
        "extract/instagram: 1 of 2 creators ok, 3 records",
    ]
    assert instagram_meta["creators_ok"].value == 1
    assert instagram_meta["creators_skipped"].value == 1
    assert checks[("tiktok", "creators_fetched")].passed
    failed_check = checks[("instagram", "creators_fetched")]
    assert not failed_check.passed and failed_check.description.startswith("bea skipped: ")

    # the same run ingested the api- files, and the sensor does not ask for a second run
    assert after.run_requests == []
    assert [r.partition_key for r in later.run_requests] == [today.isoformat()]

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        videos = dict(
            con.execute(
                "select video_id, round(interaction_rate, 6) from marts.tiktok_videos"
            ).fetchall()
        )
        # (likes + comments + shares) / views, by hand
        assert videos == {
            str(ALICE_VIDEO): 0.15,  # (100 + 20 + 30) / 1000
            "7301234567890123000": 0.03,  # (10 + 0 + 2) / 400
            str(CARL_VIDEO): 0.2,  # (5 + 5 + 0) / 50
            "7400000000000000001": 0.125,  # (20 + 2 + 3) / 200, Display API
        }
        row = con.execute(
            "select followers, views_per_follower, saves from marts.tiktok_videos"
            " where video_id = ?",
            [str(ALICE_VIDEO)],
        ).fetchone()
        assert row == (2000, 0.5, None)  # 1000 views / 2000 followers
        assert con.execute(
            "select saves from marts.tiktok_videos where video_id = '7301234567890123000'"
        ).fetchone() == (7,)  # favorites_count landed as favourites_count
        assert con.execute(
            "select duration_seconds, username from marts.tiktok_videos"
            " where video_id = '7400000000000000001'"
        ).fetchone() == (15, "dana")
        posts = con.execute(
            "select post_id, likes, likes_hidden, engagement_rate from marts.instagram_posts"
            " order by post_id"
        ).fetchall()
        assert posts == [
            ("17900000000000001", 50, False, 0.06),  # (50 + 10) / 1000 followers
            ("17900000000000002", None, True, None),  # like_count 0: hidden, never 0
        ]
        sources = con.execute("select distinct _source_file from ingest.tiktok_videos").fetchall()
        assert all(Path(s).name.startswith("api-tiktok-") for (s,) in sources)
        statuses = con.execute(
            "select platform, username, status from ingest.extract_log order by 1, 2"
        ).fetchall()
        assert statuses == [
            ("instagram", "bea", "skipped"),
            ("instagram", "mia", "ok"),
            ("tiktok", "alice", "ok"),
            ("tiktok", "carl", "ok"),
            ("tiktok", "dana", "ok"),
        ]
        # yesterday's late file was ingested and built in the same run
        assert con.execute(
            "select username, followers_count, _partition_day from ingest.instagram_creators"
            " where _source_file not like '%api-%'"
        ).fetchall() == [("yuki", 300, yesterday)]
        assert con.execute(
            "select username, followers from marts.instagram_creators order by username"
        ).fetchall() == [("mia", 1000), ("yuki", 300)]
        tables = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR'"
        ).fetchall()
        stored_text = [
            str(value)
            for schema, table, column in tables
            for (value,) in con.execute(f'select "{column}" from "{schema}"."{table}"').fetchall()
        ]

    secrets = [
        tiktok.client_secret,
        graph.token,
        "act-dana-SECRET-0001",
        "rft-dana-SECRET-0001",
        *tiktok.research_tokens,
    ]
    captured = capfd.readouterr()
    landing_text = [p.read_text() for p in landing.rglob("*") if p.is_file()]
    for secret in secrets:
        assert secret not in captured.out and secret not in captured.err
        assert not any(secret in line for line in run_logs)
        assert not any(secret in value for value in stored_text)
        assert not any(secret in text for text in landing_text)


def test_without_credentials_the_extract_assets_skip_with_one_line(tmp_path):
    from pipeline.defs.extract.assets import extract_assets
    from pipeline.defs.extract.resources import ExtractApis
    from pipeline.defs.resources import Warehouse

    today = datetime.now(UTC).date().isoformat()
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            extract_assets,
            partition_key=today,
            instance=instance,
            resources={
                "landing": LandingZone(path=str(tmp_path)),
                "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
                "apis": ExtractApis(),
            },
        )
        messages = [e.user_message for e in instance.all_logs(result.run_id)]
    assert result.success
    tiktok = result.asset_materializations_for_node("extract__tiktok")[0].metadata
    assert tiktok["status"].value == "skipped"
    assert tiktok["reason"].value == (
        "no TikTok credentials: set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET"
    )
    assert (
        "extract/instagram skipped: no Instagram credentials: set INSTAGRAM_ACCESS_TOKEN"
        " and INSTAGRAM_USER_ID"
    ) in messages
    assert list(tmp_path.rglob("api-*")) == []
    assert _extract_lines(result) == [
        "extract/tiktok skipped: no TikTok credentials: set TIKTOK_CLIENT_KEY and"
        " TIKTOK_CLIENT_SECRET",
        "extract/instagram skipped: no Instagram credentials: set INSTAGRAM_ACCESS_TOKEN and"
        " INSTAGRAM_USER_ID",
    ]


def test_extract_assets_fetch_for_todays_partition_only(fakes, tmp_path):
    """dt is the day the records were collected: a run of a past partition, or a backfill of
    past days, fetches nothing and says why in one line."""
    from pipeline.defs.extract.assets import extract_assets
    from pipeline.defs.extract.resources import ExtractApis
    from pipeline.defs.resources import Warehouse

    tiktok, graph = fakes
    populate(tiktok, graph, datetime.now(UTC))
    today = datetime.now(UTC).date()
    yesterday, before = today - timedelta(days=1), today - timedelta(days=3)
    apis = ExtractApis(
        tiktok_client_key=tiktok.client_key,
        tiktok_client_secret=tiktok.client_secret,
        tiktok_research=True,
        tiktok_api_url=tiktok.url,
        instagram_access_token=graph.token,
        instagram_user_id=graph.user_id,
        graph_api_url=graph.url,
    )
    resources = {
        "landing": LandingZone(path=str(tmp_path / "landing")),
        "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
        "apis": apis,
    }
    with dg.instance_for_test() as instance:
        one_day = dg.materialize(
            extract_assets,
            partition_key=yesterday.isoformat(),
            instance=instance,
            resources=resources,
        )
        messages = [e.user_message for e in instance.all_logs(one_day.run_id)]
        backfill = dg.materialize(
            extract_assets,
            tags=partition_range_tags(before, yesterday),
            instance=instance,
            resources=resources,
        )
    assert one_day.success and backfill.success
    assert (
        f"extract/tiktok skipped: the APIs return current values only: partition {yesterday}"
        f" is not today ({today} UTC)"
    ) in messages
    assert _extract_lines(backfill) == [
        f"extract/{platform} skipped: the APIs return current values only: partitions"
        f" {before}..{yesterday} do not include today ({today} UTC)"
        for platform in ("tiktok", "instagram")
    ]
    assert tiktok.requests == [] and graph.requests == []
    assert not (tmp_path / "landing").exists()


def test_landing_sensor_waits_for_the_run_writing_api_files(tmp_path):
    """While a run that covers a day is in progress, that day's api- files may be its own (not
    yet ingested): the sensor requests no run for them until the run has ended."""
    from pipeline.defs.ingest.sensors import landing_sensor

    now = datetime.now(UTC)
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    landing = tmp_path / "landing"
    profile = [{"username": "zed", "follower_count": 1}]
    LandingWriter(landing, "tiktok", today, lambda: now).write("creators", profile)
    older = today - timedelta(days=3)  # outside the run's range: requested at once
    LandingWriter(landing, "tiktok", older, lambda: now).write("creators", profile)
    resources = {"landing": LandingZone(path=str(landing))}
    with dg.instance_for_test() as instance:
        run = instance.add_run(
            dg.DagsterRun(
                job_name="build_all",
                run_id="daily-run-in-progress",
                status=dg.DagsterRunStatus.STARTED,
                tags=partition_range_tags(yesterday, today),
            )
        )
        during = landing_sensor(dg.build_sensor_context(instance=instance, resources=resources))
        instance.report_run_failed(run)  # it ended without ingesting the file
        ended = landing_sensor(
            dg.build_sensor_context(instance=instance, cursor=during.cursor, resources=resources)
        )
    assert [r.partition_key for r in during.run_requests] == [older.isoformat()]
    assert sorted(json.loads(during.cursor)) == [
        str(path.relative_to(landing)) for path in landing.glob(f"tiktok/creators/dt={older}/*")
    ]
    assert [r.partition_key for r in ended.run_requests] == [today.isoformat()]


def test_cli_tiktok_auth_and_extract_check(fakes, tmp_path, monkeypatch, capsys):
    tiktok, graph = fakes
    tiktok.accounts["open-dana"] = DisplayAccount(
        "open-dana", {"username": "dana", "follower_count": 5}, []
    )
    tiktok.codes["CODE-123"] = "open-dana"
    tokens_path = tmp_path / "secrets" / "tokens.json"
    env = {
        "TIKTOK_CLIENT_KEY": tiktok.client_key,
        "TIKTOK_CLIENT_SECRET": tiktok.client_secret,
        "CREATOR_KPIS_TIKTOK_API_URL": tiktok.url,
        "CREATOR_KPIS_TIKTOK_REDIRECT_URI": "https://agency.example/callback",
        "CREATOR_KPIS_TIKTOK_TOKENS": str(tokens_path),
        "CREATOR_KPIS_TIKTOK_DAILY_REQUESTS": "500",
        "CREATOR_KPIS_TIKTOK_RESEARCH": "on",
        "INSTAGRAM_ACCESS_TOKEN": graph.token,
        "INSTAGRAM_USER_ID": graph.user_id,
        "CREATOR_KPIS_GRAPH_API_URL": graph.url,
        WAREHOUSE_VAR: str(tmp_path / "warehouse.duckdb"),
        LANDING_DIR_VAR: str(tmp_path / "landing"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    assert cli.main(["tiktok-auth", "url"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://www.tiktok.com/v2/auth/authorize/?client_key=ck-test&scope=")
    assert "user.info.basic%2Cuser.info.profile%2Cuser.info.stats%2Cvideo.list" in url
    assert "redirect_uri=https%3A%2F%2Fagency.example%2Fcallback" in url and "state=" in url

    assert cli.main(["tiktok-auth", "code", "CODE-123"]) == 0
    assert "TikTok creator dana authorized" in capsys.readouterr().out
    stored = TokenStore(tokens_path).load()["open-dana"]
    assert (stored.username, stored.access_token) == (
        "dana",
        tiktok.accounts["open-dana"].access_token,
    )
    assert stat.S_IMODE(tokens_path.stat().st_mode) == 0o600
    grant = tiktok.calls("/v2/oauth/token/")[0].body
    assert grant["grant_type"] == "authorization_code" and grant["code"] == "CODE-123"

    assert cli.main(["extract", "--check"]) == 0
    out = capsys.readouterr().out
    assert "tiktok: Research API on: 500 of 500 requests left today (UTC)" in out
    assert "tiktok: Display API creator dana: refresh token valid until" in out
    assert "instagram: Instagram token accepted for account agency_account" in out
    assert not any(r.path.startswith("/v2/research/") for r in tiktok.requests)
    assert graph.token not in out and tiktok.client_secret not in out

    # records fetched now belong in today's partition: another --day is refused, nothing fetched
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    assert cli.main(["extract", "--day", yesterday.isoformat()]) == 2
    assert capsys.readouterr().err.startswith(
        f"error: the APIs return current values only: --day {yesterday} is not today"
    )
    assert not any(r.path.startswith("/v2/research/") for r in tiktok.requests)
    assert not (tmp_path / "landing").exists()

    monkeypatch.setenv("INSTAGRAM_ACCESS_TOKEN", "expired-token-XYZ")
    assert cli.main(["extract", "--check", "--platform", "instagram"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Instagram access token expired or invalid")
    assert err.rstrip().endswith("renew INSTAGRAM_ACCESS_TOKEN") and "expired-token-XYZ" not in err
    assert os.environ["INSTAGRAM_ACCESS_TOKEN"] == "expired-token-XYZ"


def test_extract_assets_sit_upstream_of_their_platforms_ingest(dbt_manifest):
    from pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    for platform, entities in (
        ("tiktok", ("creators", "videos")),
        ("instagram", ("creators", "media")),
    ):
        node = graph.get(extract_asset_key(platform))
        assert node.group_name == f"extract_{platform}"
        assert node.partitions_def is not None
        assert node.child_keys == {dg.AssetKey(["ingest", f"{platform}_{e}"]) for e in entities}
        assert node.parent_keys == {
            dg.AssetKey(["ingest", "roster_creators"]),
            dg.AssetKey(["ingest", "campaign_posts"]),
        }
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "creators_fetched" in checks


def test_extract_settings_from_the_environment():
    env = {
        "TIKTOK_CLIENT_KEY": " ck ",
        "TIKTOK_CLIENT_SECRET": "cs-secret",
        "CREATOR_KPIS_TIKTOK_RESEARCH": "ON",
        "CREATOR_KPIS_TIKTOK_API_URL": "http://127.0.0.1:9/",
        "CREATOR_KPIS_LOOKBACK_DAYS": "45",
        "INSTAGRAM_ACCESS_TOKEN": "ig-secret",
    }
    everything = Settings.from_env(env)  # the one Settings reads the APIs' variables too
    settings = everything.apis
    assert (settings.tiktok_client_key, settings.tiktok_research) == ("ck", True)
    assert settings.tiktok_api_url == "http://127.0.0.1:9"
    assert (settings.lookback_days, settings.tiktok_daily_requests) == (45, 1000)
    assert settings.graph_api_version == "v25.0"
    assert settings.tiktok_configured and not settings.instagram_configured
    assert settings.missing("instagram") == (
        "no Instagram credentials: set INSTAGRAM_ACCESS_TOKEN and INSTAGRAM_USER_ID"
    )
    assert "cs-secret" not in repr(settings) and "ig-secret" not in repr(settings)
    assert "cs-secret" not in repr(everything) and "ig-secret" not in repr(everything)
    assert "tiktok_client_secret='***'" in repr(everything)
    assert set(env) <= set(SETTINGS_VARS)
    warehouse = Path("/srv/data/warehouse.duckdb")
    assert settings.token_store_path(warehouse) == Path("/srv/data/.secrets/tiktok_tokens.json")


def test_a_malformed_extract_setting_is_one_operator_line(monkeypatch, capsys):
    monkeypatch.setenv("CREATOR_KPIS_TIKTOK_DAILY_REQUESTS", "lots")
    assert cli.main(["extract", "--check"]) == 2
    assert capsys.readouterr().err == (
        "error: CREATOR_KPIS_TIKTOK_DAILY_REQUESTS='lots' is not a whole number: fix or unset it\n"
    )
