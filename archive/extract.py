"""The parser's front door: ``extract_article(html, url) -> ArticleRecord``."""

from archive.records import ArticleRecord

# Bump whenever a change to the parser can change a record, so that storage can tell
# "the page changed" from "our parser changed".
EXTRACTOR_VERSION = "1"


def extract_article(html: str | bytes, url: str | None = None) -> ArticleRecord:
    """Parse one page into a clean article record; raise an ExtractionError subclass if none."""
    raise NotImplementedError  # filled in by the parser work
