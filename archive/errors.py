"""The typed errors that the archive library raises.

Every error carries the input it concerns (usually a URL or a file name) and a short readable
reason, so that the CLI can turn it into one line: ``<input>: <reason>``.

    ArchiveError
    ├── InvalidURLError      a URL that is malformed or not http(s); nothing is fetched
    ├── FetchError           the page could not be fetched (HTTP error, timeout, robots.txt ...)
    ├── ExtractionError      a page was fetched but gave no article record
    │   ├── NotHTMLError     the body is not an HTML document (a PDF, an image, binary data)
    │   └── NotAnArticleError  the page is HTML but holds no article (a section front, a list)
    └── StorageError         the archive database could not be opened or written
        ├── NotAnArchiveError  the file is missing (for a command that only reads), or is
        │                      not an archive (another SQLite database, not SQLite at all)
        └── DiskFullError    the file cannot grow (disk full, or a file-size limit): the write
                             under way was rolled back, everything before it is kept
"""

from collections.abc import Mapping


class ArchiveError(Exception):
    """Base of every error the archive library raises on purpose."""

    def __init__(self, reason: str, *, subject: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.subject = subject

    @property
    def url(self) -> str | None:
        """The URL (or file) the error concerns, when there is one."""
        return self.subject

    def __str__(self) -> str:
        return f"{self.subject}: {self.reason}" if self.subject else self.reason


class InvalidURLError(ArchiveError):
    """A URL is malformed or uses a scheme other than http or https."""


class FetchError(ArchiveError):
    """A page could not be fetched."""


class ExtractionError(ArchiveError):
    """A fetched page gave no article record."""


class NotHTMLError(ExtractionError):
    """The input is not an HTML document."""


class NotAnArticleError(ExtractionError):
    """The input is an HTML page without an article (a section front, a teaser list ...).

    ``metadata`` holds what the page told about itself all the same, so that a capture of it
    can still record its title and dates: the fields of an article record that do not depend
    on a body (``title``, ``published_at``, ``published_from``, ``modified_at``, ``authors``,
    ``site_name``, ``language``, ``canonical_url`` ...), only those the page gave.
    """

    def __init__(
        self,
        reason: str,
        *,
        subject: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(reason, subject=subject)
        self.metadata: dict[str, object] = dict(metadata or {})

    @property
    def title(self) -> str | None:
        """The page's title, when it gave one."""
        value = self.metadata.get("title")
        return value if isinstance(value, str) else None

    @property
    def published_at(self) -> str | None:
        """The page's publication date (ISO 8601), when it gave one."""
        value = self.metadata.get("published_at")
        return value if isinstance(value, str) else None


class StorageError(ArchiveError):
    """The archive database could not be opened, migrated or written."""


class NotAnArchiveError(StorageError):
    """The file named as the archive is not one: missing where an archive must exist, not an
    SQLite database, or a database holding other tables. It is left untouched."""


class DiskFullError(StorageError):
    """The archive file cannot grow: the disk (or the user's quota) is full, or a file-size
    limit is reached. ``subject`` is the database file; the write under way was rolled back
    and everything committed before it is kept, so the command can be run again once there
    is room. ``stored`` is how many pages the command had stored before it, when it counts
    them (a crawl does)."""

    stored: int | None = None
