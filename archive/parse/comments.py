"""Comment threads: the headings that open them ("156 Responses to ...", "Leave a Reply").

A thread and its form follow the article under such a heading; the boilerplate pass
(``clean.Cleaner.comments_pass``) removes the heading with what it opens.
"""

import re

from bs4 import Tag

from archive.parse.text import clean_inline
from archive.parse.tree.measure import tag_text

# Headings that open a comment thread ("156 Responses to ...", "One thought on ...", "Leave a
# Reply", "Kommentare (3)"): the thread and the form after them are never the article.
COMMENTS_HEADING = re.compile(
    r"^((\d+|one|two|three|four|five|six|seven|eight|nine|ten|no)\s+"
    r"(comments?|responses?|replies|reactions|thoughts?|kommentare?|antworten|"
    r"commentaires?|comentarios?|comentários?|commenti|reacties)"
    r"(\s+(to|on|for|zu|auf|sur|pour|en|a|em|su|op)\b.*)?|"
    r"(leave|post|add|write|submit) a (reply|comment)\b.*|join the (discussion|conversation)|"
    # A thread shown by its best-liked comments ("Top Rated Comments"); not "Recent Comments",
    # a sidebar's list of the whole site's latest comments.
    r"((top[ -]rated|most (popular|liked)|best|featured|popular|readers?'?|user) )?comments?|"
    r"responses|(beliebteste |top-)?kommentare?|kommentar (schreiben|verfassen)|"
    r"kommentieren|leserkommentare|diskussion|commentaires?|laisser un commentaire|"
    r"comentarios?|deja (un|tu) comentario|deixe (um|seu) comentário|comentários|commenti|"
    r"lascia un commento|reacties|reageer)"
    r"\s*[:(\d)»›]*\s*$",
    re.I,
)
COMMENT_HEADINGS = ("h2", "h3", "h4", "h5")
# Every form COMMENTS_HEADING matches holds one of these (lower case): a cheap first test.
_COMMENT_STEMS = (
    "comment", "respon", "repl", "reaction", "thought", "kommenta", "kommenti", "antwort",
    "diskussion", "discussion", "conversation", "comentár", "comentar", "reactie", "reageer",
)  # fmt: skip


def opens_thread(heading: Tag) -> bool:
    """True for a heading whose whole text opens a comment thread."""
    text = tag_text(heading, " ")
    if len(text) > 300:
        return False
    lowered = text.lower()
    if not any(stem in lowered for stem in _COMMENT_STEMS):
        return False
    return COMMENTS_HEADING.match(clean_inline(text)) is not None
