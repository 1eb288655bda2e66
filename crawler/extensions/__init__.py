"""Scrapy extensions: the progress line (``crawler.settings.EXTENSIONS``)."""
