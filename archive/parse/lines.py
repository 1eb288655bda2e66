"""Lines of the body that are chrome, not article: share buttons, datelines, teaser links.

These rules look at the text blocks once the main content is chosen, where a line's words
and its share of link text tell more than any class name.
"""

import re

from archive.parse.blocks import Block
from archive.parse.text import sample
from archive.records import Removal

# Lines that are only share buttons ("Share this on WhatsApp", "Facebook Twitter Email") or the
# tool bars of older layouts ("EMAIL STORY | PRINT | SAVE").
SHARE_LINE = re.compile(
    r"^(?=.*\b(share|tweet|whatsapp|facebook|twitter|pinterest|linkedin|compartilh\w*|teilen|"
    r"e-?mail|print|drucken|imprimer|imprimir)\b)"
    r"(?:(?:share|shares|tweet|pin|email|e-mail|print|whatsapp|facebook|twitter|linkedin|"
    r"pinterest|reddit|telegram|flipboard|messenger|sms|copy link|compartilhar|compartilhe|"
    r"teilen|partager|condividi|comparte|compartir|pint|baixar|this( story| article| page)?|"
    r"story|article|page|save|bookmark|comment|comments|drucken|versenden|senden|merken|"
    r"imprimer|envoyer|imprimir|enviar|text size|font size|[a]{1,2}[+-]?|on|via|mit|with)"
    r"[\s:|/·•,.-]*)+$",
    re.I,
)
# Lines that only say when the article was published or updated.
DATE_LINE = re.compile(
    r"^(updated|published|posted|last updated|last modified|atualizado|publicado|"
    r"actualizado|aktualisiert|veröffentlicht|mis à jour|publié)\b",
    re.I,
)
# The line a blog theme writes under each post: when it was posted and where it is filed
# ("This entry was posted on ... and is filed under ...", "Der Beitrag wurde am ...
# veröffentlicht und wurde unter ... abgelegt").
POST_META_LINE = re.compile(
    r"^(this (entry|post) was posted|der (beitrag|eintrag|artikel) wurde am|"
    r"dieser (beitrag|eintrag|artikel) wurde am|cet article a été publié|"
    r"esta entrada fue publicada)"
    r"\b.*\b(filed under|abgelegt|kategorie|categor\w*|catégorie|rubrik)\b",
    re.I,
)
POST_META_WORDS = 80
# A year and a clock time on one line: "22 de janeiro de 2018 às 0:13", "10:22 AM / May 2019".
_DATE_OR_TIME = re.compile(
    r"\b(19|20)\d{2}\b.*\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}:\d{2}\b.*\b(19|20)\d{2}\b"
)
SHORT_LINE = 12


def trim_chrome(blocks: list[Block], title: str | None = None) -> tuple[list[Block], list[Removal]]:
    """Drop share-button lines, "Updated at ..." lines, the headline, bylines and short date
    lines before the body's first sentence (``title``: the page's title, that the headline is
    part of), and headings, short lines of links and copyright lines after its last; return
    the blocks kept and what was dropped."""
    removed: list[Removal] = []
    kept = []
    places = []  # where each kept block stood among all of them
    toggled = _expandable_pairs(blocks)
    titles = _title_parts(title)
    for index, block in enumerate(blocks):
        kind = "caption" if index in toggled else chrome_kind(block)
        if kind is None and index and block.text in titles and not block.is_heading:
            kind = "headline copy"  # a viewer's or a bar's copy of the headline, in the body
        if kind:
            removed.append(Removal(kind=kind, sample=sample(block.text)))
        else:
            kept.append(block)
            places.append(index)
    # Copies in a row are judged once the credits and controls between them are gone.
    copies = _runs_of_copies(kept, places)
    if copies:
        removed.extend(Removal(kind="caption", sample=sample(kept[i].text)) for i in sorted(copies))
        kept = [block for index, block in enumerate(kept) if index not in copies]
    start = 0
    while start < len(kept) and (_is_lead_chrome(kept[start]) or kept[start].text in titles):
        removed.append(Removal(kind="dateline", sample=sample(kept[start].text)))
        start += 1
    kept = kept[start:]
    # Headings with nothing under them, short lines of links ("Our standards: ...", "Read
    # more") and prompts to follow or subscribe that close the body are chrome, not the
    # article's last words.
    while kept and (
        _is_bare_heading(kept[-1])
        or _is_link_line(kept[-1])
        or _is_closing_prompt(kept[-1])
        or (len(kept) > 1 and _is_copyright_line(kept[-1]))
    ):
        removed.append(Removal(kind="trailing links", sample=sample(kept.pop().text)))
    return kept, removed


