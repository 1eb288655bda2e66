"""Downloader middlewares: robots.txt and meta refresh, the incremental gate, and retry with
back-off. Listed in ``crawler.settings.DOWNLOADER_MIDDLEWARES``."""
