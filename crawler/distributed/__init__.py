"""Distributed crawling: many Scrapy workers share one frontier in Redis; one writer stores.

Enabled by ``ARCHIVE_REDIS_URL`` (``crawler.distributed.addon``); needs the ``distributed``
extra (scrapy-redis, redis). Nothing here is imported by a crawl without Redis.
"""
