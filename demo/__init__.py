"""Demo landing-zone data: realistic, messy, deterministic TikTok / Instagram / campaign drops.

:func:`write_demo_landing` writes ``spec.days`` daily partitions (from ``spec.start``) of creator
and post snapshots for ``spec.creators`` creators per platform, plus campaign reference files, in
the layout and with the API field names of :mod:`pipeline.landing.contract`::

    <landing>/tiktok/creators/dt=2026-10-01/creators.csv        .csv and .parquet on alternate days
    <landing>/tiktok/videos/dt=2026-10-01/videos-part-1.jsonl   two (or more) .jsonl files a day
    <landing>/instagram/creators/dt=2026-10-01/creators.parquet .parquet and .csv on alternate days
    <landing>/instagram/media/dt=2026-10-01/media.json          JSON array / .jsonl on alternate days
    <landing>/campaigns/campaigns/campaigns.csv
    <landing>/campaigns/campaign_posts/campaign_posts.jsonl
    <landing>/roster/creators/roster.csv                         the agency's tracked creators

Shapes. Follower counts are heavy tailed (a truncated Pareto inside each tier, with shares
falling as tiers rise) and every tier -- nano <10k, micro <50k, mid <500k, macro <1M, mega --
holds at least one creator per platform once ``creators >= 5``. Instagram likes follow
followers with an engagement rate falling from ~6 % (nano) to ~1 % (mega); TikTok views are only
weakly tied to followers (log-normal around a base) and a few videos of small creators go viral.
Each creator posts every 1-5 days (some days skipped); a post is observed once a day from its
creation day until 7-14 days later, its counts saturating towards a final value, so they never
decrease. Follower counts drift, mostly upwards. Posts from the two weeks before ``start`` are
still being observed on the first days.

Mess, as in real drops: ~5 % of Instagram posts hide their likes (``like_count`` absent, a quarter
of those written as ``-1``); ``views`` only on some reels; ~3 % of the post counts in the JSON
files are strings -- ``"12,345"`` or, for posts read off the app's display, ``"45.3K"`` /
``"1.23M"`` whose counts are then exact to three significant digits, so every string parses back
to the exact integer; ``fetched_at`` mixes ``Z`` and ``+00:00``; campaign creators are sometimes
written ``"@Mia.Bakes"``; one campaign post points at a post that does not exist. IDs exceed
2^53 and are always written as strings.

Determinism: every random value is a counter-based hash (SplitMix64 on Polars UInt64 columns) of
``spec.seed``, a variable name and the row's key (creator, post, day), so the same spec gives
byte-identical files, independent of the clock, of dict order, of ``PYTHONHASHSEED`` and of the
Polars thread count. Parquet files are written with fixed settings and carry no timestamps.

Scale: generation is vectorised (Polars expressions, no per-record Python) and one partition day
is generated and written at a time, so memory is bounded by the post catalogue (every post of
the period, static fields only) plus one day of observations. ``creators=20000, days=30`` gives
~10M records (8.8M post observations, 3.2 GB) in about a minute on two cores with ~1 GB RAM.
Existing files with the same names are overwritten; nothing else is removed.

Modules: :mod:`demo.spec` (what to generate), :mod:`demo.constants` (the demo world),
:mod:`demo.randomness`, :mod:`demo.formatting` (values as the files spell them),
:mod:`demo.creators`, :mod:`demo.catalogues` (posts), :mod:`demo.observations` (daily counts),
:mod:`demo.campaigns`, :mod:`demo.writing` (file formats) and :mod:`demo.landing` (the entry
point). ``python -m pipeline demo`` calls :func:`write_demo_landing`.
"""

from demo.landing import write_demo_landing
from demo.spec import DemoSpec, DemoSummary

__all__ = ["DemoSpec", "DemoSummary", "write_demo_landing"]
