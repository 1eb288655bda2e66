"""Turn a crawl into a distributed worker when ``ARCHIVE_REDIS_URL`` is set.

A Scrapy add-on (listed in ``crawler.settings.ADDONS``) that does nothing without the
setting, so a crawl without Redis runs exactly as before. With it, it swaps in, at the
priority of the settings it replaces:

- the scheduler: ``crawler.distributed.scheduler.DistributedScheduler`` (shared queue, shared
  duplicate filter, in-flight tracking, heartbeats);
- the store pipeline: ``crawler.distributed.push.PushPipeline`` (pages go to the writer);
- the incremental gate: ``crawler.distributed.incremental.RedisIncrementalMiddleware``;
- a spider middleware that gives each capture its request's uid (``CaptureUidMiddleware``).

scrapy-redis is imported only here, when it is needed (the ``distributed`` extra).
"""

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from archive.errors import ArchiveError

SCHEDULER = "crawler.distributed.scheduler.DistributedScheduler"
PUSH = "crawler.distributed.push.PushPipeline"
STORE = "crawler.pipelines.store.StorePipeline"
GATE = "crawler.middlewares.incremental.IncrementalMiddleware"
REDIS_GATE = "crawler.distributed.incremental.RedisIncrementalMiddleware"
UID = "crawler.distributed.push.CaptureUidMiddleware"


class DistributedAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        url = (settings.get("ARCHIVE_REDIS_URL") or "").strip()
        if not url:
            return
        try:
            import scrapy_redis  # noqa: F401
        except ImportError as exc:
            raise ArchiveError(
                "ARCHIVE_REDIS_URL is set but scrapy-redis is not installed:"
                " pip install 'article-archiver[distributed]'"
            ) from exc
        settings.set("REDIS_URL", url, priority="addon")
        if settings.getpriority("SCHEDULER") in (None, 0):
            settings.set("SCHEDULER", SCHEDULER, priority="addon")
        _swap(settings, "ITEM_PIPELINES", STORE, PUSH)
        _swap(settings, "DOWNLOADER_MIDDLEWARES", GATE, REDIS_GATE)
        middlewares = settings.getdict("SPIDER_MIDDLEWARES")
        middlewares[UID] = 950
        settings.set(
            "SPIDER_MIDDLEWARES", middlewares, priority=_priority(settings, "SPIDER_MIDDLEWARES")
        )


def _swap(settings: BaseSettings, name: str, old: str, new: str) -> None:
    """Replace component ``old`` by ``new`` at the same order in a components setting."""
    components = settings.getdict(name)
    order = components.get(old)
    if order is None:
        return
    components[old] = None
    components[new] = order
    settings.set(name, components, priority=_priority(settings, name))


def _priority(settings: BaseSettings, name: str) -> int | str:
    """At least the priority the setting has now, so the change is not ignored."""
    return max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