# A text the layout shows cut short ("The Islanders ... more") beside the whole of it ("...
# won 5-4. less"): a caption or a teaser that opens on a click. Either copy is the other's
# twin, not article text; an article's paragraphs do not come twice.
_CUT_SHORT = re.compile(r"^(.{20,}?)\s*(\.\.\.|…)\s*(more|mehr|plus|más|mais|di più)$", re.I)
_OPENED = re.compile(r"\s+(less|weniger|moins|menos)$", re.I)
# The words _CUT_SHORT ends with: tested first, as most blocks end otherwise (the lazy
# pattern walks a long paragraph character by character).
_MORE_WORDS = ("more", "mehr", "plus", "más", "mais", "più")
EXPANDABLE_WORDS = 80


# A paragraph of at least this many words that stands three times or more in a row: the
# caption a gallery writes once per view (slide, strip, overlay, thumbnail). An article does
# not say one paragraph three times running, and no copy of a caption is its text. (A pair
# may be a quote set out again; copies apart from each other are recipes' and listicles'.
# A caption sits in a <div>, <span> or <figcaption>, and each view sets its credit or its
# controls beside it: copies written as <p>, or with nothing between them, are left alone.)
REPEATED_WORDS = 12
REPEATED_RUN = 3


def _runs_of_copies(blocks: list[Block], places: list[int]) -> set[int]:
    """The indices of blocks in a run of copies of one text (see REPEATED_RUN); ``places``:
    where each block stood before the chrome lines between them went."""
    found: set[int] = set()
    start = 0
    for index in range(1, len(blocks) + 1):
        if index < len(blocks) and blocks[index].text == blocks[start].text:
            continue
        first = blocks[start]
        if (
            index - start >= REPEATED_RUN
            and first.tag not in ("p", "tr", "pre")
            and not first.is_heading
            and _words(first) >= REPEATED_WORDS
            and places[index - 1] - places[start] > index - 1 - start  # chrome went between
        ):
            found.update(range(start, index))
        start = index
    return found


def _expandable_pairs(blocks: list[Block]) -> set[int]:
    """The indices of blocks that are a cut-short text and its opened twin (see _CUT_SHORT)."""
    starts: dict[str, list[int]] = {}
    for index, block in enumerate(blocks):
        if not block.text[-6:].lower().endswith(_MORE_WORDS):
            continue
        match = _CUT_SHORT.match(block.text)
        if match and _words(block) <= EXPANDABLE_WORDS:
            starts.setdefault(match.group(1), []).append(index)
    if not starts:
        return set()
    found: set[int] = set()
    for index, block in enumerate(blocks):
        if _words(block) > EXPANDABLE_WORDS or not _OPENED.search(block.text):
            continue
        for start, twins in starts.items():
            if block.text.startswith(start):
                found.add(index)
                found.update(twins)
    return found


def _is_bare_heading(block: Block) -> bool:
    """A heading at the body's foot: nothing of the article under it."""
    return block.is_heading


def chrome_kind(block: Block) -> str | None:
    """Why a line of the body is chrome (the removal kind), or None for article text."""
    for kind, check in CHROME_CHECKS:  # (listed at the end of this module)
        if check(block):
            return kind
    return None


