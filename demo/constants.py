"""The demo world: tier shapes, shares of messy values, names, niches, cities, templates."""

from __future__ import annotations

# (name, lower bound, upper bound, share of creators, Pareto shape inside the tier)
FOLLOWER_TIERS: tuple[tuple[str, int, int, float, float], ...] = (
    ("nano", 1_000, 10_000, 0.40, 0.6),
    ("micro", 10_000, 50_000, 0.27, 0.6),
    ("mid", 50_000, 500_000, 0.20, 0.6),
    ("macro", 500_000, 1_000_000, 0.07, 0.6),
    ("mega", 1_000_000, 150_000_000, 0.06, 1.3),
)
VERIFIED_SHARE_BY_TIER = (0.02, 0.05, 0.2, 0.6, 0.95)

PRE_PERIOD_DAYS = 14  # posts created this many days before ``start`` are still observed
OBSERVED_DAYS = (7, 14)  # a post is observed until 7-14 days after its creation day
POSTING_INTERVAL_WEIGHTS = (0.5, 0.25, 0.1, 0.1, 0.05)  # every 1, 2, 3, 4 or 5 days
SKIPPED_POST_SHARE = 0.08
SHARED_CREATOR_SHARE = 0.3  # creators with an account on both platforms

DISPLAY_SCRAPED_SHARE = 0.02  # posts whose counts come off the app display ("45.3K")
COMMA_STRING_SHARE = 0.012  # other count values written as strings ("12,345")
HIDDEN_LIKES_SHARE = 0.05
HIDDEN_AS_MINUS_ONE_SHARE = 0.25
REELS_WITH_VIEWS_SHARE = 0.8
VIRAL_SHARE_SMALL = 0.06  # TikTok videos of creators under 50k followers
VIRAL_SHARE_LARGE = 0.02

HASHTAG_COUNT_WEIGHTS = (0.1, 0.2, 0.25, 0.2, 0.15, 0.1)  # 0-5 hashtags a post

# Signals for the trend, niche and audience-quality marts:
# each week has a new "hot" sound that more and more creators use as the week goes on
HOT_SOUND_SHARE_BY_WEEKDAY = (0.03, 0.08, 0.14, 0.22, 0.3, 0.38, 0.45)
CATALOGUE_SOUND_SHARE = 0.45  # other videos: one of 150 catalogue sounds, else an original sound
BOUGHT_FOLLOWERS_SHARE = 0.12  # creators of micro tier and up who buy followers once ...
BOUGHT_FOLLOWERS_GAIN = (0.15, 0.4)  # ... adding this share of their followers overnight
BOUGHT_FOLLOWERS_LAST_DAYS = 25  # ... on one of the last days of the period
COMMENT_POD_SHARE = 0.08  # creators in a comment pod: many more comments per like
COMMENT_POD_MULTIPLIER = 6.0

VIDEO_FILE_MAX_ROWS = 500_000

