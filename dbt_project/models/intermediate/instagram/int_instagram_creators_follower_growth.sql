-- Follower growth over growth_window_days: compares the latest observation with the latest
-- observation at least growth_window_days x 24 hours older.
with latest_profiles as (
    select
        username,
        followers,
        fetched_at,
        fetched_at - to_hours(24 * {{ var('growth_window_days') }}) as baseline_cutoff_at
    from {{ ref('int_instagram_creators_latest') }}
),

creator_observations as (
    select
        username,
        followers,
        fetched_at
    from {{ ref('int_instagram_creator_observations_deduplicated') }}
),

with_baseline as (
    select
        latest_profiles.username,
        latest_profiles.followers,
        latest_profiles.fetched_at,
        creator_observations.followers as baseline_followers,
        creator_observations.fetched_at as baseline_fetched_at
    from latest_profiles
    asof left join creator_observations
        on latest_profiles.username = creator_observations.username
        and latest_profiles.baseline_cutoff_at >= creator_observations.fetched_at
),

final as (
    select
        username,
        followers,
        fetched_at,
        baseline_followers,
        baseline_fetched_at,
        {{ safe_divide('followers - baseline_followers', 'baseline_followers') }} as follower_growth_30d
    from with_baseline
)

select * from final
