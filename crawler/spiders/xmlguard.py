"""What a feed or a sitemap must not do before we read it: be too big, or declare entities.

Feeds and sitemaps are XML from strangers. Entity declarations are how XML attacks its reader:
a few nested internal entities expand to gigabytes ("billion laughs"), an external one reads a
local file (``file:///etc/passwd``) or makes the reader fetch a URL of the attacker's choosing
inside our network (XXE). No real feed or sitemap needs them (the RSS 0.91 DOCTYPE names a DTD
but declares nothing), so a document that declares any is refused whole, before feedparser or
our sitemap reader sees it; so is one over a size limit (``ARCHIVE_XML_MAXSIZE``).

The declarations are read by lxml with every door shut: no DTD loaded, no entity resolved, no
network, no huge trees. That parse is linear in the document (the expansion is what costs, and
it never happens), so a billion-laughs document is refused in microseconds.
"""

from io import BytesIO

import lxml.etree

# The sitemap protocol's own limit for one (uncompressed) sitemap file.
DEFAULT_MAX_SIZE = 50 * 1024 * 1024


def refusal(body: bytes, max_size: int = DEFAULT_MAX_SIZE) -> str | None:
    """Why the XML document ``body`` must not be parsed, or None when it may be."""
    if max_size and len(body) > max_size:
        return f"{len(body):,} bytes, over the {max_size:,}-byte limit (ARCHIVE_XML_MAXSIZE)"
    declared = declared_entities(body)
    if declared:
        names = ", ".join(declared[:3]) + (" ..." if len(declared) > 3 else "")
        return f"declares XML entities ({names}): never expanded or fetched"
    return None


def declared_entities(body: bytes) -> list[str]:
    """The entities the document's DOCTYPE declares (general and parameter), by name."""
    if b"<!" not in body and b"\x00" not in body[:4]:  # no DOCTYPE (and not UTF-16/32)
        return []  # the common case: no parse needed
    parser = lxml.etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        remove_comments=True,
    )
    try:
        tree = lxml.etree.parse(BytesIO(body), parser)
    except lxml.etree.XMLSyntaxError:
        return []  # not XML: the reader that follows says so
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return []
    return [entity.name for entity in dtd.iterentities()]
