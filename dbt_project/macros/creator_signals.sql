{#-
    A creator's niche over their recent window. `window_posts` is a relation (CTE) with one row
    per recent-window post (username, post_id); `post_niches` one row per post and niche it
    matches (post_id, niche). Returns one row per creator with a matching post:
      niche       = the niche matched by the most window posts, ties by niche name ascending,
                    when that count / posts in the window >= var niche_min_share; else NULL
      niche_share = that count / posts in the window (also when below the threshold)

        creator_niches as ({{ creator_niche('window_posts', 'window_niches') }})
-#}
{% macro creator_niche(window_posts, post_niches) -%}
    with niche_window_sizes as (
        select
            username,
            count(*) as posts_in_window
        from {{ window_posts }}
        group by username
    ),

    niche_counts as (
        select
            {{ window_posts }}.username,
            {{ post_niches }}.niche,
            count(distinct {{ window_posts }}.post_id) as niche_posts
        from {{ window_posts }}
        inner join {{ post_niches }}
            on {{ window_posts }}.post_id = {{ post_niches }}.post_id
        group by {{ window_posts }}.username, {{ post_niches }}.niche
    ),

    top_niches as (
        select *
        from niche_counts
        qualify row_number() over (
            partition by username
            order by niche_posts desc, niche asc
        ) = 1
    )

    select
        top_niches.username,
        case
            when {{ safe_divide('top_niches.niche_posts', 'niche_window_sizes.posts_in_window') }}
                >= cast({{ var('niche_min_share') }} as double)
                then top_niches.niche
        end as niche,
        {{ safe_divide('top_niches.niche_posts', 'niche_window_sizes.posts_in_window') }} as niche_share
    from top_niches
    inner join niche_window_sizes
        on top_niches.username = niche_window_sizes.username
{%- endmacro %}


{#-
    follower_spikes_30d per creator from a relation of profile observations (username, followers,
    fetched_at; one row per fetched_at): the consecutive pairs of observations (by fetched_at)
    whose later observation is within var spike_window_days x 24 hours before the creator's
    latest observation, that are at most var spike_max_gap_days x 24 hours apart, and where
    followers rose by at least var spike_min_growth of the earlier count and by at least
    var spike_min_gain followers. Every creator with an observation gets a row (0 when none).
-#}
{% macro follower_spikes(observations) -%}
    with observation_pairs as (
        select
            username,
            followers,
            fetched_at,
            lag(followers) over by_time as previous_followers,
            lag(fetched_at) over by_time as previous_fetched_at,
            max(fetched_at) over (partition by username) as latest_fetched_at
        from {{ observations }}
        window by_time as (partition by username order by fetched_at)
    )

    select
        username,
        count(*) filter (
            where previous_fetched_at is not null
            and fetched_at >= latest_fetched_at - to_hours(24 * {{ var('spike_window_days') }})
            and fetched_at - previous_fetched_at <= to_hours(24 * {{ var('spike_max_gap_days') }})
            and followers - previous_followers
                >= cast({{ var('spike_min_growth') }} as double) * previous_followers
            and followers - previous_followers >= {{ var('spike_min_gain') }}
        ) as follower_spikes_30d
    from observation_pairs
    group by username
{%- endmacro %}


{#-
    A creator's position among the creators of the same follower tier (one platform's mart)
    with a non-null value: DuckDB's percent_rank() ordered by the value ascending
    ((rank - 1) / (creators with a value - 1), 0 for the lowest, 1 for the highest, 0 when alone).
    NULL when the value is NULL. Use in a select over the platform's creators.
-#}
{% macro tier_percent_rank(value_column, tier_column='follower_tier') -%}
    case
        when {{ value_column }} is not null then percent_rank() over (
            partition by {{ tier_column }}, {{ value_column }} is null
            order by {{ value_column }}
        )
    end
{%- endmacro %}


{#-
    'high' when the value is above the continuous var outlier_high_percentile (0.95) percentile
    of the values of the creators of the same follower tier (one platform's mart), 'low' when
    below the var outlier_low_percentile (0.05) one; NULL when the value is NULL or fewer than
    var outlier_min_creators creators of the tier have a value.
-#}
{% macro tier_outlier(value_column, tier_column='follower_tier') -%}
    case
        when {{ value_column }} is null then null
        when count({{ value_column }}) over (partition by {{ tier_column }})
            < {{ var('outlier_min_creators') }} then null
        when {{ value_column }} > quantile_cont(
            {{ value_column }}, {{ var('outlier_high_percentile') }}
        ) over (partition by {{ tier_column }}) then 'high'
        when {{ value_column }} < quantile_cont(
            {{ value_column }}, {{ var('outlier_low_percentile') }}
        ) over (partition by {{ tier_column }}) then 'low'
    end
{%- endmacro %}


{#-
    The sorted list of raised audience-quality flags (empty when none): follower_spike
    (follower_spikes_30d >= 1), rate_outlier_high / rate_outlier_low, comment_like_high /
    comment_like_low.
-#}
{% macro quality_flags(spikes_column, rate_outlier_column, comment_like_outlier_column) -%}
    list_sort(list_filter(
        [
            case when {{ spikes_column }} >= 1 then 'follower_spike' end,
            case when {{ rate_outlier_column }} = 'high' then 'rate_outlier_high' end,
            case when {{ rate_outlier_column }} = 'low' then 'rate_outlier_low' end,
            case when {{ comment_like_outlier_column }} = 'high' then 'comment_like_high' end,
            case when {{ comment_like_outlier_column }} = 'low' then 'comment_like_low' end
        ],
        lambda flag: flag is not null
    ))
{%- endmacro %}
