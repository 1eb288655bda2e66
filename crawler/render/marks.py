"""What a render leaves on a capture: ``RENDERED_HEADER`` on success, ``RenderError`` on failure.

Kept apart from the handler so that the spiders and ``crawler.failures`` can name them
without importing Playwright (which is installed only with the ``js`` extra).
"""

# The response header that marks a rendered capture (kept in captures.response_headers): the
# browser and whether the network went quiet, e.g. "Chromium/156.0.8078.129; network idle".
RENDERED_HEADER = "X-Archive-Rendered"
# The response flag the handler sets; a header of that name without it came from the server.
RENDERED_FLAG = "rendered"


class RenderError(Exception):
    """Rendering failed (a timeout, a crashed browser, a refused page); ``str()`` is the reason
    recorded on the capture."""