def _is_teaser_link(block: Block) -> bool:
    """A paragraph that is one link and nothing else ("Column: Another story ...")."""
    return (
        block.tag in ("p", "div")
        and block.link_chars > 0.95 * len(block.text)
        and _words(block) < 20
    )


# Calls to action that end or interrupt a body ("Like this story? Share it with a friend!").
CALL_TO_ACTION = re.compile(
    r"^(like this (story|article)\?.*|share (it|this)( story| article)? with .*|"
    r"tell us what you think.*|(leave|post|add|write) a comment.*|\d* ?comments?|"
    r"(click|tap) here to .*|follow us on .*|sign up (for|to) .*newsletter.*|"
    # A recipe card's prompt to rate it ("Did you make this recipe? Tag us ...").
    r"(did|have) you (make|made|try|tried) this recipe\?.*|rate this recipe.*|"
    r"(hast du|habt ihr) (das|dieses) rezept (ausprobiert|nachgekocht|nachgebacken)\?.*|"
    r"as-tu (testé|essayé) cette recette\?.*|¿(has )?(probado|hecho) esta receta\?.*)$",
    re.I,
)


# The prompts that close many bodies: follow us on the networks, get our app or newsletter.
# Both a verb of following or subscribing and a channel must be there, in a short paragraph.
PROMPT_VERB = re.compile(
    r"\b(follow|síguenos|siguenos|sigue|folgen sie|folge uns|suivez|segui|seguinos|subscribe|"
    r"sign up|get the latest|download|abonnier\w*|abonnez|suscríbete|lass dir|melde dich)\b",
    re.I,
)
PROMPT_CHANNEL = re.compile(
    r"\b(twitter|facebook|instagram|telegram|whatsapp|tiktok|youtube|newsletter|app|"
    r"posteingang|inbox)\b",
    re.I,
)
PROMPT_WORDS = 40


def _is_closing_prompt(block: Block) -> bool:
    return (
        _words(block) <= PROMPT_WORDS
        and bool(PROMPT_VERB.search(block.text))
        and bool(PROMPT_CHANNEL.search(block.text))
    )


def _is_call_to_action(block: Block) -> bool:
    return _words(block) <= SHORT_LINE and bool(CALL_TO_ACTION.match(block.text))


def _words(block: Block) -> int:
    return block.words


def _is_share_line(block: Block) -> bool:
    return _words(block) <= SHORT_LINE and bool(SHARE_LINE.match(block.text))


# Lines left by galleries and embeds: the counter ("Image 1 of 8", "Image 1 of / 8" when the
# layout spells it both ways, "3 / 12"), the viewer's controls ("Caption", "Close", "Back to
# Gallery"), prompts of scripts that did not run.
NOISE_LINE = re.compile(
    r"^(((image|photo|picture|slide|foto|bild)\s*)?\d+\s*(of|/|von|de|di|sur)\s*/?\s*\d+|"
    r"caption|close|(back to|view|open|launch|show) (the )?(gallery|slideshow)|"
    r"(previous|prev|next) (image|photo|picture|slide)|full ?screen|"
    r"(zurück zur|zur) (bilder)?galerie|galerie (öffnen|schließen)|schließen|fermer|cerrar|"
    r"this (slideshow|video|content|embed) requires javascript\.?|"
    r"media playback is (unsupported|not supported) on (your|this) (device|browser)\.?|"
    r"(click|tap) (here )?to (enlarge|expand|play)\.?)$",
    re.I,
)


def _is_noise_line(block: Block) -> bool:
    return bool(NOISE_LINE.match(block.text))


def _is_post_meta(block: Block) -> bool:
    return _words(block) <= POST_META_WORDS and bool(POST_META_LINE.match(block.text))


def _is_date_line(block: Block) -> bool:
    return _words(block) <= SHORT_LINE and bool(DATE_LINE.match(block.text))


