"""Instagram extraction against a loopback fake of the Graph API (real HTTP, no real sleep)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.extract.http import ApiTransport
from pipeline.extract.run import ExtractLog, extract_instagram
from pipeline.settings import ApiSettings
from tests.extract_fakes import FakeClock, FakeGraph, graph_error, read_landing

DAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)


@pytest.fixture
def fake():
    server = FakeGraph().start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def account(username: str, posts: int, first: datetime = NOW - timedelta(hours=1), step=6):
    return {
        "id": f"178414{abs(hash(username)) % 10**11:011d}",
        "username": username,
        "name": username.title(),
        "biography": "bio",
        "followers_count": 5000,
        "follows_count": 10,
        "media_count": posts,
        "media": [
            {
                "id": str(17900000000000000 + i),
                "username": username,
                "timestamp": (first - timedelta(hours=step * i)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "caption": f"post {i}",
                "media_type": "IMAGE",
                "media_product_type": "FEED",
                "permalink": f"https://instagram.example/p/{i}",
                "like_count": 10 + i,
                "comments_count": i,
            }
            for i in range(posts)
        ],
    }


@pytest.fixture
def env(tmp_path: Path, fake: FakeGraph, clock: FakeClock):
    class Env:
        landing = tmp_path / "landing"
        warehouse = tmp_path / "warehouse.duckdb"
        settings = ApiSettings(
            instagram_access_token=fake.token,
            instagram_user_id=fake.user_id,
            graph_api_url=fake.url,
            lookback_days=30,
        )

        def run(self, usernames):
            transport = ApiTransport(
                fake.url, sleep=clock.sleep, clock=clock, secrets=self.settings.secrets()
            )
            try:
                return extract_instagram(
                    self.settings,
                    self.landing,
                    ExtractLog(self.warehouse),
                    DAY,
                    "run-test",
                    transport,
                    usernames=usernames,
                )
            finally:
                transport.close()

        def log(self):
            with duckdb.connect(str(self.warehouse), read_only=True) as con:
                return con.execute(
                    "select username, status, error_code, error_message, records_written"
                    " from ingest.extract_log order by username"
                ).fetchall()

    return Env()


def after_cursors(fake: FakeGraph) -> list[str | None]:
    cursors = []
    for request in fake.calls(fake.path):
        fields = request.query["fields"]
        cursors.append(
            fields.split("media.after(")[1].split(")")[0] if "after(" in fields else None
        )
    return cursors


def test_media_pages_follow_after_until_next_is_absent(env, fake):
    fake.accounts["mia"] = account("mia", 120, step=1)
    outcome = env.run(["mia"])
    assert outcome.counts == {"ok": 1}
    assert after_cursors(fake) == [None, "c50", "c100"]
    assert "media.limit(50)" in fake.calls(fake.path)[0].query["fields"]
    media = read_landing(env.landing, "instagram", "media")
    assert [m["id"] for m in media] == [str(17900000000000000 + i) for i in range(120)]
    (profile,) = read_landing(env.landing, "instagram", "creators")
    assert profile["username"] == "mia" and profile["followers_count"] == 5000
    assert "media" not in profile and profile["fetched_at"] == "2026-06-15T06:00:00.000+00:00"


def test_an_empty_page_with_next_keeps_paging(env, fake):
    fake.accounts["mia"] = account("mia", 70, step=1)
    fake.empty_page_with_next = {"c50"}
    env.run(["mia"])
    # the empty page answers after=c50 with after=c50 again and a next link
    assert after_cursors(fake) == [None, "c50", "c50"]
    assert len(read_landing(env.landing, "instagram", "media")) == 70


def test_posts_older_than_the_lookback_stop_the_paging(env, fake):
    fake.accounts["mia"] = account("mia", 200, step=12)  # two a day: 100 days back
    env.run(["mia"])
    # posts within 30 days: created at 05:00 minus 12 h * i >= 2026-05-16 06:00 -> i <= 59
    assert after_cursors(fake) == [None, "c50"]
    assert len(read_landing(env.landing, "instagram", "media")) == 60


def test_like_count_zero_or_missing_is_written_as_absent(env, fake):
    fake.accounts["mia"] = account("mia", 3)
    fake.accounts["mia"]["media"][0]["like_count"] = 0
    del fake.accounts["mia"]["media"][1]["like_count"]
    env.run(["mia"])
    media = read_landing(env.landing, "instagram", "media")
    assert ["like_count" in m for m in media] == [False, False, True]
    assert media[2]["like_count"] == 12


def test_throttling_codes_wait_for_the_usage_header(env, fake, clock):
    fake.accounts["mia"] = account("mia", 2)
    usage = {
        "123": [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 5}]
    }
    fake.user_faults["mia"] = [
        graph_error(
            4,
            "Application request limit reached",
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        ),
        graph_error(80002, "There have been too many calls to this Instagram account"),
    ]
    outcome = env.run(["mia"])
    assert outcome.counts == {"ok": 1}
    assert clock.sleeps == [300.0, 120.0]  # 5 minutes from the header; then backoff 60 s * 2


def test_high_app_usage_slows_down(env, fake, clock):
    fake.accounts["mia"] = account("mia", 2)
    fake.usage_headers = {"X-App-Usage": json.dumps({"call_count": 91, "total_time": 20})}
    env.run(["mia"])
    assert clock.sleeps == [60.0]


def test_code_2_is_transient_and_retried(env, fake, clock):
    fake.accounts["mia"] = account("mia", 2)
    fake.user_faults["mia"] = [graph_error(2, "Service temporarily unavailable", transient=True)]
    outcome = env.run(["mia"])
    assert outcome.counts == {"ok": 1} and clock.sleeps == [2.0]


def test_190_stops_the_platform_with_one_line_naming_the_variable(env, fake, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("ann", "bea", "cat"):
        fake.accounts[name] = account(name, 1)
    fake.token = "a-new-token-nobody-has"  # the configured one expired
    outcome = env.run(["ann", "bea", "cat"])
    assert len(fake.requests) == 1  # nothing more after the 190
    assert outcome.stopped.startswith("Instagram access token expired or invalid")
    assert outcome.stopped.endswith("renew INSTAGRAM_ACCESS_TOKEN")
    assert "\n" not in outcome.stopped
    assert env.log()[0][:3] == ("ann", "failed", "190/463")
    secret = env.settings.instagram_access_token
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert all(secret not in str(row) for row in env.log())


def test_100_33_and_unknown_username_skip_that_creator_while_others_load(env, fake):
    fake.accounts["ann"] = account("ann", 2)
    fake.accounts["bea"] = account("bea", 3)
    fake.user_faults["ann"] = [
        graph_error(100, "Unsupported get request. Object does not exist", subcode=33)
    ]
    outcome = env.run(["ann", "bea", "ghost"])
    assert outcome.counts == {"ok": 1, "skipped": 2}
    rows = {row[0]: row for row in env.log()}
    assert rows["ann"][1:3] == ("skipped", "100/33")
    assert rows["ghost"][1:3] == ("skipped", "110/2207013")
    assert rows["bea"][1] == "ok" and rows["bea"][4] == 4
    assert {m["username"] for m in read_landing(env.landing, "instagram", "media")} == {"bea"}


def test_token_is_redacted_from_httpx_logs(env, fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.accounts["mia"] = account("mia", 1)
    env.run(["mia"])
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert env.settings.instagram_access_token not in text
    for path in env.landing.rglob("*"):
        if path.is_file():
            assert env.settings.instagram_access_token not in path.read_text()


def test_throttling_that_never_clears_stops_the_platform_for_this_run(env, fake, clock):
    fake.accounts["ann"] = account("ann", 1)
    fake.accounts["bea"] = account("bea", 1)
    fake.user_faults["ann"] = [graph_error(17, "User request limit reached")] * 6
    outcome = env.run(["ann", "bea"])
    assert clock.sleeps == [60.0, 120.0, 240.0, 480.0, 960.0]
    assert outcome.stopped.startswith("throttled by the Graph API, resumes on the next run")
    assert [row[:3] for row in env.log()] == [("ann", "failed", "17")]
    assert len(fake.requests) == 6  # bea is left for the next run