# (display first name, ASCII handle part)
FIRST_NAMES: tuple[tuple[str, str], ...] = tuple(
    (name, handle or name.lower())
    for name, handle in (
        ("Mia", ""), ("Zoë", "zoe"), ("José", "jose"), ("Léa", "lea"), ("Noah", ""),
        ("Emma", ""), ("Lukas", ""), ("Sofia", ""), ("Chloé", "chloe"), ("Björn", "bjorn"),
        ("Amara", ""), ("Kenji", ""), ("Priya", ""), ("Mateo", ""), ("Inès", "ines"),
        ("Aylin", ""), ("Finn", ""), ("Nora", ""), ("Omar", ""), ("Hana", ""),
        ("Liam", ""), ("Maja", ""), ("Elif", ""), ("Tomás", "tomas"), ("Ava", ""),
        ("Jonas", ""), ("Leila", ""), ("Ravi", ""), ("Sven", ""), ("Yuki", ""),
        ("Camille", ""), ("Diego", ""), ("Freya", ""), ("Ibrahim", ""), ("Jana", ""),
        ("Kai", ""), ("Lina", ""), ("Malik", ""), ("Nina", ""), ("Oscar", ""),
        ("Paula", ""), ("Quinn", ""), ("Rosa", ""), ("Sami", ""), ("Tara", ""),
        ("Uma", ""), ("Vera", ""), ("Wes", ""), ("Xenia", ""), ("Yara", ""),
        ("Zane", ""), ("Aisha", ""), ("Ben", ""), ("Clara", ""), ("Dario", ""),
        ("Eva", ""), ("Felix", ""), ("Greta", ""), ("Hugo", ""), ("Ida", ""),
        ("Jakob", ""), ("Kira", ""), ("Luca", ""), ("Marta", ""),
    )
)  # fmt: skip
LAST_NAMES = (
    "Fischer", "Okafor", "García", "Nguyen", "Rossi", "Kowalski", "Schmidt", "Dubois", "Silva",
    "Yilmaz", "Johansson", "Tanaka", "Patel", "Müller", "O'Brien", "Novak",
)  # fmt: skip
# (TikTok handle word, Instagram handle word, topic, hashtags)
NICHES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("dance", "dances", "dance", ("dance", "dancechallenge", "choreo")),
    ("baking", "bakes", "baking", ("baking", "sourdough", "cake")),
    ("cooking", "cooks", "food", ("recipe", "foodtok", "easyrecipe")),
    ("fitness", "lifts", "fitness", ("gym", "workout", "fitfam")),
    ("travel", "travels", "travel", ("travel", "wanderlust", "traveltips")),
    ("style", "styles", "fashion", ("ootd", "fashion", "styleinspo")),
    ("makeup", "glam", "beauty", ("makeup", "grwm", "skincare")),
    ("gaming", "plays", "gaming", ("gaming", "gamer", "setup")),
    ("tech", "tech", "tech", ("tech", "gadgets", "unboxing")),
    ("books", "reads", "books", ("booktok", "bookstagram", "reading")),
    ("garden", "grows", "gardening", ("gardening", "plants", "urbanjungle")),
    ("coffee", "brews", "coffee", ("coffee", "latteart", "barista")),
    ("yoga", "flows", "yoga", ("yoga", "mindfulness", "stretching")),
    ("pets", "pets", "pets", ("dogsoftiktok", "catsofinstagram", "puppy")),
    ("diy", "makes", "DIY", ("diy", "homedecor", "upcycling")),
    ("skate", "skates", "skateboarding", ("skate", "skateboarding", "kickflip")),
    ("music", "sings", "music", ("cover", "singing", "guitar")),
    ("comedy", "jokes", "comedy", ("comedy", "funny", "sketch")),
    ("vegan", "eats.green", "vegan food", ("vegan", "plantbased", "veganrecipes")),
    ("running", "runs", "running", ("running", "marathon", "runtok")),
)
GENERIC_HASHTAGS = ("fyp", "foryou", "viral", "trending", "explore", "reels", "fy", "foryoupage")
# (city, TikTok region code)
CITIES: tuple[tuple[str, str], ...] = (
    ("Berlin", "DE"), ("Hamburg", "DE"), ("München", "DE"), ("Wien", "AT"), ("Zürich", "CH"),
    ("Paris", "FR"), ("Lyon", "FR"), ("Madrid", "ES"), ("Barcelona", "ES"), ("Milano", "IT"),
    ("Amsterdam", "NL"), ("London", "GB"), ("Manchester", "GB"), ("New York", "US"),
    ("Los Angeles", "US"), ("Toronto", "CA"), ("São Paulo", "BR"), ("Lisboa", "PT"),
    ("Stockholm", "SE"), ("København", "DK"),
)  # fmt: skip
BIO_TEMPLATES = (
    "{topic} lover 💫 | {city}",
    'Sharing "{topic}" tips, one video at a time',
    "📍{city} · {topic}, coffee & chaos",
    "Business: {handle}@mail.example",
    "{topic} | she/her | {city}\nNew video every week",
    "{name} — {topic} from {city}. DMs open for collabs",
    "just a {topic} nerd 🤓",
)
HOOK_TEMPLATES = (
    "POV: you finally nailed the {topic} trend 😅",
    "Day {day} of learning {topic}",
    "wait for the end…",
    "3 {topic} hacks nobody talks about",
    "Replying to @{handle} — part 2!",
    'my "quick" {topic} routine, honestly',
    "{topic} in {city} hits different ✨",
    "Rating your {topic} ideas, 1-10",
    "Morgen geht's weiter mit {topic}! 🇩🇪",
    "I tried the viral {topic} thing so you don't have to",
)
CAMPAIGN_BRANDS: tuple[tuple[str, str, str], ...] = (
    ("Nordlicht Skincare", "Autumn Glow Launch", "EUR"),
    ("PeakFuel", "Black Friday Push", "USD"),
    ("Lumen Audio", "Holiday Gift Guide", "EUR"),
    ("Kaffeebar & Co.", "Winter Warmers", "EUR"),
    ("Verde Home", "Cozy Season", "USD"),
)
SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

DAY_SECONDS = 86_400
SPLITMIX_INCREMENT = 0x9E3779B97F4A7C15
SPLITMIX_MULTIPLIERS = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
