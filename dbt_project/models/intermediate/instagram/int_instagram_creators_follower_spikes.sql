-- follower_spikes_30d per creator: see the follower_spikes macro.
with creator_observations as (
    select * from {{ ref('int_instagram_creator_observations_deduplicated') }}
),

final as (
    {{ follower_spikes('creator_observations') }}
)

select * from final
