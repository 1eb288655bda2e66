"""Scrapy with no processing: fetch every URL of a list and do nothing with the responses.

    scrapy runspider benchmarks/crawl_baseline.py -a urls_file=urls.txt

The anchor of ``benchmarks/crawl.py``: how fast Scrapy alone fetches the benchmark site.
Run it outside the project folder, so that none of the archive's settings or pipelines apply.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class FetchOnlySpider(scrapy.Spider):
    name = "fetch-only"

    def __init__(self, urls_file: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = Path(urls_file).read_text(encoding="utf-8").split()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> None:
        return None
