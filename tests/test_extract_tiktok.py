"""TikTok extraction against a loopback fake of open.tiktokapis.com (real HTTP, no real sleep)."""

from __future__ import annotations

import json
import logging
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.extract.http import ApiTransport
from pipeline.extract.run import ExtractLog, extract_tiktok
from pipeline.extract.tokens import CreatorTokens, TokenStore
from pipeline.settings import ApiSettings
from tests.extract_fakes import (
    HTML_504,
    DisplayAccount,
    FakeClock,
    FakeTikTok,
    epoch,
    read_landing,
    tiktok_error,
)

DAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)
VIDEO_QUERY = "/v2/research/video/query/"
USER_INFO = "/v2/research/user/info/"
TOKEN = "/v2/oauth/token/"


@pytest.fixture
def fake():
    server = FakeTikTok().start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def env(tmp_path: Path, fake: FakeTikTok, clock: FakeClock):
    class Env:
        landing = tmp_path / "landing"
        warehouse = tmp_path / "warehouse.duckdb"
        store = TokenStore(tmp_path / ".secrets" / "tiktok_tokens.json")
        settings = ApiSettings(
            tiktok_client_key=fake.client_key,
            tiktok_client_secret=fake.client_secret,
            tiktok_research=True,
            tiktok_api_url=fake.url,
            lookback_days=30,
        )

        def run(self, usernames, flush_every=25, **overrides):
            settings = ApiSettings(**{**self.settings.__dict__, **overrides})
            transport = ApiTransport(
                fake.url, sleep=clock.sleep, clock=clock, secrets=settings.secrets()
            )
            try:
                return extract_tiktok(
                    settings,
                    self.landing,
                    ExtractLog(self.warehouse),
                    self.store,
                    DAY,
                    "run-test",
                    transport,
                    usernames=usernames,
                    flush_every=flush_every,
                )
            finally:
                transport.close()

        def log(self):
            with duckdb.connect(str(self.warehouse), read_only=True) as con:
                return con.execute(
                    "select username, api, status, error_code, error_message, records_written,"
                    " resume_from from ingest.extract_log order by attempted_at, username"
                ).fetchall()

    return Env()


def make_videos(username: str, count: int, newest: str = "2026-06-15T05:00:00", step_hours=1):
    start = epoch(newest)
    return [
        {
            "id": 7300000000000000000 + hash(username) % 1000 * 10000 + i,
            "username": username,
            "create_time": start - i * step_hours * 3600,
            "view_count": 1000 + i,
            "like_count": 100 + i,
            "comment_count": 10,
            "share_count": 1,
            "favorites_count": 5,
        }
        for i in range(count)
    ]


def add_user(fake: FakeTikTok, username: str, followers: int = 1000) -> None:
    fake.users[username] = {
        "display_name": username.title(),
        "follower_count": followers,
        "following_count": 3,
        "likes_count": 10,
        "video_count": 42,
        "is_verified": False,
        "bio_description": "hi",
    }


def test_research_pages_by_cursor_and_search_id_with_exact_ids(env, fake: FakeTikTok):
    add_user(fake, "alice", 1234)
    videos = make_videos("alice", 250)
    videos[0]["id"] = 7301234567890123457  # 19 digits, > 2**53: a float would make it ...456
    del videos[1]["favorites_count"]
    videos[1]["favourites_count"] = 77
    fake.videos = videos
    outcome = env.run(["alice"])
    assert outcome.counts == {"ok": 1} and outcome.stopped is None
    queries = fake.calls(VIDEO_QUERY)
    assert [q.body.get("cursor") for q in queries] == [None, 100, 200]
    assert queries[0].body.get("search_id") is None
    assert queries[1].body["search_id"] == queries[2].body["search_id"] == "search-1"
    assert queries[0].body["query"]["and"][0]["field_values"] == ["alice"]
    assert (queries[0].body["start_date"], queries[0].body["end_date"]) == ("20260517", "20260615")
    landed = read_landing(env.landing, "tiktok", "videos")
    assert len(landed) == 250 and len({v["id"] for v in landed}) == 250
    assert landed[0]["id"] == "7301234567890123457"
    raw = next((env.landing / "tiktok/videos/dt=2026-06-15").glob("api-*.jsonl")).read_text()
    assert '"id": "7301234567890123457"' in raw
    assert landed[1]["favourites_count"] == 77 and "favorites_count" not in landed[1]
    assert landed[2]["favourites_count"] == 5 and "favorites_count" not in landed[2]
    assert landed[0]["fetched_at"] == "2026-06-15T06:00:00.000+00:00"
    (profile,) = read_landing(env.landing, "tiktok", "creators")
    assert profile["username"] == "alice" and profile["follower_count"] == 1234
    assert env.log()[0][:3] == ("alice", "research", "ok")
    assert env.log()[0][5] == 251


