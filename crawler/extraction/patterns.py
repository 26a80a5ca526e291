"""Generic extraction rules as data: tag sets, class/id token lists, XPath and text patterns.

Everything the stages match against lives here, named and precompiled once at import time, so a
rule can be read, tested and changed without reading the code that applies it. Site profiles
(`ExtractionRules`) add to these; they never replace them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lxml import etree

# --- tags ---------------------------------------------------------------------------------------

# Removed with their content before anything else: never article text.
JUNK_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "button",
    "input",
    "select",
    "textarea",
    "option",
    "label",
    "dialog",
    "head",
    "link",
    "meta",
)
# Page furniture by semantics (HTML5 sectioning elements that are never the body).
FURNITURE_TAGS: tuple[str, ...] = ("nav", "aside", "footer", "menu", "header")

# Elements that end a paragraph in the plain-text body.
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "figure",
        "figcaption",
        "hr",
        "address",
        "details",
        "summary",
        "center",
        "fieldset",
        "body",
        "html",
    }
)
HEADING_TAGS: frozenset[str] = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# --- class / id tokens --------------------------------------------------------------------------
# A class or id is split into tokens on spaces, "-" and "_" and on camelCase humps
# ("shareButtons" -> "share", "buttons"); a rule matches a whole token, so "ad" matches
# "article-ad" but not "header" or "shadow".

BOILERPLATE_TOKENS: tuple[str, ...] = (
    # sharing, social
    "share",
    "sharing",
    "sharebar",
    "social",
    "socials",
    "sociallinks",
    "addthis",
    "sharethis",
    "shareaholic",
    "sharedaddy",
    "likes",
    # (not network names alone: "twitter-tweet" is an embedded tweet, part of the story)
    # navigation and page furniture
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "crumbs",
    "masthead",
    "footer",
    "sidebar",
    "aside",
    "rail",
    "skip",
    "pagination",
    "pager",
    "toolbar",
    "topbar",
    "dropdown",
    "modal",
    "popup",
    "overlay",
    "drawer",
    "offcanvas",
    # related, recommended, most read
    "related",
    "recommended",
    "recommendations",
    "mostread",
    "mostpopular",
    "popular",
    "trending",
    "outbrain",
    "taboola",
    "teaser",
    "teasers",
    "promo",
    "promos",
    "promotion",
    "more",
    "morestories",
    "readmore",
    "readnext",
    "upnext",
    "also",
    "alsoread",
    "relatedlinks",
    "nextarticle",
    "prevnext",
    # subscriptions, newsletters, paywalls, cookies
    "newsletter",
    "newsletters",
    "subscribe",
    "subscription",
    "signup",
    "sign",
    "optin",
    "meter",
    "regwall",
    "cta",  # a call to action: subscribe, donate, download the app
    "abonnement",  # French, German, Dutch: subscription
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "banner",
    # ads
    "ad",
    "ads",
    "adv",
    "advert",
    "adverts",
    "advertisement",
    "advertising",
    "adslot",
    "adunit",
    "dfp",
    "gpt",
    "sponsor",
    "sponsored",
    "sponsors",
    # comments, author boxes, tools
    "comment",
    "comments",
    "disqus",
    "discussion",
    "respond",
    "reply",
    "replies",
    "bio",
    "authorbio",
    "byline",
    "dateline",
    "meta",
    "print",
    "email",
    "mail",
    "tools",
    "actions",
    "utility",
    "reactions",
    "tags",
    "tag",
    "taglist",
    "keywords",
    "topics",
    "categories",
    # the same widgets named in the sites' languages (and plugins named for them)
    "recommendation",
    "suggested",
    "suggestions",
    "addtoany",
    "a2a",
    "shariff",
    "borlabs",
    "cmplz",
    "onetrust",
    "usercentrics",
    "didomi",
    "mc4wp",
    "teilen",
    "lesetipp",
    "lesetipps",
    "leseempfehlung",
    "leseempfehlungen",
    "empfehlung",
    "empfehlungen",
    "artikelempfehlung",
    "mehrzumthema",
    "weiterlesen",
    "verwandte",
    "kommentare",
    "werbung",
    "anzeige",
    "partage",
    "partager",
    "commentaires",
    "connexes",
    "publicite",
    "compartir",
    "relacionadas",
    "relacionados",
    "comentarios",
    "publicidad",
    "condividi",
    "correlati",
    "commenti",
    "pubblicita",
    "compartilhar",
    "compartilhe",
    "publicidade",
    "delen",
    "gerelateerd",
    "gerelateerde",
    "reacties",
    "advertentie",
    "paylas",
    "yorumlar",
    "reklam",
)

# Embedded posts and media quoted by the story (tweets, Instagram posts): content, even inside a
# "social-media-embed" box.
EMBED_TOKENS: frozenset[str] = frozenset(
    {"embed", "embedded", "tweet", "instagram", "tiktok", "oembed", "blockquote"}
)

# Captions and credits: not body text; the image stage reads them before cleaning drops them.
CAPTION_TOKENS: tuple[str, ...] = (
    "caption",
    "captions",
    "figcaption",
    "credit",
    "credits",
    "copyright",
    "photocredit",
    "imagecredit",
)

# A class/id with one of these tokens says "this is the article body".
CONTENT_TOKENS: tuple[str, ...] = (
    "article",
    "articlebody",
    "article-body",
    "articletext",
    "article-text",
    "article-content",
    "story",
    "storybody",
    "story-body",
    "story-content",
    "storytext",
    "body",
    "bodytext",
    "entry",
    "entry-content",
    "post",
    "post-content",
    "post-body",
    "postbody",
    "content",
    "main",
    "text",
    "rich-text",
    "richtext",
    "prose",
    "paywall-content",
)
# Stronger than `CONTENT_TOKENS`: usually on exactly the element holding the paragraphs.
BODY_CLASS_RE = re.compile(
    r"(?:^|\s)(?:article[-_]?body|articlebody|article[-_]?text|article[-_]?content|"
    r"story[-_]?body|story[-_]?text|story[-_]?content|entry[-_]?content|post[-_]?content|"
    r"post[-_]?body|body[-_]?text|article__body|article-body__content|c-article-body|"
    r"rich[-_]?text|content[-_]?body|text[-_]?body|field-name-body|td-post-content|"
    r"news[-_]?text|news[-_]?body|main[-_]?text|node-content|blog[-_]?post[-_]?content)"
    r"(?:$|[\s_-])",
    re.I,
)


def maybe_body_class(cls: str) -> bool:
    """Whether `cls` can match `BODY_CLASS_RE`, whose every alternative holds "body", "text" or
    "content" (and re.I matches those letters to nothing but their capitals): a quarter of the
    regex's cost, and most class values fail it."""
    low = cls.lower()
    return "body" in low or "text" in low or "content" in low


