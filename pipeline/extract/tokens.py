"""The TikTok Display API token store: one JSON file of creators' tokens, keyed by open_id.

Outside the warehouse and the serving file (``CREATOR_KPIS_TIKTOK_TOKENS``, default
``.secrets/tiktok_tokens.json`` beside the warehouse), mode 0600. Every write goes to a temporary
file in the same folder, is fsynced and renamed over the store, so a crash leaves the old store or
the new one, never half of one. Refresh tokens rotate: the store is written with the new refresh
token *before* the new access token is used.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

STORE_MODE = 0o600


@dataclass
class CreatorTokens:
    open_id: str
    username: str
    access_token: str
    refresh_token: str
    access_expires_at: str  # ISO-8601 UTC
    refresh_expires_at: str  # ISO-8601 UTC
    needs_reauthorization: bool = False
    reason: str | None = None

    def access_valid(self, now: datetime, margin: timedelta = timedelta(minutes=5)) -> bool:
        return datetime.fromisoformat(self.access_expires_at) - margin > now

    def __repr__(self) -> str:  # never print a token
        return f"CreatorTokens(open_id={self.open_id!r}, username={self.username!r})"


def tokens_from_response(body: dict, now: datetime, username: str = "") -> CreatorTokens:
    """The store entry for a /v2/oauth/token/ response (authorization_code or refresh_token)."""
    return CreatorTokens(
        open_id=str(body["open_id"]),
        username=username,
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        access_expires_at=(now + timedelta(seconds=int(body["expires_in"]))).isoformat(),
        refresh_expires_at=(
            now + timedelta(seconds=int(body.get("refresh_expires_in", 365 * 86400)))
        ).isoformat(),
    )


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, CreatorTokens]:
        if not self.path.is_file():
            return {}
        raw = json.loads(self.path.read_text())
        return {open_id: CreatorTokens(**entry) for open_id, entry in raw.items()}

    def by_username(self) -> dict[str, CreatorTokens]:
        return {t.username.lower(): t for t in self.load().values() if t.username}

    def put(self, tokens: CreatorTokens) -> None:
        entries = self.load()
        entries[tokens.open_id] = tokens
        self._write(entries)

    def _write(self, entries: dict[str, CreatorTokens]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        data = json.dumps({k: asdict(v) for k, v in sorted(entries.items())}, indent=2)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, STORE_MODE)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, STORE_MODE)
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
