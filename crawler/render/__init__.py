"""Pages that need a browser: rendered in Debian's Chromium through scrapy-playwright.

Off unless asked for (``--js``, ``ARCHIVE_JS``, or ``js = true`` in a site's rules): then
``crawler.render.addon.RenderAddon`` installs ``crawler.render.handler.RenderingHandler`` as
the http(s) download handler. Nothing here imports Playwright until that handler is loaded.

- ``choice``: which requests are rendered (every page, or the pages of sites whose rules say so);
- ``gate``: what the browser may load (the crawl's robots.txt rules, the page's own host and
  the hosts allowed, an address guard that can be plugged in, no other schemes);
- ``handler``: one browser per crawl, a few pages at a time, each render bounded in time;
  failures become ``RenderError`` with a readable reason.
"""
