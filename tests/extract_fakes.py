"""Loopback fake servers for the TikTok (OAuth, Display, Research) and Instagram Graph APIs.

Each runs a real HTTP server on 127.0.0.1 on a free port, in a thread, and speaks the request and
response shapes the extractors use. Tests set their state (accounts, videos, media, quotas) and
queue faults (status, body, headers) to be served before the normal answer.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Fault:
    status: int
    body: dict | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: dict
    headers: dict[str, str]


class FakeClock:
    """Injected clock and sleep: sleeping advances the clock, nothing waits for real."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)


class FakeServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: dict[str, list[Fault]] = {}  # path -> faults served first, in order
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _handle(self, method: str) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw) if raw else {}
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                request = Request(method, parsed.path, query, body, dict(self.headers))
                with fake.lock:
                    fake.requests.append(request)
                    queued = fake.faults.get(parsed.path) or []
                    fault = queued.pop(0) if queued else None
                    if fault is None:
                        fault = fake.answer(request)
                payload = fault.body
                data = payload if isinstance(payload, str) else json.dumps(payload)
                self.send_response(fault.status)
                is_json = not isinstance(payload, str)
                self.send_header("Content-Type", "application/json" if is_json else "text/html")
                for name, value in fault.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path: str, *faults: Fault) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def answer(self, request: Request) -> Fault:
        raise NotImplementedError


# --- TikTok ----------------------------------------------------------------------------------


