"""Pelican's side of the benchmark: the same pages as sitegen's default theme, nothing more.

bench/run.py copies this folder next to a generated content/ (Pelican's own metadata format)
and runs Pelican on it. Pelican has no related-content feature; prev/next comes from the
small local plugin in plugins/neighbors.py.
"""

AUTHOR = "Briefing"
SITENAME = "Briefing"
SITEURL = "https://example.org"
TIMEZONE = "Etc/GMT-2"
DEFAULT_LANG = "en"

PATH = "content"
ARTICLE_PATHS = ["briefings"]
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["neighbors"]
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "briefings"
DELETE_OUTPUT_DIRECTORY = False

# Pelican's own content cache, so warm builds and one-file edits get its best case.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"

ARTICLE_URL = "briefings/{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
TAG_URL = "topics/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_SAVE_AS = "topics/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
AUTHORS_SAVE_AS = "authors/index.html"
MONTH_ARCHIVE_URL = "archive/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ARCHIVES_SAVE_AS = YEAR_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "authors", "sitemap", "404"]
SITEMAP_SAVE_AS = "sitemap.xml"

DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"index": None, "tag": None, "author": None, "period_archives": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_DOMAIN = SITEURL
FEED_ALL_RSS = "feed.xml"
TAG_FEED_RSS = "topics/{slug}/feed.xml"
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 20
RSS_FEED_SUMMARY_ONLY = True