# Class names that describe the element's state or the page (WordPress adds "tag-<slug>",
# "category-<slug>", "has-<feature>" to the article and <body>): not a boilerplate signal.
IGNORED_CLASS_RE = re.compile(
    r"^(?:(?:has|with|no|is|tag|tags|category|format|status|type|postid|page-template|"
    r"single-format|theme|js|l|u)[-_]|post-\d+$)",
    re.I,
)
# Class/id tokens of boilerplate that may be longer than the article itself (comment threads).
LARGE_BOILERPLATE_TOKENS: frozenset[str] = frozenset(
    {
        "comment",
        "comments",
        "disqus",
        "discussion",
        "respond",
        "replies",
        "kommentare",
        "commentaires",
        "comentarios",
        "commenti",
        "reacties",
        "yorumlar",
    }
)

_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN_SPLIT = re.compile(r"[\s_\-:./]+")


def tokens_of(value: str) -> list[str]:
    """Split a class/id value into lower-case tokens (also on camelCase humps)."""
    return [t for t in _TOKEN_SPLIT.split(_HUMP.sub(" ", value).lower()) if t]


@lru_cache(maxsize=32768)
def name_tokens(name: str) -> tuple[str, ...]:
    """Tokens of one class name; none for a state/page class (`IGNORED_CLASS_RE`). Cached: class
    names repeat across elements and pages far more than whole class attributes do."""
    return () if IGNORED_CLASS_RE.match(name) else tuple(tokens_of(name))


def class_tokens(value: str) -> list[str]:
    """Tokens of a class attribute, skipping state/page classes (`IGNORED_CLASS_RE`)."""
    return [t for name in value.split() for t in name_tokens(name)]


def _token_set(words: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for w in words:
        out.add(w)
        out.add(w.replace("-", ""))
    return frozenset(out)


BOILERPLATE_TOKEN_SET = _token_set(BOILERPLATE_TOKENS)
CAPTION_TOKEN_SET = _token_set(CAPTION_TOKENS)
CONTENT_TOKEN_SET = _token_set(CONTENT_TOKENS)


def _trie_alt(phrases: Iterable[str]) -> str:
    """One regex alternation of `phrases`, a space matching any run of whitespace.

    Written as a trie ("lire(?:\\s+aussi)?" rather than "lire aussi|lire"), so that a search
    tries one branch per character where a flat alternation tries every phrase at every
    position: the searched furniture pattern costs 0.01 ms a block instead of 0.14, the class/id
    compounds 1.3 us a value instead of 10. A longer phrase is tried before its prefix.
    """
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for char in " ".join(phrase.split()):
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _trie_regex(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    if "" in node:  # a phrase ends here: what follows is optional
        return "(?:" + "|".join(branches) + ")?"
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


# Whole class/id values (joined, lower-cased, separators dropped) that are boilerplate even though
# no single token is ("author-box", "most-read", "related-content").
BOILERPLATE_COMPOUNDS: tuple[str, ...] = tuple(
    (
        r"authorbox|aboutauthor|authorinfo|authorcard|authordescription|authorsdescription|"
        r"authorprofile|authordetails|mostread|mostviewed|mostpopular|"
        r"relatedcontent|relatedarticle|relatedstor|relatedpost|relatedlink|relatedvideo|"
        r"readalso|alsoread|seealso|moreon|morefrom|recommended|sharebutton|sharetool|socialshare|"
        r"sociallink|socialmedia|shareicon|newslettersignup|adcontainer|adwrapper|adslot|adplaceholder|"
        r"advert|googlead|cookiebanner|cookienotice|commentsection|commentlist|printlink|emaillink|"
        r"breadcrumb|subscribebox|subscribeform|premiumbox|tagcloud|taglist|keywords|"
        r"topicslist|storytopics|articletags|posttags|entrytags|entrymeta|postmeta|articlemeta|"
        r"nextprev|prevnext|postnav|articlenav|skiplink|jumpto|tableofcontents|inlinepromo|"
        r"inlinerelated|visuallyhidden|sronly|screenreader|printonly|onlyprint|"
        # German, French, Spanish, Italian, Portuguese, Dutch, Turkish compounds
        r"lesetipp|leseempfehlung|artikelempfehlung|mehrzumthema|weiterlesen|weiterfuehrend|"
        r"teaserbox|teaserlist|teaserleiste|verwandteartikel|aehnlicheartikel|"
        r"lireaussi|alireaussi|articlesconnexes|articlessimilaires|surlememesujet|"
        r"leetambien|noticiasrelacionadas|articulosrelacionados|notasrelacionadas|relacionad|"
        r"leggianche|articolicorrelati|notiziecorrelate|correlat|"
        r"leiatambem|vejatambem|materiasrelacionadas|"
        r"leesook|gerelateerd|ilgilihaber|benzerhaber|"
        r"socialbar|sharebar|sharebox|shareblock|socialicons|"
        # tagDiv's Newspaper theme (thousands of WordPress news sites) names its ad slots
        # "td-a-rec" and "td-g-rec"; a slot can hold a house appeal as well as an ad
        r"tdarec|tdgrec"
    ).split("|")
)
BOILERPLATE_COMPOUND_RE = re.compile(_trie_alt(BOILERPLATE_COMPOUNDS))

# --- XPath --------------------------------------------------------------------------------------

# The attributes that can hide an element from readers (and so make it no article text):
# hidden, aria-hidden="true", a style with display:none or visibility:hidden (`cleaning.hidden`).
# Selecting the attributes and judging them in Python costs less than half of the
# "//*[@hidden or ... contains(translate(@style ...))]" predicate run on every element.
XP_HIDING_ATTRS = etree.XPath("//@hidden | //@aria-hidden | //@style")
# Elements with a class or id below one element (an absolute "//" path would search the whole
# document).
XP_CLASSED_BELOW = etree.XPath(".//*[@class or @id]")
# ARIA roles of page furniture (the whole attribute value); found among the classed elements.
FURNITURE_ROLES: frozenset[str] = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog",
     "menu", "menubar", "toolbar"}
)  # fmt: skip
# The schema.org article body, when the page marks it (the whole itemprop value).
BODY_ITEMPROPS: frozenset[str] = frozenset({"articleBody", "reviewBody", "text"})
# Line-number gutters of code listings (Pygments' "linenos", Octopress's "gutter" and
# "line-number", Rouge's "rouge-gutter", GitHub's "blob-num", highlight.js's "hljs-ln-numbers"):
# the classes that may mark one, then the text that proves it (only digits).
XP_LINE_NUMBER_CANDIDATES = etree.XPath(
    ".//*[@class][contains(@class, 'gutter') or contains(@class, 'line-num') "
    "or contains(@class, 'lineno') or contains(@class, 'blob-num') "
    "or contains(@class, 'ln-num')]"
)
LINE_NUMBERS_RE = re.compile(r"[\s\d]*\d[\s\d]*")
# Paragraphs the content detector scores (a <blockquote>'s own <p>s score, not the quote).
XP_SCORED = etree.XPath("//p | //pre")
# Prose outside <p>: text nodes of some length not inside a paragraph or a link (pages that
# write <div>text<br>text</div>, <td><font>text</font></td>, <div><span>text</span></div>).
XP_LOOSE_TEXT = etree.XPath(
    "descendant::text()[string-length(normalize-space()) > 60]"
    "[not(ancestor::p or ancestor::pre or ancestor::a or ancestor::h1 or "
    "ancestor::h2 or ancestor::h3 or ancestor::blockquote)]",
    smart_strings=True,
)
# Inline elements: loose text belongs to the nearest enclosing element that is not one of these.
INLINE_TAGS: frozenset[str] = frozenset(
    {
        "span",
        "font",
        "b",
        "i",
        "em",
        "strong",
        "u",
        "small",
        "big",
        "sup",
        "sub",
        "abbr",
        "cite",
        "code",
        "mark",
        "q",
        "s",
        "time",
        "bdi",
        "bdo",
        "dfn",
        "kbd",
        "nobr",
        "tt",
    }
)
XP_LINKS = etree.XPath(".//a")
XP_FIGURES = etree.XPath(".//figure | .//*[contains(@class, 'wp-caption')]")
XP_IMAGES = etree.XPath(".//img")

