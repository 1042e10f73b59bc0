"""What both API clients share: an httpx client, the retry policy (tenacity), the request budget,
and redaction of secrets from anything logged.

The retry decision is made from the typed exception the client raised after reading the JSON
error body (see :mod:`.errors`), not from the status code alone. Waiting goes through an
injected ``sleep`` so tests never sleep for real.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import httpx
import tenacity

from pipeline.extract.errors import (
    ApiError,
    QuotaExhausted,
    RateLimited,
    SearchIdRejected,
    TransientError,
    redact,
)

Sleep = Callable[[float], None]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long each retryable failure is retried."""

    transient_attempts: int = 6  # 5xx / HTML gateway pages / Graph 1, 2, is_transient
    transient_first_wait: float = 2.0  # then 4, 8, 16, 32 s (capped at transient_max_wait)
    transient_max_wait: float = 120.0
    search_id_attempts: int = 6  # the first try and 5 retries
    search_id_wait: float = 5.0
    rate_limit_attempts: int = 6
    rate_limit_first_wait: float = 60.0  # without a hint from the API

    def attempts(self, error: BaseException | None) -> int:
        if isinstance(error, SearchIdRejected):
            return self.search_id_attempts
        if isinstance(error, RateLimited):
            return self.rate_limit_attempts
        if isinstance(error, TransientError):
            return self.transient_attempts
        return 1

    def wait(self, error: BaseException | None, attempt: int) -> float:
        if isinstance(error, SearchIdRejected):
            return self.search_id_wait
        if isinstance(error, RateLimited):
            hinted = error.wait_seconds
            return hinted if hinted > 0 else self.rate_limit_first_wait * 2 ** (attempt - 1)
        return min(self.transient_first_wait * 2 ** (attempt - 1), self.transient_max_wait)


RETRYABLE = (TransientError, SearchIdRejected, RateLimited)


T = TypeVar("T")


def call_with_retries(
    call: Callable[[], T], policy: RetryPolicy, sleep: Sleep, log: logging.Logger
) -> T:
    """Run ``call``; retry the retryable failures per ``policy``; re-raise the last one."""

    def stop(state: tenacity.RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        return state.attempt_number >= policy.attempts(error)

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return policy.wait(error, state.attempt_number)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0
        log.warning("%s; retry %d in %.0f s", error, state.attempt_number, delay)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(RETRYABLE),
        stop=stop,
        wait=wait,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(call)


@dataclass
class RequestBudget:
    """Requests allowed today (UTC) for one API; ``used`` starts from the warehouse's counter."""

    limit: int | None
    used: int = 0  # before this run
    spent: int = 0  # by this run

    def take(self) -> None:
        if self.limit is not None and self.used + self.spent >= self.limit:
            raise QuotaExhausted(
                f"daily request budget of {self.limit} used up"
                " (CREATOR_KPIS_TIKTOK_DAILY_REQUESTS)",
                code="daily_budget",
            )
        self.spent += 1

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used - self.spent, 0)


class RedactingFilter(logging.Filter):
    """Removes secrets from log records (httpx logs every request URL at INFO)."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = redact(record.getMessage(), self.secrets)
            record.args = None
        return True


def silence_httpx_urls(secrets: tuple[str, ...]) -> None:
    """httpx/httpcore log the full URL (with the Graph token): redact, and only warnings up."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter(secrets))
        else:
            for f in logger.filters:
                if isinstance(f, RedactingFilter):
                    f.secrets = tuple({*f.secrets, *secrets})


@dataclass
class ApiTransport:
    """An httpx client with a timeout, plus the injected sleep and clock."""

    base_url: str
    sleep: Sleep = time.sleep
    clock: Clock = utc_now
    timeout: float = 30.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    secrets: tuple[str, ...] = ()
    client: httpx.Client | None = None

    def __post_init__(self) -> None:
        silence_httpx_urls(self.secrets)
        if self.client is None:
            self.client = httpx.Client(base_url=self.base_url, timeout=self.timeout)

    def send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """One HTTP exchange; network failures become TransientError (no URL, no secret)."""
        assert self.client is not None
        try:
            return self.client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as error:
            raise TransientError(
                redact(f"network error: {type(error).__name__}: {error}", self.secrets),
                code="network",
            ) from None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def body_json(response: httpx.Response) -> dict | None:
    """The JSON object of a response, or None for an HTML gateway page or other non-JSON.

    Python's json keeps integers exact (19-digit ids never become floats)."""
    try:
        value = response.json()
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


__all__ = [
    "ApiError",
    "ApiTransport",
    "RequestBudget",
    "RetryPolicy",
    "call_with_retries",
    "body_json",
]
