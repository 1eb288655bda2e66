"""The last evidence for a publication date: htmldate's search over the whole page.

Our own cascade (``metadata.published_at``) takes only dates it can place: metadata, the date by
the headline or byline, the URL's, a date the page shows outside its chrome. On the few pages
where none of these says anything (about one page in twenty on news and blog pages), htmldate's
extensive search still finds the right day on about half: it weighs every date pattern in the
markup and the text, which is evidence too loose to rank above ours but better than no date.
A day found this way is recorded with ``published_from = "guess"``, so that queries can leave
such dates out.
"""

import logging

from lxml import etree
from lxml import html as lxml_html

log = logging.getLogger(__name__)

GUESS = "guess"
# Markup read for a guess: htmldate's search grows with the page, and a page's own date stands
# near its top (news pages run to a few hundred kilobytes; a 50 MB page would take a minute).
MAX_GUESS_CHARS = 1_000_000

# The page as UTF-8 bytes with the parser told so: a ``<meta charset>`` in the markup cannot
# make lxml decode it twice, and a str would be refused when it declares an encoding.
_PARSER = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True)


def guessed_day(page: str, url: str | None) -> str | None:
    """The publication day ("YYYY-MM-DD") htmldate finds in ``page``, or None.

    htmldate is handed a parsed tree, never the text: given a string that looks like a URL it
    would download it, and the parser never opens a connection."""
    markup = page[:MAX_GUESS_CHARS].encode("utf-8", "replace")
    try:
        tree = lxml_html.document_fromstring(markup, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    # Imported here: it costs a tenth of a second, and only pages without a date need it.
    from htmldate import find_date

    try:
        day = find_date(tree, extensive_search=True, original_date=True, url=url)
    except Exception as error:  # its heuristics failing must never cost the record
        log.debug("htmldate failed on %s: %r", url, error)
        return None
    # A bare year ("since 2012", a copyright line) comes back as its 1 January: no day at all.
    return None if day is None or day.endswith(_NEW_YEAR) else day


_NEW_YEAR = "-01-01"