# --- boilerplate phrases in the languages of the crawled sites ----------------------------------
# The same widgets speak every language: "read also" promos, related-story and share headings,
# comment, newsletter, cookie, paywall and copyright lines. Written here as plain lower-case
# phrases per language (a space stands for any run of whitespace); `_phrase_alt` turns a group
# into one alternation, compiled into the text patterns below. English is in those patterns.

# "Read also": a promo however it goes on. A line that starts with one of these and ends within
# `PROMO_TAIL` characters is a promo even without a separator ("Читайте также Title").
READ_ALSO_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("read also", "also read", "see also", "read more", "read next"),
    "de": (
        "lesen sie auch", "lesen sie mehr", "lesen sie hier", "lies auch", "lies mehr",
        "siehe auch", "lesetipp", "lesetipps", "leseempfehlung", "hier weiterlesen",
    ),
    "fr": (
        "à lire aussi", "a lire aussi", "lire aussi", "à lire également", "lire également",
        "voir aussi", "à voir aussi", "lire la suite",
    ),
    "es": ("lee también", "lea también", "leer también", "ver también", "lee más", "lea más"),
    "it": ("leggi anche", "leggi pure", "vedi anche", "leggi di più"),
    "pt": ("leia também", "leia mais", "veja também", "veja mais", "ler também"),
    "nl": ("lees ook", "lees meer", "zie ook"),
    "tr": ("ayrıca okuyun", "ayrıca bakınız", "ayrıca bkz", "bunu da okuyun", "şunu da okuyun"),
    "ru": ("читайте также", "читайте еще", "читайте ещё", "смотрите также", "см. также"),
    "ar": (
        "اقرأ أيضا", "اقرأ أيضاً", "اقرأ أيضًا", "اقرأ ايضا", "إقرأ أيضا", "إقرأ أيضاً", "اقرا ايضا",
        "اقرأ المزيد", "شاهد أيضا", "شاهد أيضاً", "طالع أيضا", "طالع أيضاً",
    ),
    "fa": ("بیشتر بخوانید", "بیش‌تر بخوانید", "بخوانید", "همچنین بخوانید", "این را هم بخوانید"),
    # Nordic, Polish, Czech, Greek
    "nordic": ("läs också", "läs även", "les også", "læs også", "lue myös", "lue lisää"),
    "pl": ("czytaj też", "czytaj także", "czytaj również", "zobacz też", "zobacz także"),
    "cs": ("čtěte také", "přečtěte si také", "čtěte též"),
    "el": ("διαβάστε επίσης", "διαβάστε ακόμη"),
}  # fmt: skip
PROMO_TAIL = 150

# Titles of related/recommended boxes: boilerplate as a whole line or before a separator
# ("Mehr zum Thema: ..."), not as the start of any short sentence ("Mehr zum Thema sagte ...").
RELATED_PHRASES: dict[str, tuple[str, ...]] = {
    "de": (
        "mehr zum thema", "mehr dazu", "mehr zu diesem thema", "mehr", "zum thema",
        "passend zum thema", "passend dazu", "dazu passend", "auch interessant",
        "ebenfalls interessant", "das könnte sie auch interessieren",
        "das könnte sie interessieren", "das interessiert sie vielleicht auch",
        "weitere artikel", "weitere beiträge", "weitere meldungen", "weitere nachrichten",
        "weitere themen", "verwandte artikel", "verwandte themen", "ähnliche artikel",
        "ähnliche beiträge", "ähnliche themen", "empfohlene artikel", "unsere empfehlung",
        "unsere empfehlungen", "empfehlungen der redaktion", "meistgelesen",
        "meistgelesene artikel", "top-artikel", "weiterlesen", "zum artikel",
        "unsere highlights", "das könnte sie auch interessieren",
    ),
    "fr": (
        "sur le même sujet", "sur le meme sujet", "à voir également", "articles similaires",
        "articles liés", "articles connexes", "dans la même rubrique", "pour aller plus loin",
        "les plus lus", "nos recommandations", "vous aimerez aussi", "à découvrir", "à lire",
        "en savoir plus",
    ),
    "es": (
        "te puede interesar", "también te puede interesar", "le puede interesar",
        "te podría interesar", "noticias relacionadas", "artículos relacionados",
        "notas relacionadas", "temas relacionados", "más información", "lo más leído",
        "más noticias", "relacionado", "relacionados", "relacionadas", "mira también",
        "te recomendamos", "recomendados",
    ),
    "it": (
        "articoli correlati", "notizie correlate", "potrebbe interessarti",
        "ti potrebbe interessare", "potrebbe interessarti anche", "i più letti",
        "più letti", "altre notizie", "correlati",
    ),
    "pt": (
        "notícias relacionadas", "matérias relacionadas", "artigos relacionados",
        "você pode gostar", "você também pode gostar", "mais lidas", "mais notícias",
        "saiba mais",
    ),
    "nl": (
        "gerelateerde artikelen", "gerelateerd", "meer over dit onderwerp", "meer nieuws",
        "meest gelezen", "ook interessant", "lees verder",
    ),
    "tr": ("ilgili haberler", "benzer haberler", "ilginizi çekebilir", "en çok okunanlar"),
    "ru": ("по теме", "ещё по теме", "еще по теме", "похожие статьи", "похожие новости",
           "самое читаемое", "популярное", "новости партнеров"),
    "ar": ("مقالات ذات صلة", "أخبار ذات صلة", "مواضيع ذات صلة", "اخبار ذات صلة", "الأكثر قراءة",
           "اقرأ المزيد"),
    "fa": ("مطالب مرتبط", "اخبار مرتبط", "مطالب پیشنهادی", "پربازدیدترین‌ها", "پربازدیدترین ها"),
}  # fmt: skip

