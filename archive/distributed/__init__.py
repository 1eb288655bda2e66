"""The library side of distributed crawls: the message format workers hand pages over in
(``handoff``), and the single writer that drains them into the archive (``ingest``).

Neither module imports Scrapy: workers (``crawler.distributed``) import ``handoff``; the
``archive ingest`` command runs ``ingest``, which imports ``redis`` only when it connects."""
