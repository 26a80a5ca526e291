"""Generic extraction rules as data: tag sets, class/id token lists, XPath and text patterns.

Everything the stages match against lives here, named and precompiled once at import time, so a
rule can be read, tested and changed without reading the code that applies it. Site profiles
(`ExtractionRules`) add to these; they never replace them.
"""

from __future__ import annotations

import re

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
    }
)

_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN_SPLIT = re.compile(r"[\s_\-:./]+")


def tokens_of(value: str) -> list[str]:
    """Split a class/id value into lower-case tokens (also on camelCase humps)."""
    return [t for t in _TOKEN_SPLIT.split(_HUMP.sub(" ", value).lower()) if t]


def class_tokens(value: str) -> list[str]:
    """Tokens of a class attribute, skipping state/page classes (`IGNORED_CLASS_RE`)."""
    return [
        t for name in value.split() if not IGNORED_CLASS_RE.match(name) for t in tokens_of(name)
    ]


def _token_set(words: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for w in words:
        out.add(w)
        out.add(w.replace("-", ""))
    return frozenset(out)


BOILERPLATE_TOKEN_SET = _token_set(BOILERPLATE_TOKENS)
CAPTION_TOKEN_SET = _token_set(CAPTION_TOKENS)
CONTENT_TOKEN_SET = _token_set(CONTENT_TOKENS)

# Whole class/id values (joined, lower-cased, separators dropped) that are boilerplate even though
# no single token is ("author-box", "most-read", "related-content").
BOILERPLATE_COMPOUND_RE = re.compile(
    r"authorbox|aboutauthor|authorinfo|authorcard|mostread|mostviewed|mostpopular|"
    r"relatedcontent|relatedarticle|relatedstor|relatedpost|relatedlink|relatedvideo|"
    r"readalso|alsoread|seealso|moreon|morefrom|recommended|sharebutton|sharetool|socialshare|"
    r"sociallink|socialmedia|shareicon|newslettersignup|adcontainer|adwrapper|adslot|adplaceholder|"
    r"advert|googlead|cookiebanner|cookienotice|commentsection|commentlist|printlink|emaillink|"
    r"breadcrumb|subscribebox|subscribeform|premiumbox|tagcloud|taglist|keywords|"
    r"topicslist|storytopics|articletags|posttags|entrytags|entrymeta|postmeta|articlemeta|"
    r"nextprev|prevnext|postnav|articlenav|skiplink|jumpto|tableofcontents|inlinepromo|"
    r"inlinerelated|visuallyhidden|sronly|screenreader|printonly|onlyprint"
)

# --- XPath --------------------------------------------------------------------------------------

# The attributes that can hide an element from readers (and so make it no article text):
# hidden, aria-hidden="true", a style with display:none or visibility:hidden (`cleaning.hidden`).
# Selecting the attributes and judging them in Python costs less than half of the
# "//*[@hidden or ... contains(translate(@style ...))]" predicate run on every element.
XP_HIDING_ATTRS = etree.XPath("//@hidden | //@aria-hidden | //@style")
XP_CLASSED = etree.XPath("//*[@class or @id or @role or @itemprop]")
# The same below one element (an absolute "//" path would search the whole document).
XP_CLASSED_BELOW = etree.XPath(".//*[@class or @id]")
# ARIA roles of page furniture (the whole attribute value); found among the XP_CLASSED elements.
FURNITURE_ROLES: frozenset[str] = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog",
     "menu", "menubar", "toolbar"}
)  # fmt: skip
# The schema.org article body, when the page marks it (the whole itemprop value).
BODY_ITEMPROPS: frozenset[str] = frozenset({"articleBody", "reviewBody", "text"})
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
    r"close|caption|text size|(?:image|photo|picture|slide) \d+ (?:of|/) \d+|\d+ of \d+|"
    r"also read|more on this(?: story| topic)?|"
    r"follow us(?: on \w+)?|subscribe(?: now)?|sign up|newsletter|"
    r"(?:image|photo|picture|video)(?: credit)?s?|"
    r"skip to (?:main )?content|back to top|click here|continue reading|"
    r"(?:story|article|content) continues (?:below|after)(?: (?:this )?(?:advertisement|ad))?|"
    r"continue reading (?:below|the main story)|"
    r"this (?:article|story) (?:has been|was) (?:corrected|updated)"
    r")\W*$",
    re.I,
)
# A short block that is only a date, or a publication/update line: page furniture, the dates
# themselves are metadata's.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
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
    rf"(?:on|at|by|in|por|le|am|il|\d|{_MONTH}).{{0,100}}|"
    rf"(?:\w+,? )?(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}}\.? {_MONTH},? \d{{4}}|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4})(?:(?:,| -)? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?"
    r"(?: \w{2,5})?)?)\W*$",
    re.I,
)
# A block that starts like this is an inline promo or widget text, whatever follows.
PROMO_PREFIX_RE = re.compile(
    r"^\W*(?:read (?:more|also|next)|also read|see also|related|recommended|more from|"
    r"more on|watch|listen|you (?:may|might) (?:also )?like|don'?t miss|must read|"
    r"trending|popular|top stories|sign up for|subscribe to|get our|follow us|"
    r"tags?|tagged(?: with)?|topics|keywords|filed under|"
    r"click here to|download (?:the|our) app)\b\s*[:|\-–—>»]",
    re.I,
)
# Imperative promos: a short block starting so is an invitation, not a sentence of the story.
PROMO_START_RE = re.compile(
    r"^\W*(?:subscribe to|sign up (?:for|to)|follow us on|download (?:the|our) app|"
    r"click here (?:to|for)|listen to [^.]{0,40} live|get (?:our|the) [\w ]{0,30}newsletter)\b",
    re.I,
)
# Lines of page furniture anywhere in the text ("alternate addresses" footers, share prompts,
# app-store links).
FURNITURE_TEXT_RE = re.compile(
    r"can also be accessed at the following alternate address|"
    r"share this article|share this story|share on facebook|share on twitter|"
    # (not copyright lines: a wire story's "© 2019 Associated Press" belongs to its text)
    r"share (?:it|this) with (?:a|your) friends?|"
    # reader-funding appeals
    r"support (?:independent|quality|our) journalism|made possible by (?:our )?readers|"
    r"(?:donate|contribute) (?:now|today)|become a (?:member|supporter|patron)|"
    r"we use cookies|cookie policy|accept (?:all )?cookies|"
    r"(?:this slideshow|javascript) (?:requires|is required)|please enable javascript|"
    r"sign up (?:for|to) (?:our|the) [\w ]*newsletter|subscribe to (?:our|the) [\w ]*newsletter|"
    r"get the app|download (?:the|our) app|"
    r"(?:facebook|twitter|instagram|youtube|telegram|roku|tiktok)\s*(?:\||·)",
    re.I,
)
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
    r"what do you think\??|discussion)\b",
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
LIVE_BLOG_RE = re.compile(r"\blive(?:[-_ ]?(?:blog|updates?|coverage|stream))\b|\blive:", re.I)
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