# Tag and category lists, and the author box's heading ("Schlagwörter: ...", "Über den Autor").
LABEL_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("about the author", "this post is also available in"),
    "de": ("schlagwörter", "schlagworte", "stichwörter", "kategorien", "kategorie", "themen",
           "über den autor", "über die autorin", "zur person", "dieser beitrag ist auch verfügbar"),
    "fr": ("mots-clés", "mots clés", "catégories", "à propos de l'auteur", "sur l'auteur"),
    "es": ("etiquetas", "temas", "categorías", "sobre el autor", "acerca del autor"),
    "it": ("argomenti", "categorie", "l'autore", "sull'autore"),
    "pt": ("categorias", "sobre o autor"),
    "nl": ("trefwoorden", "onderwerpen", "over de auteur"),
    "tr": ("etiketler", "yazar hakkında"),
    "ru": ("теги", "метки", "рубрики", "об авторе"),
    "ar": ("الوسوم", "كلمات مفتاحية", "عن الكاتب"),
    "fa": ("برچسب‌ها", "برچسب ها", "کلیدواژه‌ها", "درباره نویسنده"),
}  # fmt: skip

# Share, print, comment and follow widgets: boilerplate as a whole line.
WIDGET_PHRASES: dict[str, tuple[str, ...]] = {
    "de": (
        "teilen", "artikel teilen", "diesen artikel teilen", "beitrag teilen", "jetzt teilen",
        "auf facebook teilen", "auf twitter teilen", "per whatsapp teilen", "drucken",
        "artikel drucken", "per e-mail", "per mail", "e-mail senden", "versenden",
        "kommentare", "kommentieren", "kommentar schreiben", "kommentar verfassen",
        "zu den kommentaren", "folgen sie uns", "zur startseite", "nach oben", "zurück",
        "mehr anzeigen", "alle anzeigen", "foto", "fotos", "bild", "bilder", "vorlesen",
        "artikel anhören", "merken", "artikel merken", "schließen", "newsletter abonnieren",
    ),
    "fr": (
        "partager", "partager l'article", "partager cet article", "partager sur facebook",
        "partager sur twitter", "imprimer", "commentaires", "commenter", "réagir",
        "suivez-nous", "retour en haut", "fermer", "envoyer par e-mail", "envoyer",
    ),
    "es": (
        "compartir", "compartir en facebook", "compartir en twitter", "compartir en whatsapp",
        "imprimir", "comentarios", "comentar", "síguenos", "cerrar", "enviar por correo",
    ),
    "it": ("condividi", "condividi su facebook", "condividi su twitter", "stampa", "commenti",
           "commenta", "seguici", "chiudi"),
    "pt": ("compartilhar", "compartilhe", "partilhar", "partilhe", "imprimir", "comentários",
           "comentar", "siga-nos", "fechar"),
    "nl": ("delen", "deel dit artikel", "printen", "afdrukken", "reacties", "reageer", "sluiten",
           "volg ons"),
    "tr": ("paylaş", "paylas", "yazdır", "yorumlar", "yorum yap", "bizi takip edin", "kapat"),
    "ru": ("поделиться", "распечатать", "комментарии", "комментировать", "подписывайтесь",
           "закрыть"),
    "ar": ("شارك", "مشاركة", "طباعة", "التعليقات", "تعليقات", "أضف تعليق", "تابعونا", "إغلاق"),
    "fa": ("اشتراک گذاری", "اشتراک‌گذاری", "چاپ", "نظرات", "ارسال نظر", "ما را دنبال کنید"),
    "other": ("kommentarer", "komentarze", "kommentit", "komentáře", "σχόλια"),
    # "Advertisement" in more languages (the main list is in BOILERPLATE_BLOCK_RE)
    "ads": ("anúncio", "annonce", "annons", "reklama", "mainos", "διαφήμιση"),
}  # fmt: skip

# A short block that starts like this is an invitation, not a sentence of the story.
INVITATION_PHRASES: dict[str, tuple[str, ...]] = {
    "de": (
        "abonnieren sie", "jetzt abonnieren", "melden sie sich", "jetzt anmelden",
        "newsletter abonnieren", "zum newsletter", "folgen sie uns", "folgen sie",
        "jetzt herunterladen", "hier klicken", "klicken sie hier", "jetzt weiterlesen",
        "weiterlesen mit", "jetzt testen", "jetzt lesen",
    ),
    "fr": ("abonnez-vous", "inscrivez-vous", "suivez-nous", "cliquez ici"),
    "es": ("suscríbete", "suscríbase", "regístrate", "síguenos", "haz clic aquí"),
    "it": ("iscriviti", "abbonati alla", "seguici", "clicca qui"),
    "pt": ("assine", "inscreva-se", "cadastre-se", "siga-nos", "clique aqui"),
    "nl": ("abonneer", "schrijf je in", "meld je aan", "volg ons", "klik hier"),
    "tr": ("abone ol", "bizi takip edin", "takip edin", "tıklayın", "buraya tıklayın"),
    "ru": ("подписывайтесь", "подпишитесь", "следите за", "нажмите"),
    "ar": ("تابعونا", "اشترك في", "اشترك الآن", "لمتابعة", "اضغط هنا"),
    "fa": ("عضو شوید", "ما را دنبال کنید", "کلیک کنید"),
}  # fmt: skip

