"""One platform's extraction for one day: who to fetch, through which API, what to record.

Creators are fetched one after another. Their records are buffered and flushed every
``flush_every`` creators (and when the run stops): landing files first, then one transaction
with their ``ingest.extract_log`` rows and the request counters. A run killed between flushes
leaves no partial file and no log row, so those creators are simply fetched on the next run; a
creator logged ``ok`` for the day is never fetched again that day; a quota-stopped creator
resumes from its recorded cursor; and the writer never lands a record twice in a day.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from pipeline import warehouse
from pipeline.extract.errors import (
    ApiError,
    CreatorUnavailable,
    CredentialsRejected,
    InvalidGrant,
    QuotaExhausted,
    RateLimited,
    redact,
)
from pipeline.extract.http import ApiTransport, RequestBudget
from pipeline.extract.instagram import InstagramClient
from pipeline.extract.landing import LandingWriter, record_key
from pipeline.extract.tiktok import ResearchCursor, TikTokClient
from pipeline.extract.tokens import CreatorTokens, TokenStore
from pipeline.settings import TIKTOK_RESEARCH_VAR, ApiSettings

log = logging.getLogger(__name__)

RESEARCH_API = "tiktok_research"
REAUTHORIZE = "python -m pipeline tiktok-auth url"


class ExtractLog:
    """ingest.extract_log and ingest.api_requests, through the warehouse I/O module."""

    def __init__(self, warehouse_path: Path) -> None:
        self.path = warehouse_path

    def usernames(self, platform: str) -> list[str]:
        with warehouse.connect(self.path, wait_seconds=60) as con:
            return warehouse.creators_to_extract(con, platform)

    def status(self, platform: str, day: date) -> dict[str, tuple[str, str | None]]:
        with warehouse.connect(self.path, wait_seconds=60) as con:
            return warehouse.extract_status(con, platform, day)

    def requests_used(self, api: str, day: date) -> int:
        with warehouse.connect(self.path, wait_seconds=60) as con:
            return warehouse.api_requests_used(con, api, day)

    def record(self, attempts: list[dict], requests: dict[tuple[str, date], int]) -> None:
        with warehouse.connect(self.path, wait_seconds=60) as con:
            warehouse.record_extract_attempts(con, attempts, requests)


@dataclass
class Attempt:
    username: str
    api: str | None = None
    status: str = "ok"
    error_code: str | None = None
    error_message: str | None = None
    requests_used: int = 0
    records: dict[str, list[dict]] = field(default_factory=dict)
    resume_from: dict | None = None


@dataclass
class ExtractOutcome:
    platform: str
    day: date
    creators: int = 0  # to fetch today
    already_done: int = 0  # ok earlier the same day: not fetched again
    counts: dict[str, int] = field(default_factory=dict)  # status -> creators
    records_written: int = 0
    files: list[str] = field(default_factory=list)
    requests: int = 0
    stopped: str | None = None  # one line: quota exhausted, credentials rejected
    problems: list[str] = field(default_factory=list)  # "username: status: reason"
    quota_remaining: int | None = None

    def summary(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "none"
        line = (
            f"{self.platform} {self.day}: {self.creators} creators ({counts};"
            f" {self.already_done} done earlier today), {self.records_written} records in"
            f" {len(self.files)} files, {self.requests} requests"
        )
        return line + (f"; {self.stopped}" if self.stopped else "")


class PlatformRun:
    """Buffers attempts and flushes them: files, then log rows and counters in one go."""

    def __init__(
        self,
        platform: str,
        day: date,
        writer: LandingWriter,
        extract_log: ExtractLog,
        run_id: str,
        clock: Callable[[], datetime],
        secrets: tuple[str, ...],
        flush_every: int,
    ) -> None:
        self.outcome = ExtractOutcome(platform, day)
        self.writer = writer
        self.extract_log = extract_log
        self.run_id = run_id
        self.clock = clock
        self.secrets = secrets
        self.flush_every = flush_every
        self.pending: list[Attempt] = []
        self.requests: dict[str, int] = {}

    def add(self, attempt: Attempt) -> None:
        if attempt.error_message:
            attempt.error_message = redact(attempt.error_message, self.secrets)
        self.pending.append(attempt)
        if len(self.pending) >= self.flush_every:
            self.flush()

    def count_requests(self, api: str, n: int) -> None:
        self.requests[api] = self.requests.get(api, 0) + n

    def flush(self) -> None:
        if not self.pending and not any(self.requests.values()):
            return
        by_entity: dict[str, list[dict]] = {}
        for attempt in self.pending:
            for entity, records in attempt.records.items():
                by_entity.setdefault(entity, []).extend(records)
        files: dict[str, str] = {}
        fresh: dict[str, set[str]] = {}
        for entity, records in by_entity.items():
            path = self.writer.write(entity, records)
            if path:
                files[entity] = path
                fresh[entity] = self.writer.fresh
        now = self.clock()
        rows = []
        for attempt in self.pending:
            # records already landed that day (a resumed or repeated fetch) are not counted
            written = sum(
                record_key(entity, record) in fresh.get(entity, set())
                for entity, records in attempt.records.items()
                for record in records
            )
            rows.append(
                {
                    "platform": self.outcome.platform,
                    "day": self.outcome.day,
                    "username": attempt.username,
                    "api": attempt.api,
                    "status": attempt.status,
                    "error_code": attempt.error_code,
                    "error_message": attempt.error_message,
                    "requests_used": attempt.requests_used,
                    "records_written": written,
                    "landing_files": ",".join(
                        files[e] for e in attempt.records if attempt.records[e] and e in files
                    )
                    or None,
                    "resume_from": json.dumps(attempt.resume_from) if attempt.resume_from else None,
                    "run_id": self.run_id,
                    "attempted_at": now.replace(tzinfo=None),
                }
            )
            self.outcome.counts[attempt.status] = self.outcome.counts.get(attempt.status, 0) + 1
            self.outcome.records_written += written
            if attempt.status in ("failed", "skipped"):
                self.outcome.problems.append(
                    f"{attempt.username}: {attempt.status}: {attempt.error_message}"
                )
        day = now.date()
        self.extract_log.record(rows, {(api, day): n for api, n in self.requests.items()})
        self.outcome.files.extend(files.values())
        self.outcome.requests += sum(self.requests.values())
        self.pending = []
        self.requests = {}


def _todo(
    usernames: Iterable[str], previous: dict[str, tuple[str, str | None]], outcome: ExtractOutcome
) -> list[tuple[str, dict | None]]:
    todo = []
    for username in usernames:
        status, resume = previous.get(username, (None, None))
        if status == "ok":
            outcome.already_done += 1
            continue
        todo.append((username, json.loads(resume) if status == "quota" and resume else None))
    outcome.creators = len(todo) + outcome.already_done
    return todo


def _failure(attempt: Attempt, error: ApiError, status: str = "failed") -> Attempt:
    attempt.status = status
    attempt.error_code = error.code or type(error).__name__
    attempt.error_message = str(error)
    return attempt


def extract_tiktok(
    settings: ApiSettings,
    landing_dir: Path,
    extract_log: ExtractLog,
    token_store: TokenStore,
    day: date,
    run_id: str,
    transport: ApiTransport,
    usernames: list[str] | None = None,
    flush_every: int = 25,
) -> ExtractOutcome:
    """Fetch every TikTok creator to extract for ``day``: Display API when the creator
    authorized the agency, else Research API when on, else skipped."""
    assert settings.tiktok_client_key and settings.tiktok_client_secret
    clock = transport.clock
    budget = RequestBudget(
        settings.tiktok_daily_requests, extract_log.requests_used(RESEARCH_API, clock().date())
    )
    client = TikTokClient(
        transport, settings.tiktok_client_key, settings.tiktok_client_secret, budget, token_store
    )
    writer = LandingWriter(landing_dir, "tiktok", day, clock)
    run = PlatformRun(
        "tiktok", day, writer, extract_log, run_id, clock, settings.secrets(), flush_every
    )
    names = usernames if usernames is not None else extract_log.usernames("tiktok")
    todo = _todo(names, extract_log.status("tiktok", day), run.outcome)
    authorized = token_store.by_username()
    # Display API creators first: they do not use the Research API's daily quota, so a quota
    # stop never keeps them waiting
    todo.sort(key=lambda item: item[0] not in authorized)
    since = clock() - timedelta(days=settings.lookback_days)
    try:
        for username, resume in todo:
            attempt = Attempt(username)
            before = (client.requests, budget.spent)
            tokens = authorized.get(username)
            try:
                if tokens is not None and tokens.needs_reauthorization:
                    attempt.status, attempt.api = "failed", "display"
                    attempt.error_code = "needs_reauthorization"
                    attempt.error_message = (
                        f"TikTok creator {username} must authorize the app again: {REAUTHORIZE}"
                    )
                elif tokens is not None:
                    attempt.api = "display"
                    _display_creator(client, tokens, username, since, attempt)
                elif settings.tiktok_research:
                    attempt.api = "research"
                    first = day - timedelta(days=settings.lookback_days - 1)  # N days with D
                    _research_creator(client, username, first, day, attempt, resume)
                else:
                    attempt.status, attempt.error_code = "skipped", "not_authorized"
                    attempt.error_message = (
                        f"TikTok creator {username} has not authorized the app ({REAUTHORIZE})"
                        f" and the Research API is off ({TIKTOK_RESEARCH_VAR})"
                    )
            except InvalidGrant as error:
                _failure(attempt, error)
                attempt.error_message = (
                    f"TikTok creator {username} must authorize the app again ({REAUTHORIZE}):"
                    f" refresh token rejected: {error}"
                )
                assert tokens is not None
                tokens.needs_reauthorization = True
                tokens.reason = "refresh token rejected (invalid_grant)"
                token_store.put(tokens)
                log.error("%s", attempt.error_message)
            except QuotaExhausted as error:
                _failure(attempt, error, "quota")
                run.outcome.stopped = f"quota exhausted, resumes after 00:00 UTC: {error}"
            except CredentialsRejected as error:
                _failure(attempt, error)
                run.outcome.stopped = str(error)
            except CreatorUnavailable as error:
                _failure(attempt, error, "skipped")
            except ApiError as error:
                _failure(attempt, error)
                log.error("%s", error)
            finally:
                attempt.requests_used = client.requests - before[0]
                run.count_requests(RESEARCH_API, budget.spent - before[1])
                run.count_requests(
                    "tiktok_oauth_display", attempt.requests_used - (budget.spent - before[1])
                )
            run.add(attempt)
            if run.outcome.stopped:
                log.error("tiktok extraction stopped: %s", run.outcome.stopped)
                break
    finally:
        run.flush()
    run.outcome.quota_remaining = budget.remaining
    return run.outcome


def _display_creator(
    client: TikTokClient,
    tokens: CreatorTokens,
    username: str,
    since: datetime,
    attempt: Attempt,
) -> None:
    profile, tokens = client.display_user_info(tokens)
    name = str(profile.get("username") or username).lower()
    attempt.records["creators"] = [profile]
    videos: list[dict] = []
    attempt.records["videos"] = videos
    for page in client.display_videos(tokens, name, since):
        videos.extend(page)


def _research_creator(
    client: TikTokClient,
    username: str,
    first: date,
    last: date,
    attempt: Attempt,
    resume: dict | None,
) -> None:
    videos: list[dict] = []
    attempt.records["videos"] = videos
    profile_done = bool(resume and resume.get("profile"))
    position = (
        ResearchCursor(
            date.fromisoformat(resume["window_start"]),
            int(resume.get("cursor") or 0),
            resume.get("search_id"),
        )
        if resume and resume.get("window_start")
        else None
    )
    state = {"profile": profile_done}
    if position is not None:
        state |= {"window_start": position.window_start.isoformat(), "cursor": position.cursor}
        state["search_id"] = position.search_id
    try:
        if not profile_done:
            attempt.records["creators"] = [client.research_user_info(username)]
            state["profile"] = True
        for page in client.research_videos(username, first, last, position):
            videos.extend(page.records)
            if page.cursor is None:  # this window is done: a resume starts at the next one
                state = {"profile": True, "window_start": page.next_window.isoformat()}
            else:
                state = {
                    "profile": True,
                    "window_start": page.cursor.window_start.isoformat(),
                    "cursor": page.cursor.cursor,
                    "search_id": page.cursor.search_id,
                }
    except QuotaExhausted:
        attempt.resume_from = state
        raise
    except ApiError:
        attempt.resume_from = None
        raise


def extract_instagram(
    settings: ApiSettings,
    landing_dir: Path,
    extract_log: ExtractLog,
    day: date,
    run_id: str,
    transport: ApiTransport,
    usernames: list[str] | None = None,
    flush_every: int = 25,
) -> ExtractOutcome:
    """Fetch every Instagram creator to extract for ``day`` through business discovery."""
    assert settings.instagram_access_token and settings.instagram_user_id
    clock = transport.clock
    client = InstagramClient(
        transport,
        settings.instagram_access_token,
        settings.instagram_user_id,
        settings.graph_api_version,
    )
    writer = LandingWriter(landing_dir, "instagram", day, clock)
    run = PlatformRun(
        "instagram", day, writer, extract_log, run_id, clock, settings.secrets(), flush_every
    )
    names = usernames if usernames is not None else extract_log.usernames("instagram")
    todo = _todo(names, extract_log.status("instagram", day), run.outcome)
    since = clock() - timedelta(days=settings.lookback_days)
    try:
        for username, _ in todo:
            attempt = Attempt(username, api="graph")
            before = client.requests
            media: list[dict] = []
            try:
                for profile, page in client.business_discovery(username, since):
                    if profile is not None:
                        attempt.records["creators"] = [profile]
                        attempt.records["media"] = media
                    media.extend(page)
            except CredentialsRejected as error:
                _failure(attempt, error)
                run.outcome.stopped = str(error)
            except CreatorUnavailable as error:
                _failure(attempt, error, "skipped")
                log.warning("%s", error)
            except RateLimited as error:  # still throttled after every wait: stop for now
                _failure(attempt, error)
                run.outcome.stopped = (
                    f"throttled by the Graph API, resumes on the next run: {error}"
                )
            except ApiError as error:
                _failure(attempt, error)
                log.error("%s", error)
            finally:
                attempt.requests_used = client.requests - before
                run.count_requests("instagram_graph", attempt.requests_used)
            run.add(attempt)
            if run.outcome.stopped:
                log.error("instagram extraction stopped: %s", run.outcome.stopped)
                break
    finally:
        run.flush()
    return run.outcome


PLATFORMS = ("tiktok", "instagram")


def run_extraction(
    platform: str,
    day: date,
    settings: ApiSettings,
    landing_dir: Path,
    warehouse_path: Path,
    run_id: str,
    transport: ApiTransport | None = None,
) -> ExtractOutcome:
    """The extraction of one platform for partition ``day``: what the Dagster asset and
    ``python -m pipeline extract`` both run. Requires the platform's credentials."""
    if transport is None:
        base_url = settings.tiktok_api_url if platform == "tiktok" else settings.graph_api_url
        transport = ApiTransport(base_url, secrets=settings.secrets())
    extract_log = ExtractLog(warehouse_path)
    try:
        if platform == "tiktok":
            store = TokenStore(settings.token_store_path(warehouse_path))
            return extract_tiktok(settings, landing_dir, extract_log, store, day, run_id, transport)
        return extract_instagram(settings, landing_dir, extract_log, day, run_id, transport)
    finally:
        transport.close()