def test_empty_page_with_has_more_keeps_paging(env, fake: FakeTikTok):
    add_user(fake, "alice")
    fake.videos = make_videos("alice", 150)
    fake.empty_page_at = {100}
    outcome = env.run(["alice"])
    assert outcome.counts == {"ok": 1}
    assert [q.body.get("cursor") for q in fake.calls(VIDEO_QUERY)] == [None, 100, 1_000_100]
    assert len(read_landing(env.landing, "tiktok", "videos")) == 150


def test_lookback_over_30_days_is_split_into_windows(env, fake: FakeTikTok):
    add_user(fake, "alice")
    fake.videos = make_videos("alice", 45, step_hours=24)  # one a day, 45 days back
    env.run(["alice"], lookback_days=45)
    windows = [(q.body["start_date"], q.body["end_date"]) for q in fake.calls(VIDEO_QUERY)]
    assert windows == [("20260502", "20260531"), ("20260601", "20260615")]
    # 2026-05-02 .. 2026-06-15 (45 days) holds the 45 videos, the oldest on 2026-05-02 05:00
    assert len(read_landing(env.landing, "tiktok", "videos")) == 45


def test_transient_search_id_error_is_retried_after_five_seconds(env, fake, clock):
    add_user(fake, "alice")
    fake.videos = make_videos("alice", 150)
    # the first page goes through, then the API rejects its own search_id twice
    original = fake.answer

    def answer(request):
        if request.path == VIDEO_QUERY and request.body.get("cursor") and fake.rejections < 2:
            fake.rejections += 1
            return tiktok_error(400, "invalid_params", "Search Id 7300 is invalid or expired")
        return original(request)

    fake.rejections = 0
    fake.answer = answer
    outcome = env.run(["alice"])
    assert outcome.counts == {"ok": 1}
    assert clock.sleeps == [5.0, 5.0]
    assert len(read_landing(env.landing, "tiktok", "videos")) == 150


def test_500_three_times_then_success(env, fake, clock):
    add_user(fake, "alice")
    fake.videos = make_videos("alice", 10)
    fake.fail(VIDEO_QUERY, *[tiktok_error(500, "internal_error", "Something went wrong")] * 3)
    outcome = env.run(["alice"])
    assert outcome.counts == {"ok": 1}
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert len(read_landing(env.landing, "tiktok", "videos")) == 10


def test_504_with_an_html_body_is_retried(env, fake, clock):
    add_user(fake, "alice")
    fake.videos = make_videos("alice", 10)
    fake.fail(USER_INFO, HTML_504)
    outcome = env.run(["alice"])
    assert outcome.counts == {"ok": 1} and clock.sleeps == [2.0]
    assert len(read_landing(env.landing, "tiktok", "creators")) == 1


def test_500_that_never_clears_gives_up_and_keeps_earlier_pages(env, fake, clock):
    add_user(fake, "alice")
    add_user(fake, "bob")
    fake.videos = make_videos("alice", 150) + make_videos("bob", 5)
    original = fake.answer

    def answer(request):
        if request.path == VIDEO_QUERY and request.body.get("cursor") == 100:
            return tiktok_error(500, "internal_error", "Something went wrong")
        return original(request)

    fake.answer = answer
    outcome = env.run(["alice", "bob"])
    assert outcome.counts == {"failed": 1, "ok": 1}
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0, 32.0]  # 6 attempts, then give up
    assert len([q for q in fake.calls(VIDEO_QUERY) if q.body.get("cursor") == 100]) == 6
    landed = read_landing(env.landing, "tiktok", "videos")
    assert sum(v["username"] == "alice" for v in landed) == 100  # the first page is kept
    assert sum(v["username"] == "bob" for v in landed) == 5
    alice = next(row for row in env.log() if row[0] == "alice")
    assert alice[2:4] == ("failed", "internal_error") and alice[5] == 101
    assert "Something went wrong" in alice[4] and "log_id L1" in alice[4]


def test_401_gets_a_new_token_and_retries_once(env, fake):
    add_user(fake, "alice")
    fake.videos = make_videos("alice", 3)
    fake.fail(USER_INFO, tiktok_error(401, "access_token_invalid", "The access token is invalid"))
    outcome = env.run(["alice"])
    assert outcome.counts == {"ok": 1}
    grants = [r.body["grant_type"] for r in fake.calls(TOKEN)]
    assert grants == ["client_credentials", "client_credentials"]