def _is_lead_chrome(block: Block) -> bool:
    if block.is_heading or _words(block) >= SHORT_LINE:
        return False
    text = block.text
    return bool(_DATE_OR_TIME.search(text) or LEAD_BYLINE.match(text) or DATE_ONLY.match(text))


# A byline on a line of its own: "By Jane Doe, Staff Writer", "Par Claire Dumas", "Von Max
# Muster und Erika Beispiel". The names are capitalised words (a sentence that opens with "By
# the river" is not a byline).
_NAME = r"[A-ZÀ-ÞĀ-Ž][\w'’.-]*"
LEAD_BYLINE = re.compile(
    rf"^(?i:by|von|par|por|di|door|av|af)\s+{_NAME}(\s+{_NAME}){{0,3}}"
    rf"(\s*(,|\||–|-|(?i:and|und|et|y|e))\s*[^.!?]{{0,40}})?$"
    # or without the "By", when a newsroom's title follows the name: "Jane Doe, AP Writer".
    rf"|^{_NAME}(\s+{_NAME}){{1,3}}\s*,\s+[^.!?]{{0,40}}\b(?i:writer|reporter|correspondent|"
    rf"editor|columnist|contributor|redakteur(in)?|korrespondent(in)?)$"
)
# A date on a line of its own, without a clock time: "Thursday, October 14, 2004",
# "3. Dezember 2009", "le 3 décembre 2009", "14 de junio de 2023".
_MONTHS = (
    r"jan(uary|uar|vier)?|feb(ruary|ruar)?|février|mar(ch)?|märz|mars|apr(il)?|avril|may|mai|"
    r"june?|juni|juin|july?|juli|juillet|aug(ust)?|août|sep(t|tember)?|septembre|oct(ober)?|"
    r"oktober|octobre|nov(ember)?|novembre|dec(ember)?|dezember|décembre|enero|febrero|marzo|"
    r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
DATE_ONLY = re.compile(
    rf"^((le|el|am|on)\s+)?([^\W\d]+,?\s+)?(\d{{1,2}}\.?\s+(de\s+)?)?({_MONTHS})\.?\s+"
    rf"(\d{{1,2}}(st|nd|rd|th)?,?\s+)?(de\s+)?(19|20)\d{{2}}$",
    re.I,
)
# The page's copyright notice, at the foot of the body: a mark and a year, and the words that
# reserve the rights ("Copyright © 2004 ... All rights reserved.", "© 2019 Verlag. Alle Rechte
# vorbehalten"). Both, so that a story about a copyright case or a licence keeps its last lines.
COPYRIGHT_MARK = re.compile(r"(©|\(c\)|copyright)\s*(19|20)\d{2}", re.I)
RIGHTS_RESERVED = re.compile(
    r"all rights reserved|alle rechte vorbehalten|tous droits réservés|"
    r"todos los derechos reservados|tutti i diritti riservati|todos os direitos reservados",
    re.I,
)
COPYRIGHT_WORDS = 40
FOOTER_LINK_SHARE = 0.25


def _is_copyright_line(block: Block) -> bool:
    """The notice on a line of its own, or in a footer line of links (sister sites, legal
    pages): not after a sentence of the body that shares its block."""
    text = block.text
    if _words(block) > COPYRIGHT_WORDS or not RIGHTS_RESERVED.search(text):
        return False
    mark = COPYRIGHT_MARK.search(text)
    return mark is not None and (
        mark.start() == 0 or block.link_chars > FOOTER_LINK_SHARE * len(text)
    )


# How titles set the headline apart from the site's name: "Site - Headline", "Headline | Site".
_TITLE_SEPARATOR = re.compile(r"\s+[-–—|:«»·/]\s+|\s*[|«»]\s*")


def _title_parts(title: str | None) -> set[str]:
    """The page's title and each part of it between separators: what the headline may be."""
    if not title:
        return set()
    return {title, *(part for part in _TITLE_SEPARATOR.split(title) if len(part) > 15)}


def _is_link_line(block: Block) -> bool:
    return block.link_chars > 0.5 * len(block.text) and _words(block) < 25


# Labels of the page's furniture: reading time, audio players, and the prompts that embedded
# posts leave behind ("View this post on Instagram"). Short lines only (see _is_label).
LABEL_LINE = re.compile(
    r"^((estimated |est\. )?(reading|read) time\b.*|"
    r"\d+\s*(-\s*\d+\s*)?(min|mins|minutes?|minuten?)\.?\s+(read|reading time|to read|"
    r"lesezeit|lesen|de lecture|de lectura|di lettura|de leitura)|"
    r"(lesezeit|lesedauer|temps de lecture|tiempo de lectura|tempo di lettura|tempo de leitura)"
    r"\b.*|listen( to)?( this| the)? (article|story)(\s*[:(–-].*|\s*\d{1,2}:\d{2})?|"
    r"(artikel|beitrag) (anhören|vorlesen(\s+lassen)?)|écouter (cet|l')article|"
    r"escuchar (la )?noticia|(play|pause) audio|"
    r"view (this|the) (post|photo|video|profile) on (instagram|facebook|tiktok|twitter|x|threads)|"
    r"view on (instagram|facebook|tiktok|twitter|x|threads|youtube)|"
    # A blog's "like" button and its script's placeholder ("Like this:", "Like Loading...").
    r"(like this|gefällt mir|j'aime ceci|me gusta esto|mi piace)\s*:?|"
    r"(like|gefällt mir|j'aime|me gusta|mi piace)\s+(loading|lade|chargement|cargando|caricamento)"
    r"\s*(\.\.\.|…)?|"
    r"watch on (youtube|tiktok|facebook|instagram)|"
    r"(a post|a photo|a video) shared by .*|"
    r"diesen beitrag auf instagram ansehen|ver esta publicación en instagram|"
    r"voir cette publication sur instagram|"
    # What a consent manager shows in place of an embedded post until the reader agrees.
    r"empfohlener redaktioneller inhalt|externer inhalt|"
    r"externe inhalte (laden|aktivieren|anzeigen|zulassen)|"
    r"(twitter|x|instagram|youtube|facebook|tiktok|vimeo) (freischalten|aktivieren|laden)|"
    r"inhalte? von (twitter|x|instagram|youtube|facebook|tiktok|vimeo) (immer )?"
    r"(anzeigen|laden|zulassen)|"
    r"ich bin damit einverstanden, dass mir externe inhalte angezeigt werden.*|"
    r"an dieser stelle finde(t ihr|n sie|st du) einen externen inhalt.*)[.:!]?$",
    re.I,
)


# A photo credit on a line of its own ("Foto: Jane Doe", "Crédits photos : Agency").
CREDIT_LINE = re.compile(
    r"^(\S+( \S+)?,\s*)?(photos?|fotos?|bild(er)?|images?|pictures?|credits?|crédits? photos?|"
    r"photo credit|bildquelle|quelle|fuente|crédito)\s*:.*$|^©.*$|"
    # "Image copyright Getty Images", "Photo credit Reuters": the label without its colon.
    r"^(image|photo|picture|bild|foto) ?(copyright|credit|source|quelle|rechte)\b.*$",
    re.I,
)
CREDIT_WORDS = 8


# A caption that ends with its picture's credit in brackets: "Protesters on Monday (Image:
# GETTY)", "... in Hialeah, Fla. (AP Photo/Alan Diaz, File)", "(Photo by X/Getty Images)".
# Running text cites no photographer at the end of a paragraph.
CAPTION_CREDIT = re.compile(
    r"\(\s*((ap|afp|dpa|reuters|epa|getty|pa)\s+)?((photo|image|picture) credit|photos?|"
    r"images?|pictures?|credits?|fotos?|bild|crédito|crédit|photograph)\s*(:|/|by\b|von\b|de\b)[^()]{1,80}\)\s*$",
    re.I,
)
CAPTION_WORDS = 60
# A photographer's credit under a picture: a name and the agency, nothing else ("Michael
# Conroy, AP", "Jo Park / Getty Images", "Tom Davies Associated Press", "Jo Park/Daily
# Example/Getty Images"), or the agency alone ("The Associated Press").
AGENCY_CREDIT = re.compile(
    rf"^({_NAME}(\s+{_NAME}){{1,3}}(\s*/\s*[\w.&' -]{{2,40}})*\s*[,/|]?\s*|(?i:the )?)"
    r"(AP|AFP|Associated Press|Reuters|Getty Images|dpa|EPA|Shutterstock|iStock(photo)?|"
    r"USA TODAY( NETWORK)?)$"
)


def _is_credit(block: Block) -> bool:
    words = _words(block)
    if words <= CREDIT_WORDS and (CREDIT_LINE.match(block.text) or AGENCY_CREDIT.match(block.text)):
        return True
    if words > CAPTION_WORDS:
        return False
    # A caption opened by its photographer's mark ("© Jo Park Needle poking skin ...").
    text = block.text
    return text.startswith("©") or (text.endswith(")") and bool(CAPTION_CREDIT.search(text)))


# "A post shared by <name> (@handle) on <date> at <time>" runs longer than other labels.
LABEL_WORDS = 20


def _is_label(block: Block) -> bool:
    return _words(block) <= LABEL_WORDS and bool(LABEL_LINE.match(block.text))


# A bar of links set apart by separators and nothing else ("Home | Garden | Bees", "News »
# Local"): a menu or a breadcrumb trail that stands in the body's container (old pages write
# them as bare text beside the article's).
# Besides "|", a separator stands between spaces (or last): a slash inside a link's text is
# part of an address it shows, a guillemet against a word quotes it.
_BAR_SEPARATOR = re.compile(r"\s*\|\s*|\s+[·•»›/](?:\s+|$)")


def _is_link_bar(block: Block) -> bool:
    if block.tag in ("pre", "tr") or block.is_heading or not block.link_chars:
        return False
    parts = _BAR_SEPARATOR.split(block.text)
    if len(parts) < 2:
        return False
    # Link text is counted with its inner spaces: all of it links, it is at least the rest.
    return block.link_chars >= sum(len(part.replace(" ", "")) for part in parts)


# A table (or a row of a layout table) that is mostly links: a sidebar's headline list, the
# footer's sister sites, a bar of section links.
LINK_TABLE_SHARE = 0.8


def _is_link_table(block: Block) -> bool:
    return block.tag == "tr" and block.link_chars > LINK_TABLE_SHARE * len(block.text)


# What PHP prints into a page when a script misbehaves ("Strict Standards: Non-static method
# ... in /www/htdocs/wp-content/plugins/gallery.php on line 813"): the server's, never the
# author's words. Old blogs print dozens above and inside the post.
SERVER_MESSAGE = re.compile(
    r"^(php )?(warning|notice|deprecated|strict standards|(catchable )?fatal error|parse error)"
    r"\s*:.* in \S+ on line \d+\.?$",
    re.I,
)


def _is_server_message(block: Block) -> bool:
    return " on line " in block.text and bool(SERVER_MESSAGE.match(block.text))


# The checks of ``chrome_kind``, in order: the first that holds names the kind.
CHROME_CHECKS = (
    ("share bar", _is_share_line),
    ("date line", _is_date_line),
    ("post meta", _is_post_meta),
    ("gallery label", _is_noise_line),
    ("teaser link", _is_teaser_link),
    ("call to action", _is_call_to_action),
    ("label", _is_label),
    ("credit", _is_credit),
    ("link table", _is_link_table),
    ("link bar", _is_link_bar),
    ("server message", _is_server_message),
)
