"""Typed API failures. Each says what the extractor does next, not only what went wrong.

Messages are one line, built from the API's error code, message and log id; they never hold a
secret (:func:`redact` is applied to anything that could echo a request).
"""

from __future__ import annotations


class ApiError(Exception):
    """Base class: ``code`` is the API's error code (``internal_error``, ``190``, ``http_504``)."""

    def __init__(self, message: str, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class TransientError(ApiError):
    """500s, gateway errors with an HTML body, Graph codes 1/2 or ``is_transient``: retried with
    exponential backoff a bounded number of times."""


class SearchIdRejected(ApiError):
    """Research API ``invalid_params`` "Search Id ... invalid or expired" / "Invalid count or
    cursor": a known API bug, retried after a few seconds a bounded number of times."""


class RateLimited(ApiError):
    """Per-minute rate limit (Display API 429) or Graph throttling (codes 4, 17, 32, 613, 80002):
    wait (``wait_seconds`` when the API says how long) and retry, a bounded number of times."""

    def __init__(
        self, message: str, code: str = "", status: int | None = None, wait_seconds: float = 0
    ) -> None:
        super().__init__(message, code, status)
        self.wait_seconds = wait_seconds


class QuotaExhausted(ApiError):
    """The daily quota is gone (Research API 429, or CREATOR_KPIS_TIKTOK_DAILY_REQUESTS reached):
    stop, keep what was fetched, resume on the next run after 00:00 UTC."""


class TokenInvalid(ApiError):
    """``access_token_invalid`` / 401: get a new access token (or refresh) and retry once."""


class InvalidGrant(ApiError):
    """The refresh token (or authorization code) was rejected: the creator must authorize again."""


class CredentialsRejected(ApiError):
    """The platform's own credentials are wrong or expired (Graph code 190, a bad client key):
    the platform's extraction stops with one line naming the variable to renew."""


class CreatorUnavailable(ApiError):
    """This creator cannot be fetched (unknown or non-business username, Graph 100/33): skipped
    with the reason; the others go on."""


class RequestFailed(ApiError):
    """Anything else (``invalid_params``, ``scope_not_authorized``, ...): this creator fails with
    one line; the others go on."""


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
