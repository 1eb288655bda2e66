"""Item pipelines: extract each page, then store it (``crawler.settings.ITEM_PIPELINES``)."""
