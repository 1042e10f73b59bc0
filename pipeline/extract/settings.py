"""The extractors' settings, read once from the environment (``ExtractSettings.from_env``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import OperatorError

TIKTOK_CLIENT_KEY_VAR = "TIKTOK_CLIENT_KEY"
TIKTOK_CLIENT_SECRET_VAR = "TIKTOK_CLIENT_SECRET"
TIKTOK_RESEARCH_VAR = "CREATOR_KPIS_TIKTOK_RESEARCH"
TIKTOK_API_URL_VAR = "CREATOR_KPIS_TIKTOK_API_URL"
TIKTOK_DAILY_REQUESTS_VAR = "CREATOR_KPIS_TIKTOK_DAILY_REQUESTS"
TIKTOK_REDIRECT_URI_VAR = "CREATOR_KPIS_TIKTOK_REDIRECT_URI"
TIKTOK_TOKENS_VAR = "CREATOR_KPIS_TIKTOK_TOKENS"
INSTAGRAM_ACCESS_TOKEN_VAR = "INSTAGRAM_ACCESS_TOKEN"
INSTAGRAM_USER_ID_VAR = "INSTAGRAM_USER_ID"
GRAPH_API_URL_VAR = "CREATOR_KPIS_GRAPH_API_URL"
GRAPH_API_VERSION_VAR = "CREATOR_KPIS_GRAPH_API_VERSION"
LOOKBACK_DAYS_VAR = "CREATOR_KPIS_LOOKBACK_DAYS"

DEFAULT_TIKTOK_API_URL = "https://open.tiktokapis.com"
DEFAULT_GRAPH_API_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_API_VERSION = "v25.0"
DEFAULT_TIKTOK_DAILY_REQUESTS = 1000
DEFAULT_LOOKBACK_DAYS = 30
SECRET_VARS = (TIKTOK_CLIENT_SECRET_VAR, INSTAGRAM_ACCESS_TOKEN_VAR)


class ExtractSettingError(OperatorError):
    """A malformed extract setting; one line naming the variable."""


def _int(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ExtractSettingError(
            f"{name}={raw!r} is not a whole number: fix or unset it"
        ) from None
    if value < 1:
        raise ExtractSettingError(f"{name}={raw!r} must be at least 1: fix or unset it")
    return value


@dataclass(frozen=True)
class ExtractSettings:
    """Everything the extractors read from the environment; secrets are kept ``repr=False``."""

    tiktok_client_key: str | None = None
    tiktok_client_secret: str | None = None
    tiktok_research: bool = False
    tiktok_api_url: str = DEFAULT_TIKTOK_API_URL
    tiktok_daily_requests: int = DEFAULT_TIKTOK_DAILY_REQUESTS
    tiktok_redirect_uri: str | None = None
    tiktok_tokens: Path | None = None  # None: .secrets/tiktok_tokens.json beside the warehouse
    instagram_access_token: str | None = None
    instagram_user_id: str | None = None
    graph_api_url: str = DEFAULT_GRAPH_API_URL
    graph_api_version: str = DEFAULT_GRAPH_API_VERSION
    lookback_days: int = DEFAULT_LOOKBACK_DAYS

    def __repr__(self) -> str:  # never print a secret
        hidden = {"tiktok_client_secret", "instagram_access_token"}
        shown = ", ".join(
            f"{name}={'***' if name in hidden and value else value!r}"
            for name, value in self.__dict__.items()
        )
        return f"ExtractSettings({shown})"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ExtractSettings:
        env = dict(os.environ if environ is None else environ)

        def text(name: str) -> str | None:
            return env.get(name, "").strip() or None

        tokens = text(TIKTOK_TOKENS_VAR)
        return cls(
            tiktok_client_key=text(TIKTOK_CLIENT_KEY_VAR),
            tiktok_client_secret=text(TIKTOK_CLIENT_SECRET_VAR),
            tiktok_research=(text(TIKTOK_RESEARCH_VAR) or "").lower() in ("on", "1", "true", "yes"),
            tiktok_api_url=(text(TIKTOK_API_URL_VAR) or DEFAULT_TIKTOK_API_URL).rstrip("/"),
            tiktok_daily_requests=_int(
                env, TIKTOK_DAILY_REQUESTS_VAR, DEFAULT_TIKTOK_DAILY_REQUESTS
            ),
            tiktok_redirect_uri=text(TIKTOK_REDIRECT_URI_VAR),
            tiktok_tokens=Path(tokens).expanduser().resolve() if tokens else None,
            instagram_access_token=text(INSTAGRAM_ACCESS_TOKEN_VAR),
            instagram_user_id=text(INSTAGRAM_USER_ID_VAR),
            graph_api_url=(text(GRAPH_API_URL_VAR) or DEFAULT_GRAPH_API_URL).rstrip("/"),
            graph_api_version=text(GRAPH_API_VERSION_VAR) or DEFAULT_GRAPH_API_VERSION,
            lookback_days=_int(env, LOOKBACK_DAYS_VAR, DEFAULT_LOOKBACK_DAYS),
        )

    @property
    def tiktok_configured(self) -> bool:
        return bool(self.tiktok_client_key and self.tiktok_client_secret)

    @property
    def instagram_configured(self) -> bool:
        return bool(self.instagram_access_token and self.instagram_user_id)

    def token_store_path(self, warehouse: Path) -> Path:
        return self.tiktok_tokens or warehouse.parent / ".secrets" / "tiktok_tokens.json"

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.tiktok_client_secret, self.instagram_access_token) if s)

    def missing(self, platform: str) -> str | None:
        """One line naming what is missing to extract ``platform``, or None when configured."""
        if platform == "tiktok" and not self.tiktok_configured:
            return (
                f"no TikTok credentials: set {TIKTOK_CLIENT_KEY_VAR} and {TIKTOK_CLIENT_SECRET_VAR}"
            )
        if platform == "instagram" and not self.instagram_configured:
            return (
                f"no Instagram credentials: set {INSTAGRAM_ACCESS_TOKEN_VAR}"
                f" and {INSTAGRAM_USER_ID_VAR}"
            )
        return None
