"""The texts that label chrome: ad labels, and the headings that open boxes of teasers and
authors' biographies. The boilerplate passes (``clean.Cleaner.text_pass``) look for them among
the page's short strings; comment threads' headings live in ``comments``.
"""

import re

# Whole texts of elements that are ad labels ("Advertisement - Continue Reading Below").
AD_LABEL = re.compile(
    r"^[\s*·|–—-]*(advertisement|advertising|advert|ad|anzeige|werbung|publicidad|publicité|pubblicità|"
    r"reklama|sponsored( content)?|paid content|story continues below( advertisement)?|"
    r"continue reading( the main story)?( below)?|article continues below( advertisement)?)"
    r"(\s*[-–—:|]\s*(continue reading below|story continues below|content continues below))?"
    r"[\s*·|–—-]*$",
    re.I,
)
# Headings that open a box of teasers after or inside an article: the whole heading text, or
# (for "Latest From <site>" and the like) its start.
BOX_HEADING = re.compile(
    r"^((latest|more|most recent) (from|on|in)( \S+){1,4}|(latest|more) (stories|news)|"
    r"(related|recommended|popular|trending|top|more|similar|suggested)"
    r"( (stories|articles|posts|coverage|content|links|news|reading|videos|topics|now))?|"
    r"you (may|might) (also )?(like|enjoy)|read (more|next|also)|"
    r"most (read|popular|viewed|shared)( (in|on) \S+( \S+){0,2})?|"
    r"also read|see also|what to read next|further reading|don'?t miss|editor'?s picks|"
    r"tags|tagged( with)?|etiquetas|schlagwörter|palavras-chave|mots-clés|"
    r"mehr zum thema|lesen sie auch|lee también|lea también|"
    r"weitere (videos|nachrichten|meldungen|beiträge)|mehr videos|"
    r"(ähnliche|verwandte|empfohlene|beliebte) (beiträge|artikel|themen)|"
    r"zobacz (również|też|także)|czytaj (również|też|także)|polecane|siehe auch|"
    r"das könnte sie auch interessieren|más noticias|"
    r"te puede interesar|lire aussi|à lire aussi|leia também|leggi anche|veja também|"
    r"você (pode|também pode) gostar|leia mais|notícias relacionadas|artigos relacionados|"
    r"relacionad[oa]s|vous aimerez aussi|weitere artikel|"
    r"noticias relacionadas|te recomendamos|читайте также|смотрите также|похожие статьи|"
    r"самые популярные( \w+)?|популярное|другие новости|関連記事|相关文章|관련기사)"
    r"\s*[:.!»›>…]*\s*$",
    re.I,
)
# Headings that open an author's box (a photo, a name and a short biography): never the article.
AUTHOR_HEADING = re.compile(
    r"^((about|über|à propos de|a propos de|sobre|su|over) (the |den |die |l'|el |o |a |la |de )?"
    r"(authors?|autor(in|en|innen|:innen)?|auteure?|autore|autora|writer)|"
    r"(the )?authors?|autor(in|en|innen|:innen)?|zum autor|zur autorin|author bio(graphy)?)"
    r"\s*[:.»›>…]*\s*$",
    re.I,
)
# A biography holds at most this many characters of running text.
AUTHOR_BOX_PROSE = 1000
BOX_KIND = {"latest": "latest-from footer", "more": "latest-from footer"}
