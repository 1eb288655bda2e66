"""article-archiver: archive news and magazine articles into one SQLite file.

The library half knows nothing of Scrapy: ``extract_article(html, url)`` turns a page into an
``ArticleRecord``; ``archive.store`` keeps records and raw captures in SQLite.

The names below are imported on first use (PEP 562), so a process that needs one small part
(a worker that packs bodies, say) does not load the parser with the package.
"""

from typing import TYPE_CHECKING

from archive.lazy import lazy_exports

if TYPE_CHECKING:
    from archive.errors import (
        ArchiveError,
        ExtractionError,
        FetchError,
        InvalidURLError,
        NotAnArticleError,
        NotHTMLError,
        StorageError,
    )
    from archive.extract import EXTRACTOR_VERSION, extract_article
    from archive.records import ArticleRecord, Capture, Image, Outcome, Removal

__version__ = "0.1.0"

# Each public name and the module that defines it.
_EXPORTS = {
    "ArchiveError": "archive.errors",
    "ExtractionError": "archive.errors",
    "FetchError": "archive.errors",
    "InvalidURLError": "archive.errors",
    "NotAnArticleError": "archive.errors",
    "NotHTMLError": "archive.errors",
    "StorageError": "archive.errors",
    "EXTRACTOR_VERSION": "archive.extract",
    "extract_article": "archive.extract",
    "ArticleRecord": "archive.records",
    "Capture": "archive.records",
    "Image": "archive.records",
    "Outcome": "archive.records",
    "Removal": "archive.records",
}

__all__ = [
    "EXTRACTOR_VERSION",
    "ArchiveError",
    "ArticleRecord",
    "Capture",
    "ExtractionError",
    "FetchError",
    "Image",
    "InvalidURLError",
    "NotAnArticleError",
    "NotHTMLError",
    "Outcome",
    "Removal",
    "StorageError",
    "__version__",
    "extract_article",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
