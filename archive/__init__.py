"""article-archiver: archive news and magazine articles into one SQLite file.

The library half knows nothing of Scrapy: ``extract_article(html, url)`` turns a page into an
``ArticleRecord``; ``archive.store`` keeps records and raw captures in SQLite.
"""

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
