-- The shipped follower_tiers seed puts each boundary follower count in the expected tier
-- (lower bounds inclusive). Returns the counts that land in another tier.
with boundary_cases as (
    select *
    from (
        values
            (0, 'nano'),
            (9999, 'nano'),
            (10000, 'micro'),
            (49999, 'micro'),
            (50000, 'mid'),
            (499999, 'mid'),
            (500000, 'macro'),
            (999999, 'macro'),
            (1000000, 'mega')
    ) as cases (followers, expected_tier)
),

classified as (
    select
        boundary_cases.followers,
        boundary_cases.expected_tier,
        follower_tiers.tier as follower_tier
    from boundary_cases
    {{ join_follower_tier('boundary_cases.followers') }}
)

select *
from classified
where follower_tier is distinct from expected_tier
