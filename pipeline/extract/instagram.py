"""Instagram Graph API business discovery: a creator's profile and recent media, page by page."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx

from pipeline.extract.errors import (
    CreatorUnavailable,
    CredentialsRejected,
    RateLimited,
    RequestFailed,
    TransientError,
    redact,
)
from pipeline.extract.http import ApiTransport, RequestBudget, body_json, call_with_retries
from pipeline.settings import INSTAGRAM_ACCESS_TOKEN_VAR

log = logging.getLogger(__name__)

THROTTLING_CODES = {4, 17, 32, 613, 80002}
TRANSIENT_CODES = {1, 2}
TOKEN_CODE = 190
MEDIA_PAGE_SIZE = 50
PROFILE_FIELDS = "id,username,name,biography,followers_count,follows_count,media_count"
MEDIA_FIELDS = (
    "id,username,timestamp,caption,media_type,media_product_type,permalink,like_count,"
    "comments_count"
)
HIGH_USAGE_PERCENT = 80  # above this, X-App-Usage / X-Business-Use-Case-Usage slow us down
SLOW_DOWN_SECONDS = 60.0
MAX_PAGES = 200


def _usage_numbers(entry: dict) -> list[float]:
    return [
        float(entry[k])
        for k in ("call_count", "total_cputime", "total_time")
        if isinstance(entry.get(k), int | float)
    ]


def usage(response: httpx.Response) -> tuple[float, float]:
    """(highest % of any usage counter, seconds until access is regained) from the headers."""
    highest, regain = 0.0, 0.0
    app = _header_json(response, "X-App-Usage")
    if isinstance(app, dict):
        highest = max([highest, *_usage_numbers(app)])
    business = _header_json(response, "X-Business-Use-Case-Usage")
    if isinstance(business, dict):
        for entries in business.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    highest = max([highest, *_usage_numbers(entry)])
                    minutes = entry.get("estimated_time_to_regain_access") or 0
                    regain = max(regain, float(minutes) * 60)
    return highest, regain


def _header_json(response: httpx.Response, name: str) -> object:
    raw = response.headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def classify(response: httpx.Response, where: str) -> Exception | None:
    """The typed error of a Graph API response, from its JSON ``error`` object first."""
    body = body_json(response)
    status = response.status_code
    if body is None:
        kind = TransientError if status >= 500 or status == 429 else RequestFailed
        return kind(f"{where}: HTTP {status} with a non-JSON body", f"http_{status}", status)
    error = body.get("error")
    if not isinstance(error, dict):
        return None if status < 400 else RequestFailed(f"{where}: HTTP {status}", "", status)
    code = error.get("code")
    subcode = error.get("error_subcode")
    line = (
        f"{where}: code {code}{f'/{subcode}' if subcode else ''}: {error.get('message', '')}"
        f" (fbtrace_id {error.get('fbtrace_id', '-')})"
    )
    code_text = f"{code}/{subcode}" if subcode else str(code)
    if code in THROTTLING_CODES:
        _, regain = usage(response)
        return RateLimited(line, code_text, status, wait_seconds=regain)
    if code == TOKEN_CODE:
        return CredentialsRejected(
            f"Instagram access token expired or invalid ({line}): renew"
            f" {INSTAGRAM_ACCESS_TOKEN_VAR}",
            code_text,
            status,
        )
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
        return TransientError(line, code_text, status)
    if (code == 100 and subcode == 33) or code == 110 or subcode == 2207013:
        return CreatorUnavailable(line, code_text, status)
    return RequestFailed(line, code_text, status)


def fetched_at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class InstagramClient:
    """Business discovery through the app user's IG professional account (INSTAGRAM_USER_ID)."""

    def __init__(
        self,
        transport: ApiTransport,
        access_token: str,
        user_id: str,
        version: str,
        budget: RequestBudget | None = None,
    ) -> None:
        self.transport = transport
        self.access_token = access_token
        self.user_id = user_id
        self.version = version
        self.budget = budget or RequestBudget(limit=None)
        self.requests = 0
        self.last_usage = 0.0  # highest usage % reported by the last response

    def _get(self, fields: str, where: str) -> tuple[dict, datetime]:
        def attempt() -> tuple[dict, datetime]:
            self.budget.take()
            self.requests += 1
            response = self.transport.send(
                "GET",
                f"/{self.version}/{self.user_id}",
                params={"fields": fields, "access_token": self.access_token},
            )
            error = classify(response, where)
            if error is not None:
                error.args = (redact(str(error), (self.access_token,)),)
                raise error
            highest, regain = usage(response)
            self.last_usage = highest
            if highest > HIGH_USAGE_PERCENT:
                pause = max(regain, SLOW_DOWN_SECONDS)
                log.warning("%s: API usage at %.0f%%, slowing down %.0f s", where, highest, pause)
                self.transport.sleep(pause)
            return body_json(response) or {}, self.transport.clock()

        return call_with_retries(attempt, self.transport.policy, self.transport.sleep, log)

    def check(self) -> str:
        data, _ = self._get("id,username", "instagram check")
        return f"Instagram token accepted for account {data.get('username') or self.user_id}"

    def business_discovery(
        self, username: str, since: datetime
    ) -> Iterator[tuple[dict | None, list[dict]]]:
        """(profile on the first page else None, media of the page), newest first, page by page,
        until ``paging.next`` is absent or the posts are older than ``since``."""
        after: str | None = None
        for page in range(MAX_PAGES):
            media_part = f"media.limit({MEDIA_PAGE_SIZE})"
            if after:
                media_part = f"media.after({after}).limit({MEDIA_PAGE_SIZE})"
            fields = f"business_discovery.username({username}){{{PROFILE_FIELDS},{media_part}{{{MEDIA_FIELDS}}}}}"
            body, at = self._get(fields, f"business discovery {username}")
            discovery = body.get("business_discovery")
            if not isinstance(discovery, dict):
                raise CreatorUnavailable(
                    f"business discovery {username}: no business_discovery in the response",
                    "no_business_account",
                )
            media = discovery.get("media") or {}
            posts = media.get("data") or []
            recent = [p for p in posts if _post_time(p) >= since]
            profile = None
            if page == 0:
                profile = {k: v for k, v in discovery.items() if k != "media"}
                profile["id"] = str(profile.get("id", ""))
                profile["fetched_at"] = fetched_at(at)
            yield profile, [media_record(p, username, at) for p in recent]
            paging = media.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after or len(recent) < len(posts):
                return
        log.warning("business discovery %s: stopped after %d pages", username, MAX_PAGES)


def _post_time(post: dict) -> datetime:
    raw = str(post.get("timestamp") or "")
    try:
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)  # unparseable: kept, the ingest rules on it


def media_record(post: dict, username: str, at: datetime) -> dict:
    """A media record as landed: a 0 or missing like_count is written as absent (hidden likes)."""
    record = {k: v for k, v in post.items() if k != "like_count"}
    if post.get("like_count"):
        record["like_count"] = post["like_count"]
    record["id"] = str(post["id"])
    record.setdefault("username", username)
    record["fetched_at"] = fetched_at(at)
    return record