def test_quota_429_mid_run_stops_and_the_next_run_writes_the_rest_once(env, fake, clock):
    for name in ("alice", "bob", "carol"):
        add_user(fake, name)
    fake.videos = make_videos("alice", 50) + make_videos("bob", 250) + make_videos("carol", 7)
    fake.quota_left = 4  # alice: info + 1 page; bob: info + 1 page; then 429
    first = env.run(["alice", "bob", "carol"])
    assert first.stopped.startswith("quota exhausted, resumes after 00:00 UTC")
    assert first.counts == {"ok": 1, "quota": 1}
    assert {row[0]: row[2] for row in env.log()} == {"alice": "ok", "bob": "quota"}
    assert clock.sleeps == []  # the daily quota is not waited out
    assert len(read_landing(env.landing, "tiktok", "videos")) == 150  # kept
    # the quota resets at 00:00 UTC; the next run of the same partition resumes
    clock.now = datetime(2026, 6, 16, 1, 0, tzinfo=UTC)
    fake.quota_left = None
    before = len(fake.calls(VIDEO_QUERY))
    second = env.run(["alice", "bob", "carol"])
    assert second.stopped is None and second.already_done == 1
    assert second.counts == {"ok": 2}
    resumed = fake.calls(VIDEO_QUERY)[before:]
    # bob resumes at cursor 100 with his search_id: his first page is not fetched again
    assert [
        (q.body["query"]["and"][0]["field_values"][0], q.body.get("cursor")) for q in resumed
    ] == [
        ("bob", 100),
        ("bob", 200),
        ("carol", None),
    ]
    assert len(fake.calls(USER_INFO)) == 3  # alice, bob (before the 429), carol
    landed = read_landing(env.landing, "tiktok", "videos")
    assert len(landed) == 307 and len({v["id"] for v in landed}) == 307
    # bob's second attempt wrote his last 150 videos (his profile had landed before the stop)
    assert [(row[0], row[2], row[5]) for row in env.log()[-2:]] == [
        ("bob", "ok", 150),
        ("carol", "ok", 8),
    ]
    assert len(read_landing(env.landing, "tiktok", "creators")) == 3


def test_daily_request_budget_is_counted_in_the_warehouse(env, fake):
    add_user(fake, "alice")
    add_user(fake, "bob")
    fake.videos = make_videos("alice", 5) + make_videos("bob", 5)
    first = env.run(["alice"], tiktok_daily_requests=3)
    assert first.counts == {"ok": 1} and first.quota_remaining == 1
    second = env.run(["bob"], tiktok_daily_requests=3)
    assert second.counts == {"quota": 1} and "CREATOR_KPIS_TIKTOK_DAILY_REQUESTS" in second.stopped
    assert len(fake.calls(USER_INFO)) == 2  # bob's info went out (the 3rd), his videos did not
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        used = con.execute(
            "select requests from ingest.api_requests where api = 'tiktok_research'"
        ).fetchall()
    assert used == [(3,)]


# --- Display API --------------------------------------------------------------------------


def display_account(fake: FakeTikTok, open_id: str, username: str, videos: int) -> DisplayAccount:
    account = DisplayAccount(
        open_id,
        {"username": username, "display_name": username.title(), "follower_count": 500},
        [
            {
                "id": 7400000000000000000 + i,
                "create_time": epoch("2026-06-15T04:00:00") - i * 86400,
                "duration": 30,
                "view_count": 10 * i,
                "like_count": i,
                "comment_count": 0,
                "share_count": 0,
                "video_description": f"v{i}",
            }
            for i in range(videos)
        ],
        access_token="act-old",
        refresh_token=f"rft-{open_id}",
    )
    fake.accounts[open_id] = account
    return account


def stored(env, account: DisplayAccount, expires: datetime) -> None:
    env.store.put(
        CreatorTokens(
            open_id=account.open_id,
            username=account.user["username"],
            access_token=account.access_token,
            refresh_token=account.refresh_token,
            access_expires_at=expires.isoformat(),
            refresh_expires_at=(NOW + timedelta(days=300)).isoformat(),
        )
    )