def tiktok_ok(data: dict) -> Fault:
    return Fault(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": "log-ok"}})


def tiktok_error(status: int, code: str, message: str = "") -> Fault:
    return Fault(status, {"data": {}, "error": {"code": code, "message": message, "log_id": "L1"}})


EMPTY_SHIFT = 1_000_000  # cursors after an empty page: offset + EMPTY_SHIFT

HTML_504 = Fault(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>")


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@dataclass
class DisplayAccount:
    open_id: str
    user: dict  # the /v2/user/info/ user object (username, follower_count, ...)
    videos: list[dict]  # id, create_time, duration, counts
    access_token: str = ""
    refresh_token: str = ""


class FakeTikTok(FakeServer):
    PAGE = 100

    def __init__(self, client_key: str = "ck-test", client_secret: str = "cs-SECRET-123") -> None:
        super().__init__()
        self.client_key = client_key
        self.client_secret = client_secret
        self.research_tokens: set[str] = set()
        self.users: dict[str, dict] = {}  # research user info by username
        self.videos: list[dict] = []  # research videos (with username, create_time)
        self.quota_left: int | None = None  # research requests before 429
        self.empty_page_at: set[int] = set()  # cursors that answer an empty page, has_more true
        self.accounts: dict[str, DisplayAccount] = {}
        self.codes: dict[str, str] = {}  # authorization code -> open_id
        self.issued = 0
        self.searches: dict[str, int] = {}
        self.expired_searches: set[str] = set()  # search_ids answered "invalid or expired"

    def _token(self, prefix: str) -> str:
        self.issued += 1
        return f"{prefix}-tok-{self.issued:06d}"

    def answer(self, request: Request) -> Fault:
        if request.path == "/v2/oauth/token/":
            return self._oauth(request.body)
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        if request.path.startswith("/v2/research/"):
            if token not in self.research_tokens:
                return tiktok_error(401, "access_token_invalid", "The access token is invalid")
            if self.quota_left is not None:
                if self.quota_left <= 0:
                    return tiktok_error(429, "rate_limit_exceeded", "daily quota exceeded")
                self.quota_left -= 1
            if request.path == "/v2/research/user/info/":
                user = self.users.get(request.body["username"])
                if user is None:
                    return tiktok_error(400, "invalid_params", "user does not exist")
                return tiktok_ok(dict(user))
            return self._video_query(request.body)
        account = next((a for a in self.accounts.values() if a.access_token == token), None)
        if account is None:
            return tiktok_error(401, "access_token_invalid", "The access token is invalid")
        if request.path == "/v2/user/info/":
            return tiktok_ok({"user": {"open_id": account.open_id, **account.user}})
        return self._video_list(account, request.body)

    def _oauth(self, form: dict) -> Fault:
        if (
            form.get("client_key") != self.client_key
            or form.get("client_secret") != self.client_secret
        ):
            return Fault(
                401, {"error": "invalid_client", "error_description": "bad client", "log_id": "L"}
            )
        grant = form.get("grant_type")
        if grant == "client_credentials":
            token = self._token("research")
            self.research_tokens.add(token)
            return Fault(200, {"access_token": token, "expires_in": 7200, "token_type": "Bearer"})
        if grant == "authorization_code":
            open_id = self.codes.pop(form.get("code", ""), None)
            if open_id is None:
                return Fault(
                    400, {"error": "invalid_grant", "error_description": "bad code", "log_id": "L"}
                )
            return self._issue(self.accounts[open_id])
        if grant == "refresh_token":
            account = next(
                (a for a in self.accounts.values() if a.refresh_token == form.get("refresh_token")),
                None,
            )
            if account is None:
                return Fault(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Refresh token is invalid or expired.",
                        "log_id": "L",
                    },
                )
            return self._issue(account)
        return Fault(
            400, {"error": "unsupported_grant_type", "error_description": "", "log_id": "L"}
        )

    def _issue(self, account: DisplayAccount) -> Fault:
        account.access_token = self._token("act")
        account.refresh_token = self._token("rft")  # rotation: the old one stops working
        return Fault(
            200,
            {
                "open_id": account.open_id,
                "access_token": account.access_token,
                "refresh_token": account.refresh_token,
                "expires_in": 7200,
                "refresh_expires_in": 31536000,
                "scope": "user.info.basic,video.list",
                "token_type": "Bearer",
            },
        )

    def _video_query(self, body: dict) -> Fault:
        names = body["query"]["and"][0]["field_values"]
        start = epoch(datetime.strptime(body["start_date"], "%Y%m%d").date().isoformat())
        end = epoch(datetime.strptime(body["end_date"], "%Y%m%d").date().isoformat()) + 86400
        matching = sorted(
            (v for v in self.videos if v["username"] in names and start <= v["create_time"] < end),
            key=lambda v: -v["create_time"],
        )
        cursor = int(body.get("cursor") or 0)
        if body.get("search_id") in self.expired_searches:
            return tiktok_error(
                400, "invalid_params", f"Search Id {body['search_id']} is invalid or expired"
            )
        search_id = body.get("search_id") or f"search-{len(self.searches) + 1}"
        self.searches[search_id] = cursor
        if cursor in self.empty_page_at:  # an empty page whose cursor still moves on
            self.empty_page_at.discard(cursor)
            empty = {"videos": [], "cursor": cursor + EMPTY_SHIFT, "has_more": True}
            return tiktok_ok(empty | {"search_id": search_id})
        offset = cursor % EMPTY_SHIFT
        page = matching[offset : offset + int(body.get("max_count", self.PAGE))]
        following = offset + len(page)
        return tiktok_ok(
            {
                "videos": page,
                "cursor": following,
                "has_more": following < len(matching),
                "search_id": search_id,
            }
        )

    def _video_list(self, account: DisplayAccount, body: dict) -> Fault:
        cursor = body.get("cursor")
        videos = sorted(account.videos, key=lambda v: -v["create_time"])
        if cursor is not None:
            videos = [v for v in videos if v["create_time"] * 1000 < cursor]
        page = videos[: int(body.get("max_count", 20))]
        following = min((v["create_time"] for v in page), default=0) * 1000
        return tiktok_ok({"videos": page, "cursor": following, "has_more": len(videos) > len(page)})


# --- Instagram Graph API --------------------------------------------------------------------


def graph_error(
    code: int,
    message: str = "error",
    subcode: int | None = None,
    transient: bool = False,
    status: int = 400,
    headers: dict | None = None,
) -> Fault:
    error = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "TRACE",
        "is_transient": transient,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Fault(status, {"error": error}, headers or {})


_DISCOVERY = re.compile(r"business_discovery\.username\(([^)]+)\)")
_AFTER = re.compile(r"media\.after\(([^)]+)\)")
_LIMIT = re.compile(r"limit\((\d+)\)")


class FakeGraph(FakeServer):
    def __init__(
        self,
        token: str = "IGTOKEN-SECRET-xyz",
        user_id: str = "17841400000000001",
        version: str = "v25.0",
    ) -> None:
        super().__init__()
        self.token = token
        self.user_id = user_id
        self.version = version
        self.accounts: dict[
            str, dict
        ] = {}  # username -> profile with "media": [posts newest first]
        self.user_faults: dict[str, list[Fault]] = {}  # per username, served first
        self.empty_page_with_next: set[str] = set()  # cursors answered by an empty page with next
        self.usage_headers: dict[str, str] = {}

    @property
    def path(self) -> str:
        return f"/{self.version}/{self.user_id}"

    def answer(self, request: Request) -> Fault:
        if request.query.get("access_token") != self.token:
            return graph_error(
                190, "Error validating access token: Session has expired", subcode=463, status=400
            )
        fields = request.query.get("fields", "")
        match = _DISCOVERY.search(fields)
        if match is None:
            return Fault(200, {"id": self.user_id, "username": "agency_account"})
        username = match.group(1)
        queued = self.user_faults.get(username) or []
        if queued:
            return queued.pop(0)
        account = self.accounts.get(username)
        if account is None:
            return graph_error(110, "Invalid user id", subcode=2207013)
        after = _AFTER.search(fields)
        offset = int(after.group(1).removeprefix("c")) if after else 0
        limit = int(_LIMIT.search(fields).group(1))
        posts = account["media"]
        if after and after.group(1) in self.empty_page_with_next:
            self.empty_page_with_next.discard(after.group(1))
            page, following = [], offset
        else:
            page, following = posts[offset : offset + limit], offset + limit
        paging: dict = {"cursors": {"before": f"c{offset}", "after": f"c{following}"}}
        if following < len(posts):
            paging["next"] = f"{self.url}{self.path}?after=c{following}"
        profile = {k: v for k, v in account.items() if k != "media"}
        body = {
            "business_discovery": {**profile, "media": {"data": page, "paging": paging}},
            "id": self.user_id,
        }
        return Fault(200, body, dict(self.usage_headers))


# --- helpers shared by the extract tests ----------------------------------------------------


def read_landing(landing, platform: str, entity: str) -> list[dict]:
    """Every record of the api- files of an entity, in file then line order (ids exact)."""
    records = []
    for path in sorted((landing / platform / entity).glob("dt=*/api-*.jsonl")):
        records += [json.loads(line) for line in path.read_text().splitlines() if line]
    return records
