"""``python -m pipeline extract`` and ``python -m pipeline tiktok-auth``."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from pipeline.extract.errors import ApiError, redact
from pipeline.extract.http import ApiTransport, RequestBudget
from pipeline.extract.run import PLATFORMS, check_credentials, run_extraction
from pipeline.extract.tiktok import TikTokClient, authorization_url
from pipeline.extract.tokens import TokenStore
from pipeline.settings import (
    TIKTOK_CLIENT_KEY_VAR,
    TIKTOK_CLIENT_SECRET_VAR,
    TIKTOK_REDIRECT_URI_VAR,
    ApiSettings,
    OperatorError,
    Settings,
)


def command_extract(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    extract = settings.apis
    today = datetime.now(UTC).date()
    day = args.day or today
    if day != today and not args.check:
        # dt is the day the records were collected, and the APIs return current values only
        raise OperatorError(
            f"the APIs return current values only: --day {day} is not today ({today} UTC);"
            " records fetched now belong in today's partition: omit --day"
        )
    platforms = [args.platform] if args.platform else list(PLATFORMS)
    problems = 0
    for platform in platforms:
        missing = extract.missing(platform)
        if missing:
            print(f"{platform}: skipped: {missing}")
            continue
        try:
            if args.check:
                for line in check_credentials(platform, extract, settings.warehouse):
                    print(f"{platform}: {line}")
                continue
            settings.check_warehouse_writable()
            run_id = f"cli-{datetime.now(UTC):%Y%m%dT%H%M%S}"
            outcome = run_extraction(
                platform, day, extract, settings.landing_dir, settings.warehouse, run_id
            )
        except ApiError as error:
            raise OperatorError(redact(str(error), extract.secrets())) from None
        print(outcome.summary())
        for problem in outcome.problems:
            print(f"  {problem}")
        problems += len(outcome.problems) + bool(
            outcome.stopped and not outcome.stopped.startswith("quota")
        )
    if not args.check:
        print(
            f"to load them: python -m pipeline run --first-day {day} --last-day {day}"
            " (or let the landing sensor request the run)"
        )
    return 1 if problems else 0


def _tiktok_app(extract: ApiSettings, need_secret: bool) -> tuple[str, str, str]:
    missing = [TIKTOK_CLIENT_KEY_VAR] if not extract.tiktok_client_key else []
    if need_secret and not extract.tiktok_client_secret:
        missing.append(TIKTOK_CLIENT_SECRET_VAR)
    if not extract.tiktok_redirect_uri:
        missing.append(TIKTOK_REDIRECT_URI_VAR)
    if missing:
        raise OperatorError(f"TikTok authorization needs {', '.join(missing)}: set them")
    return (
        extract.tiktok_client_key or "",
        extract.tiktok_client_secret or "",
        extract.tiktok_redirect_uri or "",
    )


def command_tiktok_auth(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    extract = settings.apis
    if args.step == "url":
        key, _, redirect_uri = _tiktok_app(extract, need_secret=False)
        print(authorization_url(key, redirect_uri))
        return 0
    if not args.code:
        raise OperatorError("usage: python -m pipeline tiktok-auth code CODE")
    key, secret, redirect_uri = _tiktok_app(extract, need_secret=True)
    store = TokenStore(extract.token_store_path(settings.warehouse))
    transport = ApiTransport(extract.tiktok_api_url, secrets=extract.secrets())
    client = TikTokClient(transport, key, secret, RequestBudget(limit=None), store)
    try:
        tokens = client.exchange_code(args.code, redirect_uri)
        profile, tokens = client.display_user_info(tokens)
        tokens.username = str(profile.get("username") or "")
        store.put(tokens)
    except ApiError as error:
        raise OperatorError(redact(str(error), (*extract.secrets(), args.code))) from None
    finally:
        transport.close()
    print(
        f"TikTok creator {tokens.username or tokens.open_id} authorized (open_id"
        f" {tokens.open_id}); tokens stored in {store.path}"
    )
    return 0


def add_extract_commands(commands: argparse._SubParsersAction) -> None:
    extract = commands.add_parser(
        "extract", help="pull creators and posts from the TikTok and Instagram APIs into landing"
    )
    extract.add_argument("--platform", choices=PLATFORMS, help="default: both")
    extract.add_argument(
        "--day",
        type=date.fromisoformat,
        help="partition day to write: today (UTC, the default); any other day is refused",
    )
    extract.add_argument(
        "--check",
        action="store_true",
        help="validate the credentials and print the remaining quota; fetch nothing",
    )
    extract.set_defaults(handler=command_extract)

    auth = commands.add_parser(
        "tiktok-auth", help="authorize a creator's TikTok account (Login Kit) for the Display API"
    )
    auth.add_argument("step", choices=("url", "code"), help="url: print the link; code: exchange")
    auth.add_argument("code", nargs="?", help="the code TikTok returned to the redirect URI")
    auth.set_defaults(handler=command_tiktok_auth)