def test_display_refresh_rotates_and_stores_the_new_refresh_token(env, fake, caplog):
    caplog.set_level(logging.DEBUG)
    dana = display_account(fake, "open-dana", "dana", videos=45)
    stored(env, dana, expires=NOW + timedelta(minutes=2))  # expires within the margin
    outcome = env.run(["dana"], tiktok_research=False)
    assert outcome.counts == {"ok": 1}
    assert [r.body["grant_type"] for r in fake.calls(TOKEN)] == ["refresh_token"]
    entry = env.store.load()["open-dana"]
    assert entry.refresh_token == dana.refresh_token != "rft-open-dana"  # rotated and stored
    assert entry.access_token == dana.access_token
    assert stat.S_IMODE(env.store.path.stat().st_mode) == 0o600
    # paging by cursor (ms), newest first, 20 per page, stopping at the 30-day lookback
    cursors = [r.body.get("cursor") for r in fake.calls("/v2/video/list/")]
    assert cursors == [None, (epoch("2026-06-15T04:00:00") - 19 * 86400) * 1000]
    landed = read_landing(env.landing, "tiktok", "videos")
    assert len(landed) == 30  # created 2026-05-17 .. 2026-06-15 (30 days back from 06:00)
    assert landed[0] == {
        "id": "7400000000000000000",
        "create_time": epoch("2026-06-15T04:00:00"),
        "video_description": "v0",
        "view_count": 0,
        "like_count": 0,
        "comment_count": 0,
        "share_count": 0,
        "video_duration": 30,
        "username": "dana",
        "fetched_at": "2026-06-15T06:00:00.000+00:00",
    }
    (profile,) = read_landing(env.landing, "tiktok", "creators")
    assert profile["open_id"] == "open-dana" and profile["username"] == "dana"
    secrets = {
        dana.access_token,
        dana.refresh_token,
        "act-old",
        "rft-open-dana",
        fake.client_secret,
    }
    for record in caplog.records:
        assert not any(s in record.getMessage() for s in secrets)


def test_invalid_grant_for_one_creator_while_the_others_load(env, fake, caplog):
    dana = display_account(fake, "open-dana", "dana", videos=2)
    erin = display_account(fake, "open-erin", "erin", videos=2)
    stored(env, dana, expires=NOW - timedelta(minutes=1))
    stored(env, erin, expires=NOW - timedelta(minutes=1))
    erin.refresh_token = "rft-rotated-elsewhere"  # the stored one no longer works
    outcome = env.run(["dana", "erin"], tiktok_research=False)
    assert outcome.counts == {"failed": 1, "ok": 1}
    rows = {row[0]: row for row in env.log()}
    assert rows["dana"][2] == "ok" and rows["erin"][2] == "failed"
    assert rows["erin"][3] == "invalid_grant"
    assert rows["erin"][4].startswith(
        "TikTok creator erin must authorize the app again (python -m pipeline tiktok-auth url)"
    )
    assert env.store.load()["open-erin"].needs_reauthorization
    assert any("erin must authorize" in r.getMessage() for r in caplog.records)
    assert {v["username"] for v in read_landing(env.landing, "tiktok", "videos")} == {"dana"}
    # the next run does not try the dead refresh token again
    env.run(["erin"], tiktok_research=False)
    assert len(fake.calls(TOKEN)) == 2


def test_crash_between_refresh_and_store_write_needs_reauthorization(env, fake, monkeypatch):
    """Documented outcome: TikTok rotated the refresh token but the store kept the old one, so
    the next refresh gets invalid_grant and the creator must authorize again; no data is lost
    or written twice, and every other creator still loads."""
    dana = display_account(fake, "open-dana", "dana", videos=2)
    stored(env, dana, expires=NOW - timedelta(minutes=1))

    def crash(self, tokens):
        raise OSError("disk full")

    monkeypatch.setattr(TokenStore, "put", crash)
    with pytest.raises(OSError):
        env.run(["dana"], tiktok_research=False)
    monkeypatch.undo()
    assert env.store.load()["open-dana"].refresh_token == "rft-open-dana"  # the old one
    assert read_landing(env.landing, "tiktok", "videos") == []
    outcome = env.run(["dana"], tiktok_research=False)
    assert outcome.counts == {"failed": 1}
    assert env.log()[-1][3] == "invalid_grant"
    assert env.store.load()["open-dana"].needs_reauthorization


def test_access_token_invalid_refreshes_once(env, fake):
    dana = display_account(fake, "open-dana", "dana", videos=3)
    stored(env, dana, expires=NOW + timedelta(hours=1))
    dana.access_token = "act-revoked-server-side"
    outcome = env.run(["dana"], tiktok_research=False)
    assert outcome.counts == {"ok": 1}
    assert [r.body["grant_type"] for r in fake.calls(TOKEN)] == ["refresh_token"]
    assert len(read_landing(env.landing, "tiktok", "videos")) == 3


def test_without_token_or_research_the_creator_is_skipped_with_the_reason(env, fake):
    outcome = env.run(["zoe"], tiktok_research=False)
    assert outcome.counts == {"skipped": 1} and fake.requests == []
    assert "CREATOR_KPIS_TIKTOK_RESEARCH" in env.log()[0][4]


