"""Which requests the browser renders: every page with ``ARCHIVE_JS``, else the pages of the
sites whose rules say ``js = true``. Never a robots.txt, a feed or a sitemap: those are data,
and a browser would turn them into its own viewer page."""

from scrapy.http import Request
from scrapy.settings import BaseSettings

from archive.rules import Rule, builtin_rules, load_rules, matching_rules
from crawler.middlewares.incremental import INDEX, ROLE
from crawler.middlewares.robots import SHARED_ROBOTS

# request.meta: True or False forces the choice for one request (Scrapy users' own spiders;
# scrapy-playwright's "playwright" key is honoured too).
RENDER = "archive_render"


def js_rules(settings: BaseSettings) -> tuple[Rule, ...]:
    """The rules (the user's, then the shipped ones) that ask for a browser."""
    paths = [p.strip() for p in settings.getlist("ARCHIVE_RULES") if p.strip()]
    return tuple(rule for rule in (*load_rules(paths), *builtin_rules()) if rule.js)


def rendering_wanted(settings: BaseSettings) -> bool:
    """True when this crawl may render any page at all."""
    return settings.getbool("ARCHIVE_JS") or bool(js_rules(settings))


class RenderChoice:
    """Decides per request; built once per crawl from its settings."""

    def __init__(self, settings: BaseSettings) -> None:
        self.every_page = settings.getbool("ARCHIVE_JS")
        self.rules = js_rules(settings)

    def __call__(self, request: Request) -> bool:
        # RENDER, or scrapy-playwright's own key as its users set it (a redirect or retry of a
        # rendered page keeps it, so it is rendered again).
        forced = request.meta.get(RENDER, request.meta.get("playwright"))
        if forced is not None:
            return bool(forced)
        meta = request.meta
        if meta.get("dont_obey_robotstxt") or meta.get(SHARED_ROBOTS) or meta.get(ROLE) == INDEX:
            return False
        return self.every_page or bool(matching_rules(self.rules, request.url))
