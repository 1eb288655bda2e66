"""Pages that need a browser: rendered in Debian's Chromium through scrapy-playwright.

Off unless asked for (``--js``, ``ARCHIVE_JS``, or ``js = true`` in a site's rules): then
``crawler.render.addon.RenderAddon`` installs ``crawler.render.handler.RenderingHandler`` as
the http(s) download handler. Nothing here imports Playwright until that handler is loaded.

- ``choice``: which requests are rendered (every page, or the pages of sites whose rules say so);
- ``gate``: what the browser may load (the crawl's robots.txt rules and network guard, the
  page's own host and the hosts allowed, an extra guard that can be plugged in, no other
  schemes, no WebSockets);
- ``fetch``: what the gate lets through is fetched by Scrapy's HTTP handler (the crawl's
  resolver, proxy and size limit), never by the browser, which has no network of its own;
- ``handler``: one browser per crawl, a few pages at a time, each render bounded in time;
  failures become ``RenderError`` with a readable reason.
"""