def test_a_killed_run_resumes_without_fetching_again_what_it_wrote(env, fake, monkeypatch):
    from pipeline.extract.tiktok import TikTokClient
    from pipeline.landing.discovery import discover

    for name in ("alice", "bob"):
        add_user(fake, name)
    fake.videos = make_videos("alice", 3) + make_videos("bob", 4)
    real = TikTokClient.research_user_info

    def killed_at_bob(self, username):
        if username == "bob":
            raise KeyboardInterrupt  # the process is stopped while fetching bob
        return real(self, username)

    monkeypatch.setattr(TikTokClient, "research_user_info", killed_at_bob)
    with pytest.raises(KeyboardInterrupt):
        env.run(["alice", "bob"], flush_every=1)
    monkeypatch.undo()
    # alice was flushed (file + log row) before the kill; bob left nothing behind
    assert [row[:3] for row in env.log()] == [("alice", "research", "ok")]
    assert len(read_landing(env.landing, "tiktok", "videos")) == 3
    # a SIGKILL during a write leaves only a hidden temporary file, which is never read
    folder = env.landing / "tiktok" / "videos" / "dt=2026-06-15"
    (folder / ".api-tiktok-half-written.jsonl.tmp").write_text('{"id": "1", "user')
    assert all(not f.path.name.startswith(".") for f in discover(env.landing).files)
    queried = len(fake.calls(USER_INFO))
    second = env.run(["alice", "bob"], flush_every=1)
    assert second.already_done == 1 and second.counts == {"ok": 1}
    assert [r.body["username"] for r in fake.calls(USER_INFO)[queried:]] == ["bob"]
    landed = read_landing(env.landing, "tiktok", "videos")
    assert len(landed) == 7 and len({v["id"] for v in landed}) == 7


def test_display_rate_limit_429_is_retried_with_backoff(env, fake, clock):
    dana = display_account(fake, "open-dana", "dana", videos=1)
    stored(env, dana, expires=NOW + timedelta(hours=1))
    fake.fail("/v2/user/info/", tiktok_error(429, "rate_limit_exceeded", "too many requests"))
    outcome = env.run(["dana"], tiktok_research=False)
    assert outcome.counts == {"ok": 1} and outcome.stopped is None
    assert clock.sleeps == [60.0]  # a per-minute limit: waited out, not a quota stop


def test_rejected_app_credentials_stop_the_platform_with_one_line(env, fake):
    add_user(fake, "alice")
    add_user(fake, "bob")
    outcome = env.run(["alice", "bob"], tiktok_client_secret="wrong-secret")
    assert outcome.stopped.endswith("check TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET")
    assert outcome.counts == {"failed": 1} and len(fake.requests) == 1
    assert "wrong-secret" not in outcome.stopped


def test_display_creators_go_before_a_research_quota_stop(env, fake):
    add_user(fake, "alice")
    dana = display_account(fake, "open-dana", "dana", videos=2)
    stored(env, dana, expires=NOW + timedelta(hours=1))
    fake.quota_left = 0
    outcome = env.run(["alice", "dana"])
    assert {row[0]: row[2] for row in env.log()} == {"dana": "ok", "alice": "quota"}
    assert outcome.stopped.startswith("quota exhausted, resumes after 00:00 UTC")


def test_an_expired_saved_search_id_restarts_the_window_without_duplicates(env, fake, clock):
    add_user(fake, "bob")
    fake.videos = make_videos("bob", 250)
    fake.quota_left = 2  # bob's info and his first page
    first = env.run(["bob"])
    assert first.counts == {"quota": 1}
    resume = json.loads(env.log()[0][6])
    assert resume == {
        "profile": True,
        "window_start": "2026-05-17",
        "cursor": 100,
        "search_id": "search-1",
    }
    fake.quota_left = None
    fake.expired_searches = {"search-1"}
    clock.now = datetime(2026, 6, 16, 1, 0, tzinfo=UTC)
    clock.sleeps.clear()
    second = env.run(["bob"])
    assert second.counts == {"ok": 1}
    assert clock.sleeps == [5.0] * 5  # the saved search_id retried, then the window again
    cursors = [q.body.get("cursor") for q in fake.calls(VIDEO_QUERY)]
    assert cursors == [None, 100, *[100] * 6, None, 100, 200]
    landed = read_landing(env.landing, "tiktok", "videos")
    assert len(landed) == 250 and len({v["id"] for v in landed}) == 250
    assert env.log()[-1][5] == 150  # only the videos not landed before
