"""Scrapy and archive settings for article-archiver: polite defaults, overridable with ``-s``.

This module is the only part of the project that reads the environment (``ARCHIVE_DB``,
``ARCHIVE_CONTACT``, ``ARCHIVE_ALLOW_PRIVATE``, ``ARCHIVE_EXTRACT_PROCESSES``,
``ARCHIVE_REDIS_URL``, and the proxy variables for ``ARCHIVE_PROXY_URLS``). Everything else
reads settings through ``crawler.settings`` in ``from_crawler``. Override any of them per run:
``scrapy crawl page -s DOWNLOAD_DELAY=0 ...`` or
``run_spider(..., settings={"DOWNLOAD_DELAY": 0})``.
"""

import os
from importlib.metadata import PackageNotFoundError, version
from urllib.request import getproxies


def _project_version() -> str:
    try:
        return version("article-archiver")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.1.0"


BOT_NAME = "article-archiver"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- The archive -------------------------------------------------------------------------
# The SQLite file that every crawl writes into.
ARCHIVE_DB = os.environ.get("ARCHIVE_DB") or "archive.db"
# An e-mail address or URL where site owners can reach whoever runs the archiver; when set it
# is appended to USER_AGENT (see crawler.addons.ContactAddon), e.g. "ops@example.org".
ARCHIVE_CONTACT = os.environ.get("ARCHIVE_CONTACT", "")
# The network guard (crawler.netguard): URLs the crawl discovers (feed and sitemap entries,
# links, redirects) are refused when their host is or resolves to a loopback, private,
# link-local or other internal address; the hosts the user named stay reachable. 1 (or
# --allow-private) lifts the guard, for an archive of an intranet reached through links.
ARCHIVE_ALLOW_PRIVATE = os.environ.get("ARCHIVE_ALLOW_PRIVATE", "") not in ("", "0")
# Our resolver sees every address a download connects to, and hands on only allowed ones.
TWISTED_DNS_RESOLVER = "crawler.netguard.GuardedResolver"
# The proxies of the environment (http_proxy, https_proxy ...), which Scrapy's
# HttpProxyMiddleware connects through: configured by the user, so the guard allows them.
ARCHIVE_PROXY_URLS = sorted({url for scheme, url in getproxies().items() if scheme != "no"})

# --- Identify ourselves and obey robots.txt ----------------------------------------------
USER_AGENT = (
    f"article-archiver/{_project_version()} (+https://github.com/article-archiver/article-archiver)"
)
ROBOTSTXT_OBEY = True
ADDONS = {"crawler.addons.ContactAddon": 0}
DOWNLOADER_MIDDLEWARES = {
    # First: a refused URL gets neither a connection nor a robots.txt fetch.
    "crawler.netguard.NetworkGuardMiddleware": 50,
    # Ours fixes a race that let concurrent requests to one site skip robots.txt (see there).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsTxtMiddleware": 100,
    # Ours decodes only the start of a page to look for a meta refresh (see there).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.meta_refresh.MetaRefreshMiddleware": 580,
}

# --- Politeness: few parallel requests per site, adaptive delay --------------------------
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# --- Failures: retry the transient ones, bound time and size -----------------------------
RETRY_ENABLED = True
RETRY_TIMES = 2  # so at most three attempts per URL
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30  # seconds
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # bytes; larger responses become fetch-error captures
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# A feed or sitemap bigger than this (once decompressed) is refused unread; 50 MiB is the
# sitemap protocol's own limit. Documents declaring XML entities are always refused.
ARCHIVE_XML_MAXSIZE = 50 * 1024 * 1024
# A failure is recorded as a capture with its reason, so giving up is not an error to log.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"

# --- Pipelines: extract the article, then store the capture (and the article) ------------
# Worker processes that extract articles (and compress raw bodies) while the crawl fetches on,
# so extraction uses every core; 0 or 1 extracts in the crawl's own process. Empty means one
# per core (os.cpu_count()). See crawler.pool.
ARCHIVE_EXTRACT_PROCESSES = os.environ.get("ARCHIVE_EXTRACT_PROCESSES", "")
# Seconds a worker may spend on one page before it is killed, the page recorded as an
# extraction error ("extraction abandoned ...") and a new worker started; 0: no limit.
# In-process extraction (0 or 1 processes) cannot be abandoned: it runs to the end.
ARCHIVE_EXTRACT_TIMEOUT = 30.0

# The user's per-site rules files or folders (*.toml), tried before the shipped rules:
# a list, or paths separated by commas (`-s ARCHIVE_RULES=my-rules/`).
ARCHIVE_RULES: list[str] = []
# Train a site's zstd dictionary during the crawl once it has enough pages (in a thread), pack
# its later pages with it and re-pack the crawl's earlier ones: a fresh archive stays small
# without `archive compact`. False: bodies packed at zstd 3 without a new dictionary.
ARCHIVE_CRAWL_DICTIONARIES = True

# Spider output (items and requests) of one response processed at once. Scrapy's default of
# 100 starts 100 asyncio tasks for every response; an archive spider yields one item a page,
# so a few are enough, and the crawl process saves about a millisecond of CPU per page.
CONCURRENT_ITEMS = 4
# Scrapy's default, stated because the extraction pool awaits its workers through asyncio
# (without it the pipeline falls back to extracting in the crawl process, with a warning).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 300,
    "crawler.pipelines.store.StorePipeline": 800,
}

