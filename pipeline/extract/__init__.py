"""Pulling creators and posts from the platforms' APIs into the landing zone.

One client class per API (:mod:`.tiktok`, :mod:`.instagram`: auth, requests, errors classified
into the typed exceptions of :mod:`.errors`, retries decided from the JSON error body), one
generator per endpoint yielding records page by page, the landing-file writer (:mod:`.landing`)
separate from both, and the orchestration per platform (:mod:`.run`) that records every
(platform, day, username) attempt in ``ingest.extract_log`` through :mod:`pipeline.warehouse`.
"""
