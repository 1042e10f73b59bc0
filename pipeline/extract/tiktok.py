"""TikTok: the OAuth endpoint, the Display API (creators who authorized the agency) and the
Research API. One client class; one generator per endpoint yielding records page by page."""

from __future__ import annotations

import logging
import secrets as secrets_module
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import httpx

from pipeline.extract.errors import (
    CredentialsRejected,
    InvalidGrant,
    QuotaExhausted,
    RateLimited,
    RequestFailed,
    SearchIdRejected,
    TokenInvalid,
    TransientError,
    redact,
)
from pipeline.extract.http import ApiTransport, RequestBudget, body_json, call_with_retries
from pipeline.extract.tokens import CreatorTokens, TokenStore, tokens_from_response

log = logging.getLogger(__name__)

AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
DISPLAY_SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.list")
TOKEN_PATH = "/v2/oauth/token/"
DISPLAY_USER_FIELDS = (
    "open_id,username,display_name,bio_description,is_verified,follower_count,"
    "following_count,likes_count,video_count"
)
DISPLAY_VIDEO_FIELDS = (
    "id,create_time,video_description,duration,view_count,like_count,comment_count,share_count"
)
RESEARCH_USER_FIELDS = "display_name,bio_description,is_verified,follower_count,following_count,likes_count,video_count"
RESEARCH_VIDEO_FIELDS = (
    "id,username,create_time,view_count,like_count,comment_count,share_count,favorites_count,"
    "video_description,hashtag_names,music_id,video_duration,region_code"
)
RESEARCH_WINDOW_DAYS = 30  # at most 30 days per video query
RESEARCH_MAX_COUNT = 100
DISPLAY_MAX_COUNT = 20
MAX_PAGES = 200  # per query: has_more with empty pages must not loop for ever


def fetched_at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def authorization_url(client_key: str, redirect_uri: str, state: str | None = None) -> str:
    """The Login Kit URL a creator opens to authorize the agency's app."""
    query = {
        "client_key": client_key,
        "scope": ",".join(DISPLAY_SCOPES),
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state or secrets_module.token_urlsafe(16),
    }
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


def classify(response: httpx.Response, where: str, quota_on_429: bool) -> Exception | None:
    """The typed error for a TikTok API response, or None when it succeeded.

    Decided from the JSON body ``{"error": {"code", "message", "log_id"}}`` first, the status
    code second: a 5xx with an HTML body is a gateway error and transient."""
    body = body_json(response)
    status = response.status_code
    if body is None:
        kind = TransientError if status >= 500 or status == 429 else RequestFailed
        return kind(f"{where}: HTTP {status} with a non-JSON body", f"http_{status}", status)
    error = body.get("error") or {}
    code = str(error.get("code") or "")
    if status < 400 and code in ("", "ok"):
        return None
    message = str(error.get("message") or "")
    line = (
        f"{where}: {code or 'error'}: {message} (log_id {error.get('log_id', '-')}, HTTP {status})"
    )
    if code == "rate_limit_exceeded" or status == 429:
        if quota_on_429:
            return QuotaExhausted(line, code, status)
        return RateLimited(line, code, status)
    if code == "internal_error" or status >= 500:
        return TransientError(line, code, status)
    if code == "access_token_invalid" or status == 401:
        return TokenInvalid(line, code, status)
    if code == "invalid_params" and (
        message.startswith("Search Id") or message == "Invalid count or cursor"
    ):
        return SearchIdRejected(line, code, status)
    return RequestFailed(line, code, status)


def oauth_error(response: httpx.Response) -> Exception | None:
    """The typed error of a /v2/oauth/token/ response: ``{"error", "error_description"}``."""
    body = body_json(response)
    status = response.status_code
    if body is None:
        kind = TransientError if status >= 500 else RequestFailed
        return kind(f"oauth token: HTTP {status} with a non-JSON body", f"http_{status}", status)
    error = body.get("error")
    if isinstance(error, dict):  # the API-style envelope
        return classify(response, "oauth token", quota_on_429=False)
    if not error and status < 400 and body.get("access_token"):
        return None
    code = str(error or f"http_{status}")
    line = f"oauth token: {code}: {body.get('error_description', '')} (log_id {body.get('log_id', '-')})"
    if code == "invalid_grant":
        return InvalidGrant(line, code, status)
    if code in ("invalid_client", "unauthorized_client"):
        return CredentialsRejected(
            line + ": check TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET", code, status
        )
    if status >= 500:
        return TransientError(line, code, status)
    return RequestFailed(line, code, status)


@dataclass
class ResearchCursor:
    """Where a Research video query stands: resumable after a quota stop."""

    window_start: date
    cursor: int = 0
    search_id: str | None = None