# Page furniture anywhere in a short block: cookie and consent banners, newsletter and paywall
# prompts, closed comment threads, reader-funding appeals, a site's rights notice.
FURNITURE_PHRASES: dict[str, tuple[str, ...]] = {
    # (not English "All rights reserved": a wire story's "© 2019 Associated Press. All Rights
    # Reserved." is part of its text, as the Zyte set's truth has it)
    "en": ("comments are closed",),
    "de": (
        "verwendet cookies", "verwenden cookies", "nutzt cookies", "nutzen cookies",
        "cookies akzeptieren", "cookie-einstellungen",
        "newsletter abonnieren", "zum newsletter anmelden", "für den newsletter anmelden",
        "kommentarfunktion ist geschlossen", "kommentare sind geschlossen",
        "kommentare geschlossen", "nur für abonnenten", "alle angaben ohne gewähr",
        "weiter nach der anzeige", "artikel wird unter der anzeige fortgesetzt",
        "lesen sie nach der anzeige weiter", "diskutieren sie mit",
        "exklusiv für abonnenten", "lesen sie jetzt weiter", "um weiterzulesen",
        "unterstützen sie unseren journalismus", "alle rechte vorbehalten",
        "artikel teilen", "diesen artikel teilen", "sind affiliate-links",
        "erhalten wir eine provision", "erhalten wir ggf. eine provision",
    ),
    "fr": (
        "utilise des cookies", "utilisons des cookies", "accepter les cookies",
        "réservé aux abonnés", "reserve aux abonnes", "abonnez-vous à notre newsletter",
        "inscrivez-vous à notre newsletter", "les commentaires sont fermés",
        "tous droits réservés", "partager cet article", "la suite après la publicité",
        "la suite après cette publicité", "article réservé aux abonnés",
        "contient des liens affiliés", "liens d'affiliation",
    ),
    "es": (
        "utiliza cookies", "utilizamos cookies", "usamos cookies", "aceptar cookies",
        "exclusivo para suscriptores", "suscríbete a nuestro", "suscríbete a nuestra",
        "todos los derechos reservados", "comentarios cerrados", "sigue leyendo después",
        "la noticia continúa", "enlaces de afiliados", "enlaces de afiliado",
    ),
    "it": (
        "utilizza cookie", "utilizza i cookie", "utilizziamo cookie", "utilizziamo i cookie",
        "riservato agli abbonati", "iscriviti alla newsletter", "iscriviti alla nostra newsletter",
        "tutti i diritti riservati", "i commenti sono chiusi", "link di affiliazione",
    ),
    "pt": (
        "utiliza cookies", "usa cookies", "utilizamos cookies", "exclusivo para assinantes",
        "assine a newsletter", "assine nossa newsletter", "todos os direitos reservados",
    ),
    "nl": ("gebruikt cookies", "gebruiken cookies", "alle rechten voorbehouden",
           "schrijf je in voor onze nieuwsbrief", "alleen voor abonnees"),
    "tr": ("çerez kullan", "çerezler kullan", "tüm hakları saklıdır", "abonelere özel"),
    "ru": ("использует cookie", "используем cookie", "используем файлы cookie",
           "все права защищены", "подпишитесь на нашу рассылку"),
    "ar": ("ملفات تعريف الارتباط", "جميع الحقوق محفوظة", "اشترك في النشرة"),
    "pl": ("dalsza część artykułu pod", "napisz do autora", "wszelkie prawa zastrzeżone",
           "masz newsa", "oceń jakość naszego artykułu"),
    "fa": ("کلیه حقوق", "تمامی حقوق", "استفاده از کوکی"),
}  # fmt: skip

# The heading of a comment thread, besides English's ("12 comments", "Leave a reply").
COMMENTS_HEADING_PHRASES: dict[str, tuple[str, ...]] = {
    "de": ("kommentare", "leserkommentare", "kommentar schreiben", "kommentar verfassen",
           "schreiben sie einen kommentar", "hinterlasse einen kommentar", "diskussion"),
    "fr": ("commentaires", "laisser un commentaire", "laissez un commentaire", "réactions"),
    "es": ("comentarios", "deja un comentario", "deja tu comentario", "dejar un comentario"),
    "it": ("commenti", "lascia un commento", "lascia un commento"),
    "pt": ("comentários", "deixe um comentário", "deixe seu comentário"),
    "nl": ("reacties", "laat een reactie achter", "plaats een reactie"),
    "tr": ("yorumlar", "yorum yap", "yorum yazın"),
    "ru": ("комментарии", "оставить комментарий", "добавить комментарий"),
    "ar": ("التعليقات", "اترك تعليقا", "اترك تعليقاً", "أضف تعليقا"),
    "fa": ("نظرات", "ارسال نظر", "دیدگاه‌ها"),
    "other": ("kommentarer", "komentarze", "kommentit", "komentáře", "σχόλια"),
}  # fmt: skip


def _phrase_alt(*groups: dict[str, tuple[str, ...]]) -> str:
    """One regex of every phrase in `groups` (`_trie_alt`)."""
    return _trie_alt(phrase for group in groups for words in group.values() for phrase in words)


_READ_ALSO = _phrase_alt(READ_ALSO_PHRASES)
_RELATED = _phrase_alt(RELATED_PHRASES, LABEL_PHRASES)
_WIDGET = _phrase_alt(WIDGET_PHRASES)
_INVITATION = _phrase_alt(INVITATION_PHRASES)
_FURNITURE = _phrase_alt(FURNITURE_PHRASES)
_COMMENTS = _phrase_alt(COMMENTS_HEADING_PHRASES)
# After a phrase: not inside a longer word ("mehr" is not "mehrere"); Arabic phrases may end in
# a combining mark, which `\b` would not see as a word's end.
_END = r"(?!\w)"

# --- text patterns ------------------------------------------------------------------------------

