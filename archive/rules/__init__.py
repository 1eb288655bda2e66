"""Per-site extraction rules kept as data: TOML files, one or a few per site.

A rules file holds one or more ``[[rule]]`` tables::

    [[rule]]
    name = "harbour-gazette"                 # unique; recorded on each article it shaped
    hosts = ["harbourgazette.example"]       # the host and its subdomains; "*" globs allowed
    remove = ["div.gz-plug", "#talkback"]    # CSS selectors of elements to strip first
    body = "div.gz-copy"                     # optional: the article body, all matches in order
    js = true                                # optional: render its pages in a browser first

    [rule.fields]                            # optional: where the page shows its metadata
    title = "h2.gz-headline"
    authors = ".gz-writer"                   # each match is read as a byline ("By A and B")
    published_at = { selector = "span.gz-stamp", attribute = "data-ts" }

Field names: ``title``, ``authors``, ``published_at``, ``modified_at``, ``description``,
``site_name``. A field selector is a CSS selector (the element's text is read) or a table
with ``selector`` and ``attribute``.

The shipped rules are the ``*.toml`` files of this folder; users add their own files or
folders with ``ExtractOptions(rules_paths=...)``, and theirs are tried first.
"""

from archive.rules.loader import (
    FIELD_NAMES,
    FieldSelector,
    Rule,
    RulesError,
    builtin_rules,
    load_rules,
    matching_rules,
)

__all__ = [
    "FIELD_NAMES",
    "FieldSelector",
    "Rule",
    "RulesError",
    "builtin_rules",
    "load_rules",
    "matching_rules",
]