@dataclass
class VideoPage:
    records: list[dict]
    cursor: ResearchCursor | None  # where the next page starts; None when the window is done
    next_window: date | None = None  # with cursor None: the first day of the next window


def research_windows(first: date, last: date) -> list[tuple[date, date]]:
    """first..last (inclusive) split into windows of at most 30 days."""
    windows = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=RESEARCH_WINDOW_DAYS - 1), last)
        windows.append((start, end))
        start = end + timedelta(days=1)
    return windows


class TikTokClient:
    """Auth, requests and error classification for open.tiktokapis.com.

    ``budget`` counts Research API requests (the daily quota) against
    CREATOR_KPIS_TIKTOK_DAILY_REQUESTS; ``requests`` counts every request this client sent."""

    def __init__(
        self,
        transport: ApiTransport,
        client_key: str,
        client_secret: str,
        budget: RequestBudget,
        token_store: TokenStore | None = None,
    ) -> None:
        self.transport = transport
        self.client_key = client_key
        self.client_secret = client_secret
        self.budget = budget
        self.token_store = token_store
        self.requests = 0
        self._research_token: tuple[str, datetime] | None = None

    # -- plumbing -------------------------------------------------------------------------
    def _retrying(self, call):  # type: ignore[no-untyped-def]
        return call_with_retries(call, self.transport.policy, self.transport.sleep, log)

    def _send(self, method: str, path: str, research: bool, **kwargs: object) -> httpx.Response:
        if research:
            self.budget.take()
        self.requests += 1
        return self.transport.send(method, path, **kwargs)

    def _oauth(self, form: dict[str, str]) -> dict:
        def attempt() -> dict:
            response = self._send("POST", TOKEN_PATH, research=False, data=form)
            error = oauth_error(response)
            if error is not None:
                raise self._redacted(error)
            return response.json()

        return self._retrying(attempt)

    def _redacted(self, error: Exception) -> Exception:
        secrets = (self.client_secret, *self.transport.secrets)
        error.args = (redact(str(error), secrets),)
        return error

    def _api(
        self, path: str, fields: str, body: dict, token: str, research: bool, where: str
    ) -> tuple[dict, datetime]:
        """POST with retries; returns the response's ``data`` and the time it arrived."""

        def attempt() -> tuple[dict, datetime]:
            response = self._send(
                "POST",
                path,
                research=research,
                params={"fields": fields},
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            error = classify(response, where, quota_on_429=research)
            if error is not None:
                raise self._redacted(error)
            payload = body_json(response) or {}
            return payload.get("data") or {}, self.transport.clock()

        return self._retrying(attempt)

    # -- OAuth ----------------------------------------------------------------------------
    def exchange_code(self, code: str, redirect_uri: str) -> CreatorTokens:
        body = self._oauth(
            {
                "client_key": self.client_key,
                "client_secret": self.client_secret,
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
            }
        )
        return tokens_from_response(body, self.transport.clock())

    def refresh(self, tokens: CreatorTokens) -> CreatorTokens:
        """A new access token; the rotated refresh token is stored before it is returned."""
        body = self._oauth(
            {
                "client_key": self.client_key,
                "client_secret": self.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": tokens.refresh_token,
            }
        )
        body.setdefault("open_id", tokens.open_id)
        fresh = tokens_from_response(body, self.transport.clock(), tokens.username)
        if self.token_store is not None:
            self.token_store.put(fresh)  # before use: the old refresh token no longer works
        return fresh

    def research_token(self, renew: bool = False) -> str:
        now = self.transport.clock()
        if renew or self._research_token is None or self._research_token[1] <= now:
            body = self._oauth(
                {
                    "client_key": self.client_key,
                    "client_secret": self.client_secret,
                    "grant_type": "client_credentials",
                }
            )
            expires = now + timedelta(seconds=int(body.get("expires_in", 7200)) - 300)
            self._research_token = (body["access_token"], expires)
        return self._research_token[0]

    def check(self) -> str:
        """Validate the app credentials (a client_credentials token) without fetching data."""
        self.research_token(renew=True)
        return "TikTok app credentials accepted"

    # -- Research API ---------------------------------------------------------------------
    def _research(self, path: str, fields: str, body: dict, where: str) -> tuple[dict, datetime]:
        try:
            return self._api(path, fields, body, self.research_token(), True, where)
        except TokenInvalid:
            log.info("%s: research token rejected, getting a new one", where)
            return self._api(path, fields, body, self.research_token(renew=True), True, where)

    def research_user_info(self, username: str) -> dict:
        data, at = self._research(
            "/v2/research/user/info/",
            RESEARCH_USER_FIELDS,
            {"username": username},
            f"research user info {username}",
        )
        return {"username": username, **data, "fetched_at": fetched_at(at)}

    def research_videos(
        self, username: str, first: date, last: date, resume: ResearchCursor | None = None
    ) -> Iterator[VideoPage]:
        """Every video of ``username`` created first..last, page by page, window by window."""
        for window_start, window_end in research_windows(first, last):
            if resume is not None and window_end < resume.window_start:
                continue  # done before the quota stopped an earlier run
            position = (
                resume
                if resume is not None and resume.window_start == window_start
                else ResearchCursor(window_start)
            )
            resume = None
            yield from self._research_window(username, window_start, window_end, position)

    def _research_window(
        self, username: str, start: date, end: date, position: ResearchCursor
    ) -> Iterator[VideoPage]:
        seen_cursors: set[tuple[int, str | None]] = set()
        for _ in range(MAX_PAGES):
            body: dict = {
                "query": {
                    "and": [
                        {"operation": "IN", "field_name": "username", "field_values": [username]}
                    ]
                },
                "start_date": start.strftime("%Y%m%d"),
                "end_date": end.strftime("%Y%m%d"),
                "max_count": RESEARCH_MAX_COUNT,
            }
            if position.cursor or position.search_id:
                body["cursor"] = position.cursor
                body["search_id"] = position.search_id
            where = f"research video query {username} {start}..{end}"
            try:
                data, at = self._research(
                    "/v2/research/video/query/", RESEARCH_VIDEO_FIELDS, body, where
                )
            except SearchIdRejected:
                if not seen_cursors and position.search_id:
                    # a search_id kept from an earlier run has expired: this window again
                    # (the writer drops the videos already written)
                    log.warning("%s: saved search_id expired, window queried again", where)
                    position = ResearchCursor(start)
                    seen_cursors.add((-1, None))
                    continue
                raise
            records = [research_video_record(v, at) for v in data.get("videos") or []]
            seen_cursors.add((position.cursor, position.search_id))
            following = ResearchCursor(
                start, int(data.get("cursor") or 0), data.get("search_id") or position.search_id
            )
            more = bool(data.get("has_more"))
            if more and (following.cursor, following.search_id) in seen_cursors:
                log.warning("research video query %s: repeated cursor, window done", username)
                more = False
            yield VideoPage(records, following if more else None, end + timedelta(days=1))
            if not more:
                return
            position = following
        log.warning("research video query %s: stopped after %d pages", username, MAX_PAGES)

    # -- Display API ----------------------------------------------------------------------
    def _display(
        self, tokens: CreatorTokens, path: str, fields: str, body: dict
    ) -> tuple[dict, datetime, CreatorTokens]:
        where = f"display {path.strip('/').split('/')[-1]} {tokens.username or tokens.open_id}"
        if not tokens.access_valid(self.transport.clock()):
            tokens = self.refresh(tokens)
        try:
            data, at = self._api(path, fields, body, tokens.access_token, False, where)
        except TokenInvalid:
            tokens = self.refresh(tokens)
            data, at = self._api(path, fields, body, tokens.access_token, False, where)
        return data, at, tokens

    def display_user_info(self, tokens: CreatorTokens) -> tuple[dict, CreatorTokens]:
        data, at, tokens = self._display(tokens, "/v2/user/info/", DISPLAY_USER_FIELDS, {})
        user = dict(data.get("user") or {})
        return {**user, "fetched_at": fetched_at(at)}, tokens

    def display_videos(
        self, tokens: CreatorTokens, username: str, since: datetime
    ) -> Iterator[list[dict]]:
        """Videos newest first, page by page, until has_more is false or older than ``since``."""
        cursor: int | None = None
        for _ in range(MAX_PAGES):
            body: dict = {"max_count": DISPLAY_MAX_COUNT}
            if cursor is not None:
                body["cursor"] = cursor
            data, at, tokens = self._display(tokens, "/v2/video/list/", DISPLAY_VIDEO_FIELDS, body)
            videos = data.get("videos") or []
            recent = [v for v in videos if int(v.get("create_time") or 0) >= since.timestamp()]
            yield [display_video_record(v, username, at) for v in recent]
            next_cursor = data.get("cursor")
            if not data.get("has_more") or len(recent) < len(videos) or next_cursor == cursor:
                return
            cursor = next_cursor


def research_video_record(video: dict, at: datetime) -> dict:
    record = {k: v for k, v in video.items() if k not in ("favorites_count", "favourites_count")}
    favourites = video.get("favourites_count", video.get("favorites_count"))
    if favourites is not None:
        record["favourites_count"] = favourites
    record["id"] = str(video["id"])  # exact: Python's json never made it a float
    record["fetched_at"] = fetched_at(at)
    return record


def display_video_record(video: dict, username: str, at: datetime) -> dict:
    record = {k: v for k, v in video.items() if k != "duration"}
    if "duration" in video:
        record["video_duration"] = video["duration"]
    record["id"] = str(video["id"])
    record["username"] = username
    record["fetched_at"] = fetched_at(at)
    return record