# A whole block (paragraph, list item) with this text is boilerplate.
BOILERPLATE_BLOCK_RE = re.compile(
    r"^\W*(?:"
    r"advertisement|advertising|advertisement\s*-?\s*scroll to continue|ad|advert|sponsored|"
    r"tags?|tagged(?: with)?|topics|keywords|"
    # "Advertisement" in the languages of the sites we crawl
    r"anzeige|werbung|publicidad|publicité|pubblicità|publicidade|реклама|iklan|광고|広告|"
    r"advertentie|reklame|reklam|إعلان|تبلیغات|"
    r"share(?: this(?: article| story| post| page)?)?(?: on \w+)?|"
    r"share on (?:facebook|twitter|x|whatsapp|linkedin|telegram|email|reddit|pinterest)|"
    r"tweet|email|print|print this(?: article| page)?|e-?mail this(?: article| page)?|"
    r"like this|like loading\W*|loading\W*|"
    r"comments?|\d+ comments?|leave a (?:comment|reply)|"
    r"(?:read|see) (?:more|also)|related(?: articles| stories| content| news)?|more|"
    r"don'?t miss|must read|editor'?s picks?|"
    r"you (?:may|might) (?:also )?like(?: this)?|more stories|"
    r"close|caption|text size|"
    # a gallery's counter and links: "Image 1 of / 9", "Photo 2/9", "1 / 9", "Back to Gallery"
    # (not "24/15" alone: a table's figures)
    r"(?:(?:image|photo|picture|slide)\s+)?\d+\s*of\s*/?\s*\d+|"
    r"(?:image|photo|picture|slide)\s+\d+\s*/\s*\d+|\d+\s+/\s+\d+|back to (?:the )?gallery|"
    r"also read|more on this(?: story| topic)?|"
    r"follow us(?: on \w+)?|subscribe(?: now)?|sign up|newsletter|"
    r"(?:image|photo|picture|video)(?: credit)?s?|"
    r"skip to (?:main )?content|back to top|click here|continue reading|"
    r"(?:story|article|content) continues (?:below|after)(?: (?:this )?(?:advertisement|ad))?|"
    r"continue reading (?:below|the main story)|"
    r"this (?:article|story) (?:has been|was) (?:corrected|updated)|"
    # the same widgets in other languages
    rf"{_READ_ALSO}|{_RELATED}|{_WIDGET}|"
    # a photo credit on its own line: "© Jan Bechberger", "Foto: Kyrre Lien/Ritzau Scanpix"
    # (a name's initials may have dots: "Photo: Gene J. Puskar", "Photo: Ringo H.W. Chiu, AP")
    r"(?:©|\(c\)|(?:fotos?|bild(?:er|quelle)?|photos?|crédits? photo|zdjęcie|źródło zdjęcia)\s*:)"
    r"(?:[^.!?:]|(?<=\b[A-Z])\.){1,60}"
    r")\W*$",
    re.I,
)
# A short block that is only a date, or a publication/update line: page furniture, the dates
# themselves are metadata's.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?"
# Contact and production lines under a story: "Write to X at x@paper.com", "Reporting by ...;
# Editing by ...".
CONTACT_LINE_RE = re.compile(
    r"^\W*(?:(?i:write to|contact|e-?mail|reach|follow) [^.]{0,80}?\S+@\S+|"
    r"[^.]{0,120}\b(?i:may be reached at)\b|"
    r"(?i:reach|follow) (?i:the )?(?i:reporters?|writers?|authors?|him|her|them)\b"
    r"[^.]{0,40}(?i:twitter|@)|"
    r"[^.]{0,100}\b(?i:contributed to this (?:report|story|article))|"
    # names, then ";", "," "and", "in <City>" or the end: not "Reporting by the BBC found ..."
    r"(?i:(?:additional )?reporting|writing|editing|compiled) by "
    r"[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}(?:\s*(?:;|,|and\b|in [A-Z])|\W*$))"
)
# A byline on its own line: "By Jane Smith", "By Jane Smith and Ali Khan, Reuters".
BYLINE_RE = re.compile(
    # (a sentence ends with a full stop, a byline does not: "By Monday, the council agreed.")
    r"^(?!.*[.!?]\s*$)\W*(?i:by|von|par|por|di|door)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"(?:\s*(?:,|and|&|\||-|–|—)\s*[\w.'’, -]{0,60})?\W*$"
)
DATELINE_RE = re.compile(
    r"^\W*(?:(?:updated|published|posted|last updated|first published|publicado|publié|"
    r"veröffentlicht|aktualisiert|pubblicato|опубликовано)\b:?\s*"
    # (not a sentence: "Published in 1998, the novel sold a million copies." has three
    # lower-case words in a row, a dateline has dates, names and "on", "at", "by" between them)
    rf"(?:on|at|by|in|por|le|am|il|\d|{_MONTH}|{_WEEKDAY})"
    r"(?!.*(?-i:\b[a-z]+ [a-z]+ [a-z]+\b)).{0,100}|"
    rf"(?:\w+,? )?(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}}\.? {_MONTH},? \d{{4}}|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4})(?:(?:,| -)? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?"
    r"(?: \w{2,5})?)?)\W*$",
    re.I,
)
# A block that starts like this is an inline promo or widget text, whatever follows.
PROMO_PREFIX_RE = re.compile(
    r"^\W*(?:(?:read (?:more|also|next)|also read|see also|related|recommended|more from|"
    r"more on|watch|listen|you (?:may|might) (?:also )?like|don'?t miss|must read|"
    r"trending|popular|top stories|sign up for|subscribe to|get our|follow us|"
    r"tags?|tagged(?: with)?|topics|keywords|filed under|"
    rf"click here to|download (?:the|our) app|{_READ_ALSO}|{_RELATED})"
    rf"{_END}\s*(?:[:|\-–—>»…：]|\.\.)|"
    # "Lesen Sie auch Title", "Читайте также Title": a "read also" phrase and a short line
    rf"(?:{_READ_ALSO}){_END}(?=\s*$|\s.{{1,{PROMO_TAIL}}}$))",
    re.I,
)
# Imperative promos: a short block starting so is an invitation, not a sentence of the story.
PROMO_START_RE = re.compile(
    r"^\W*(?:subscribe to|sign up (?:for|to)|follow us on|download (?:the|our) app|"
    r"click here (?:to|for)|listen to [^.]{0,40} live|get (?:our|the) [\w ]{0,30}newsletter|"
    rf"{_INVITATION}){_END}",
    re.I,
)
# Lines of page furniture anywhere in the text ("alternate addresses" footers, share prompts,
# app-store links): the English lines (lower case), then the phrases of `FURNITURE_PHRASES`.
_FURNITURE_LINES = (
    r"can also be accessed at the following alternate address|"
    r"share this article|share this story|share on facebook|share on twitter|"
    # (not copyright lines: a wire story's "© 2019 Associated Press" belongs to its text)
    r"share (?:it|this) with (?:a|your) friends?|"
    # reader-funding appeals
    r"support (?:independent|quality|our) journalism|made possible by (?:our )?readers|"
    r"(?:donate|contribute) (?:now|today)|become a (?:member|supporter|patron)|"
    r"we use cookies|(?:site|website) uses cookies|cookie policy|accept (?:all )?cookies|"
    r"agree to (?:the|our) use of cookies|"
    r"(?:this slideshow|javascript) (?:requires|is required)|please enable javascript|"
    r"sign up (?:for|to) (?:our|the) [\w ]*newsletter|subscribe to (?:our|the) [\w ]*newsletter|"
    r"get the app|download (?:the|our) (?:[\w-]+ ){0,3}app|turn on (?:push )?notifications|"
    r"like us on facebook|follow us on (?:twitter|facebook|instagram|google news|whatsapp)|"
    # affiliate disclosures
    r"(?:contains|are|include) affiliate links|"
    r"we (?:may )?(?:earn|receive|get) (?:a (?:small )?|an affiliate )?commission|"
    r"(?:facebook|twitter|instagram|youtube|telegram|roku|tiktok)\s*(?:\||·)"
)
_FURNITURE_PHRASE = rf"(?<!\w)(?:{_FURNITURE}){_END}"
FURNITURE_TEXT_RE = re.compile(f"{_FURNITURE_LINES}|{_FURNITURE_PHRASE}", re.I)
# The same search in two parts, as `serialise.furniture_text` runs it: the English lines
# case-sensitive on the lower-cased text (4x quicker than re.I, which tries every line at every
# position).
# The phrases too run case-sensitive on the lower-cased text (twice as quick as re.I).
FURNITURE_LINES_LOWER_RE = re.compile(_FURNITURE_LINES)
FURNITURE_PHRASE_LOWER_RE = re.compile(_FURNITURE_PHRASE)
# Every English line above holds one of these words: a text with none of them (nine blocks in
# ten) skips the lines' regex. A new line needs its word here (tests/extraction/test_patterns).
FURNITURE_LINE_KEYS: tuple[str, ...] = (
    "alternate address", "share", "journalism", "readers", "donate", "contribute", "become a",
    "cookie", "slideshow", "javascript", "newsletter", " app", "notifications", "facebook",
    "follow us on", "affiliate", "commission", "twitter", "instagram", "youtube", "telegram",
    "roku", "tiktok",
)  # fmt: skip
# Characters that re.I matches to a letter of the lines or phrases but str.lower() does not turn
# into it: dotless ı and long ſ (i, s), İ (lower-cased to two characters), Greek sigma (Σ and
# final ς both match σ under re.I). The Kelvin sign lower-cases to k as re.I matches it. Text
# with one of them takes FURNITURE_TEXT_RE.
CASE_FOLD_EXCEPTIONS = frozenset("ıİſΣς")

# A figure caption's photo credit: "(AFP Photo)", "©AFP", "Photo: Reuters", "Credit: AP".
CREDIT_RES: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\s*\(((?:[\w.&/' -]{1,40} )?(?:photo|file photo|image|picture|via [\w ]+)"
        r"(?: ?/ ?[\w.&' -]{1,40})?)\)\s*$",
        re.I,
    ),
    re.compile(
        r"\s*\((?:photo|image|picture|credit|source)s?\s*(?:by|:)\s*([^)]{1,60})\)\s*$", re.I
    ),
    re.compile(r"\s*(?:©|\(c\)|copyright)\s*([^©]{1,60}?)\s*$", re.I),
    re.compile(
        r"\s*(?:photo(?:graph)?|image|picture|illustration|credit|source|foto|bild)s?\s*(?:by|:)"
        r"\s*([^:]{1,60}?)\s*$",
        re.I,
    ),
    re.compile(r"\s*\|\s*([\w.&/' -]{1,40}(?:/(?:AFP|AP|Reuters|Getty Images?|EPA))?)\s*$", re.I),
    # "(NASA/JPL-Caltech/ASU)", "(Reuters)", "(Getty Images)": a trailing agency in brackets
    re.compile(r"\s*\(([A-Z][\w.&' -]{0,40}(?:/[\w.&' -]{1,40})+)\)\s*$"),
    re.compile(
        r"\s*\(((?:AFP|AP|Reuters|Getty Images?|EPA|Xinhua|Anadolu|Shutterstock|Alamy|IRNA|"
        r"dpa|ANSA|PA|Bloomberg|NASA|ESA)(?:[\w.&' -]{0,30}))\)\s*$"
    ),
)

# The heading of a comment thread: "12 responses", "3 thoughts on ...", "Leave a reply".
COMMENTS_HEADING_RE = re.compile(
    r"^\W*(?:\d+\s+(?:comments?|responses?|replies|reactions|thoughts on)|"
    r"(?:leave a|post a|add a) (?:comment|reply)|comments?|reader comments|join the discussion|"
    # a thread's own sort order: "Top Rated Comments", "Latest comments", "Most liked comments"
    r"(?:top|best|most|latest|newest|recent|featured|popular)(?:[ -](?:rated|liked|voted|"
    r"popular|recent))? comments|"
    r"what do you think\??|discussion)\b|"
    # in other languages the heading alone ("Kommentare", "Commentaires (12)"), or a count
    rf"(?:{_COMMENTS}){_END}\s*(?:\(\d+\)|\d+)?\W*$|"
    r"\d+\s+(?:kommentare?|commentaires?|comentarios?|commenti|comentários?|reacties|yorum|"
    r"комментари\w*|تعليق\w*|نظر)\b",
    re.I,
)
# The title a related/recommended box opens with, alone on its line ("Lesen Sie auch",
# "Mehr zum Thema", "Articoli correlati", "Related stories"): the box is that widget.
PROMO_TITLE_RE = re.compile(
    r"^\W*(?:related(?: articles| stories| content| news| coverage)?|read (?:more|also|next)|"
    r"also read|see also|more on this(?: story| topic)?|you (?:may|might) (?:also )?like|"
    r"more stories|recommended(?: for you)?|editor'?s picks?|most read|don'?t miss|"
    rf"{_READ_ALSO}|{_RELATED}){_END}\W*$",
    re.I,
)
# Headings that are links (teaser lists) and prose paragraphs, counted below an element.
XP_LINK_HEADINGS = etree.XPath("count(.//*[self::h2 or self::h3 or self::h4][.//a[@href]])")
XP_PROSE_PARAGRAPHS = etree.XPath("count(.//p[string-length(normalize-space()) > 25])")

# Page-kind text signals.
SOFT_404_RE = re.compile(
    r"\b(?:page (?:you (?:are|were) looking for|not found|cannot be found|could not be found|"
    r"doesn'?t exist|does not exist|is no longer available|has (?:been )?(?:moved|removed))|"
    r"404 (?:error|not found)|error 404|not found|we can'?t find (?:the|that) page|"
    r"oops|nothing (?:was )?found|no results? found|access denied|service unavailable|"
    r"internal server error|bad gateway|forbidden)\b",
    re.I,
)
# A live blog says so in its title or URL, in the language of the page.
LIVE_BLOG_RE = re.compile(
    r"\blive(?:[-_ ]?(?:blog|updates?|coverage|stream|ticker))\b|\blive:|"
    r"\b(?:news|ticker|minuto)[-_ ]?(?:blog|ticker|a[-_ ]minuto)\b|\bliveticker\b|"
    r"\b(?:en|em) (?:direct|directo|direto|vivo)\b|\b(?:in diretta|ao vivo|ao minuto)\b|"
    r"/(?:live|liveblog|live-blog|liveticker|ticker|en-direct|direct|en-vivo|en-directo|"
    r"diretta|ao-vivo|canli)/|"
    r"\bcanlı (?:yayın|anlatım|blog)|прямая трансляция|онлайн-трансляция|بث مباشر|"
    r"تغطية مباشرة|لحظة بلحظة|پخش زنده",
    re.I,
)
# A line of a live blog's body that is only an entry's time: "09:02", "9:17 am", "14h35",
# "14.35 Uhr" (not a price or a share: "12.99", "-5.44%").
LIVE_TIME_LINE_RE = re.compile(
    r"^(?:[01]?\d|2[0-3])(?::[0-5]\d(?:\s?[ap]\.?m\.?|\s?uhr|\s?h)?|h[0-5]\d|\.[0-5]\d\s?uhr)$",
    re.I,
)
# So many entry times, and that share of the body's paragraphs, make a live-blog shape.
LIVE_MIN_TIME_LINES = 3
LIVE_MIN_TIME_SHARE = 0.15
# A live blog with fewer words is a stub (the page before the updates, or a shell the page's
# script fills): no article. With more, its entries are the story and it stays one.
LIVE_STUB_MAX_WORDS = 300

# A gallery says so in its URL, title or schema type ...
GALLERY_URL_RE = re.compile(
    r"/(?:galler(?:y|ies)|galerie|galerien|bildergalerie|fotogalerie|fotostrecke|bilderstrecke|"
    r"photos?|fotos?|pictures|in-pictures|in-photos|slideshows?|diaporama|galeria|galleria|"
    r"fotogaleria|fotogallery|album|fotograflar|fotogalereya|фото|صور)(?:/|[-_.]|$)",
    re.I,
)
# (not "photos" or "gallery" alone: "Looking stunning in new photos", "National Gallery")
GALLERY_TITLE_RE = re.compile(
    r"\b(?:in pictures|in photos|(?:photo|picture|image) gallery|slideshow|bildergalerie|"
    r"fotogalerie|fotostrecke|bilderstrecke|in bildern|galerie photos?|en images|en photos|"
    r"diaporama|en fotos|en imágenes|galería de (?:fotos|imágenes)|fotogalería|in foto|"
    r"in immagini|fotogallery|galleria fotografica|em fotos|em imagens|galeria de fotos|"
    r"fotogaleria|in beeld|fotoğraflarla|foto galeri|фотогалерея|в фотографиях|фоторепортаж)\b|"
    r"بالصور|گزارش تصویری",
    re.I,
)
GALLERY_SCHEMA_TYPES: frozenset[str] = frozenset({"ImageGallery", "MediaGallery"})
# ... or is mostly pictures: at least this many captioned figures (thumbnails of related
# stories have no caption), fewer words of text per figure than this (the captions are the
# images' metadata, not body text).
GALLERY_MIN_IMAGES = 5
GALLERY_MAX_WORDS_PER_IMAGE = 30
# A page that claims to be a gallery and has fewer words than this is one.
GALLERY_CLAIM_MAX_WORDS = 300
# The score a page kind that is never an article is held to (live-blog stubs, galleries).
NOT_ARTICLE_CAP = 0.3
NON_ARTICLE_OG_TYPES: frozenset[str] = frozenset(
    {
        "website",
        "video",
        "video.other",
        "video.movie",
        "video.episode",
        "video.tv_show",
        "profile",
        "book",
        "music.song",
        "music.album",
        "product",
        "place",
        "business.business",
    }
)
ARTICLE_OG_TYPES: frozenset[str] = frozenset({"article", "news", "blog", "newsarticle"})
ARTICLE_SCHEMA_TYPES: frozenset[str] = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "SatiricalArticle",
        "AdvertiserContentArticle",
        "Review",
    }
)
NON_ARTICLE_SCHEMA_TYPES: frozenset[str] = frozenset(
    {
        "CollectionPage",
        "ProfilePage",
        "SearchResultsPage",
        "VideoObject",
        "LiveBlogPosting",
        "ItemList",
        "AboutPage",
        "ContactPage",
        "ImageGallery",
        "MediaGallery",
    }
)
# URL paths of listing pages: section fronts, tag and author pages, search, video hubs, print.
NON_ARTICLE_URL_RE = re.compile(
    r"/(?:tags?|topics?|authors?|category|categories|section|sections|search|archive|video|videos|"
    r"watch|live|print|amp/print)(?:/|$|\?)|[?&](?:print|output)=(?:1|true|print)|/page/\d+/?$",
    re.I,
)
# URL paths shaped like a story: a date, a long slug, a long numeric id.
ARTICLE_URL_RE = re.compile(
    r"/(?:19|20)\d{2}/\d{1,2}/|/(?:19|20)\d{2}-?\d{2}-?\d{2}[/-]|"
    r"/[^/]*[a-z0-9]+(?:[-_][a-z0-9]+){3,}[^/]*/?$|\d{6,}",
    re.I,
)
PRINT_URL_RE = re.compile(
    r"(?:/print/|[?&]print=|[?&]output=print|/printer[-_]?friendly|"
    r"/print\.(?:html?|php|aspx?)|[?&]view=print)",
    re.I,
)

# --- not text: binary or undecodable bodies -----------------------------------------------------
# Bytes that are not text (an image, an archive, random bytes) served as text/html still decode
# to *something* (windows-1252 maps almost every byte to a character) and can then pass as a
# long "article" of mojibake. Prose never looks like that: measured on the 690 pages of
# ../shared/bench (Zyte set, htmldate-eval, readability test pages), the bodies of real articles
# have at most 0.14% control characters, 0.9% U+FFFD (one htmldate page with a few broken bytes)
# and 6.2% symbols (a table of contents), and at least 57% letters; random bytes decoded as
# windows-1252 give 2.2% U+FFFD, 15% symbols and 57% letters. So the letter share alone cannot
# tell them apart, the share of characters no prose is made of can. Shares are of the non-space
# characters of a sample of the body (NOT_TEXT_SAMPLE characters, spread over the text).
NOT_TEXT_MAX_CONTROL_SHARE = 0.01  # C0/C1 controls but tab, LF, CR: never in text
NOT_TEXT_MAX_REPLACEMENT_SHARE = 0.02  # U+FFFD: bytes the chosen encoding could not decode
NOT_TEXT_MAX_JUNK_SHARE = 0.10  # controls + U+FFFD + symbols (Unicode S*): 1.6x the worst article
NOT_TEXT_MIN_LETTER_SHARE = 0.35  # letters and combining marks: digits and signs are no prose
NOT_TEXT_SAMPLE = 2048  # characters looked at: the check costs the same (~0.15 ms) on any page
NOT_TEXT_MIN_CHARS = 100  # fewer non-space characters are too few to judge: other signals decide