def check_credentials(
    platform: str, settings: ApiSettings, warehouse_path: Path, clock=None
) -> list[str]:
    """Lines for ``extract --check``: are the credentials accepted, how much quota is left.
    Fetches no creator data."""
    base_url = settings.tiktok_api_url if platform == "tiktok" else settings.graph_api_url
    transport = ApiTransport(base_url, secrets=settings.secrets())
    lines: list[str] = []
    try:
        if platform == "tiktok":
            assert settings.tiktok_client_key and settings.tiktok_client_secret
            used = ExtractLog(warehouse_path).requests_used(RESEARCH_API, transport.clock().date())
            budget = RequestBudget(settings.tiktok_daily_requests, used)
            client = TikTokClient(
                transport, settings.tiktok_client_key, settings.tiktok_client_secret, budget
            )
            lines.append(client.check())
            research = "on" if settings.tiktok_research else f"off ({TIKTOK_RESEARCH_VAR})"
            lines.append(
                f"Research API {research}: {budget.remaining} of {budget.limit} requests left"
                " today (UTC)"
            )
            store = TokenStore(settings.token_store_path(warehouse_path))
            for tokens in sorted(store.load().values(), key=lambda t: t.username):
                state = (
                    f"must authorize again ({REAUTHORIZE})"
                    if tokens.needs_reauthorization
                    else f"refresh token valid until {tokens.refresh_expires_at}"
                )
                lines.append(f"Display API creator {tokens.username or tokens.open_id}: {state}")
        else:
            assert settings.instagram_access_token and settings.instagram_user_id
            client_ig = InstagramClient(
                transport,
                settings.instagram_access_token,
                settings.instagram_user_id,
                settings.graph_api_version,
            )
            lines.append(client_ig.check())
            lines.append(f"Graph API usage: {client_ig.last_usage:.0f}% of the app's hourly limit")
    finally:
        transport.close()
    return [redact(line, settings.secrets()) for line in lines]
