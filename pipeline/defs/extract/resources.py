"""The APIs' credentials and settings as a Dagster resource; secrets come in through
``dg.EnvVar`` so the UI and the run config show the variable's name, never its value."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipeline import settings as names
from pipeline.settings import ApiSettings


class ExtractApis(dg.ConfigurableResource):
    """TikTok and Instagram API credentials and settings (see README, Pulling from the APIs)."""

    tiktok_client_key: str | None = None
    tiktok_client_secret: str | None = None
    tiktok_research: bool = False
    tiktok_api_url: str = names.DEFAULT_TIKTOK_API_URL
    tiktok_daily_requests: int = names.DEFAULT_TIKTOK_DAILY_REQUESTS
    tiktok_tokens: str | None = None
    instagram_access_token: str | None = None
    instagram_user_id: str | None = None
    graph_api_url: str = names.DEFAULT_GRAPH_API_URL
    graph_api_version: str = names.DEFAULT_GRAPH_API_VERSION
    lookback_days: int = names.DEFAULT_LOOKBACK_DAYS

    def settings(self) -> ApiSettings:
        return ApiSettings(
            tiktok_client_key=self.tiktok_client_key or None,
            tiktok_client_secret=self.tiktok_client_secret or None,
            tiktok_research=self.tiktok_research,
            tiktok_api_url=self.tiktok_api_url,
            tiktok_daily_requests=self.tiktok_daily_requests,
            tiktok_tokens=Path(self.tiktok_tokens) if self.tiktok_tokens else None,
            instagram_access_token=self.instagram_access_token or None,
            instagram_user_id=self.instagram_user_id or None,
            graph_api_url=self.graph_api_url,
            graph_api_version=self.graph_api_version,
            lookback_days=self.lookback_days,
        )


def _from_env(variable: str, value: str | None) -> str | dg.EnvVar | None:
    """The value as an EnvVar when it came from that environment variable."""
    if value and os.environ.get(variable, "").strip() == value:
        return dg.EnvVar(variable)
    return value


def extract_apis(settings: ApiSettings) -> ExtractApis:
    """The resource from ``Settings.apis``; a value that came from its variable (the secrets
    among them) as ``dg.EnvVar``."""
    return ExtractApis(
        tiktok_client_key=_from_env(names.TIKTOK_CLIENT_KEY_VAR, settings.tiktok_client_key),
        tiktok_client_secret=_from_env(
            names.TIKTOK_CLIENT_SECRET_VAR, settings.tiktok_client_secret
        ),
        tiktok_research=settings.tiktok_research,
        tiktok_api_url=settings.tiktok_api_url,
        tiktok_daily_requests=settings.tiktok_daily_requests,
        tiktok_tokens=str(settings.tiktok_tokens) if settings.tiktok_tokens else None,
        instagram_access_token=_from_env(
            names.INSTAGRAM_ACCESS_TOKEN_VAR, settings.instagram_access_token
        ),
        instagram_user_id=_from_env(names.INSTAGRAM_USER_ID_VAR, settings.instagram_user_id),
        graph_api_url=settings.graph_api_url,
        graph_api_version=settings.graph_api_version,
        lookback_days=settings.lookback_days,
    )
