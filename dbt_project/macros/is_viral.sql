{#-
    A TikTok video is viral when its views reach both the absolute threshold (var viral_min_views)
    and the follower multiple (var viral_follower_multiple x followers at the post; unknown
    followers count as 0, so only the absolute threshold applies).
-#}
{% macro is_viral(views_column, followers_column) -%}
    ({{ views_column }} >= greatest(
        cast({{ var('viral_min_views') }} as double),
        cast({{ var('viral_follower_multiple') }} as double) * coalesce({{ followers_column }}, 0)
    ))
{%- endmacro %}