# --- Housekeeping ---------------------------------------------------------------------------
LOG_LEVEL = "INFO"
# No listening sockets on a machine that only crawls: no telnet console, and no remote
# control server (Scrapy 2.19 runs one by default, and writes job files to the home folder).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"

# --- Feed, sitemap and site crawls: incremental, resumable, retried with back-off ------------
# crawler.middlewares.incremental.IncrementalMiddleware decides, before each fetch, whether a feed
# entry, sitemap URL or site page needs fetching at all;
# crawler.middlewares.backoff.BackoffRetryMiddleware waits before each retry (Retry-After when the
# server sends one). Both replace nothing of Scrapy's but RetryMiddleware; the page spider
# (archive save) is never skipped or made conditional.
DOWNLOADER_MIDDLEWARES.update(
    {
        # After robots.txt (100), so a refused page does not count against the page limit;
        # responses reach it after retries, decompression and redirects: the final body.
        "crawler.middlewares.incremental.IncrementalMiddleware": 120,
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    }
)
# A URL captured within this many seconds is not fetched again (default: a day). 0 always
# re-fetches (conditionally, with If-None-Match / If-Modified-Since from the last capture).
ARCHIVE_REFRESH_WINDOW = 24 * 60 * 60
# Fetch every URL whatever its last capture (--refresh); still conditional.
ARCHIVE_REFRESH = False
# Feeds and sitemaps: fetch only URLs the archive has never had an answer from (--only-new).
ARCHIVE_ONLY_NEW = False
# Continue the last run of the same command that was stopped or killed (--resume): whatever it
# captured is neither fetched nor stored again.
ARCHIVE_RESUME = False
# The clock the refresh window is measured with, as an ISO 8601 instant; empty means now. For
# tests and for replaying a schedule ("an hour later").
ARCHIVE_NOW = ""
# Retries (RETRY_TIMES, RETRY_HTTP_CODES above) wait first: the server's Retry-After when it
# sends one, else RETRY_BACKOFF_BASE seconds doubled per attempt. No wait is longer than
# RETRY_BACKOFF_MAX; a Retry-After beyond it gives up at once instead (the capture says why).
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
# A live progress line on stderr (pages fetched, articles, failures, rate): "auto" shows it
# when stderr is a terminal; True or False force it.
ARCHIVE_PROGRESS = "auto"
EXTENSIONS = {"crawler.extensions.progress.ProgressLine": 500}
# Scrapy's downloader, with CONCURRENT_REQUESTS_PER_DOMAIN really enforced (see there).
DOWNLOADER = "crawler.downloader.Downloader"

# --- Pages that need a browser (issue 15: crawler.render, the `js` extra) --------------------
# Render every page of the crawl in Chromium (--js) before extracting it; pages of sites whose
# rules say `js = true` are rendered anyway. Off: no browser, and Scrapy's handlers as always.
ARCHIVE_JS = False
ARCHIVE_JS_BROWSER = "/usr/bin/chromium"  # Debian's chromium; a name on PATH works too
ARCHIVE_JS_PAGES = 3  # pages rendered at once (one browser per crawl; memory stays bounded)
ARCHIVE_JS_SETTLE = 3.0  # seconds to wait after the load event for the network to go quiet
# Hosts a rendered page may load from besides its own (host, subdomains, or a glob).
ARCHIVE_JS_ALLOW_HOSTS: list[str] = []
# Resource types the browser never loads (Playwright's names); the article needs none.
ARCHIVE_JS_BLOCK_TYPES = ["image", "media", "font"]
# The crawl's network guard (ARCHIVE_ALLOW_PRIVATE above) always applies to what the browser
# loads; this adds a guard of your own: import path of a function(url) -> reason | None.
ARCHIVE_JS_GUARD = ""
ADDONS["crawler.render.addon.RenderAddon"] = 20

# --- Distributed crawling (issue 6: crawler.distributed, the `distributed` extra) -----------
# With a Redis URL (or `--redis URL`), crawl workers share one request queue and duplicate
# filter in Redis and push finished pages to `archive ingest`, the single writer, instead of
# writing the archive file (crawler.distributed.addon swaps the components; empty: no change).
ARCHIVE_REDIS_URL = os.environ.get("ARCHIVE_REDIS_URL", "")
ARCHIVE_REDIS_PREFIX = "archive"  # all keys start with it; one prefix per archive
ARCHIVE_REDIS_HEARTBEAT = 5.0  # seconds between a worker's heartbeats
ARCHIVE_REDIS_DEAD_AFTER = 30.0  # a worker silent this long is dead: its requests re-queued
ARCHIVE_REDIS_IDLE_CLOSE = 30.0  # close once the shared crawl had nothing to do this long
ARCHIVE_REDIS_SEEN_TTL = 0  # seconds a URL stays "seen"; 0: ARCHIVE_REFRESH_WINDOW
# Start URLs, feeds, sitemaps and section fronts stay "seen" only this long (seconds), so the
# next scheduled run reads them again.
ARCHIVE_REDIS_REVISIT_AFTER = 600
ARCHIVE_REDIS_BLOOM_BITS = 2**26  # per filter generation (8 MiB); at most 3 generations
ARCHIVE_REDIS_BLOOM_HASHES = 13
ADDONS["crawler.distributed.addon.DistributedAddon"] = 10
