{#-
    Join fragment that attaches the follower tier from the follower_tiers seed: the tier with the
    greatest min_followers at or below the given follower count (lower bounds inclusive).
    A NULL follower count gets no tier. Select follower_tiers.tier as follower_tier.

        from creators
        {{ join_follower_tier('creators.followers') }}
-#}
{% macro join_follower_tier(followers_column, tiers_alias='follower_tiers') -%}
    asof left join {{ ref('follower_tiers') }} as {{ tiers_alias }}
        on {{ followers_column }} >= {{ tiers_alias }}.min_followers
{%- endmacro %}
