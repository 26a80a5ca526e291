"""What bylines are made of, in the languages of the crawled sites: data for authors.py.

Each table is keyed by language (ISO 639-1) so that a language is added in one place; authors.py
merges them, since a page's language is not known when its byline is read (and sites mix them:
an English "By" on a French page). Phrases and words are lower-case; matching ignores case.
"""

from __future__ import annotations

# Words that introduce the names at the start of a byline: "By", "Par", "Von", "بقلم" ...
# Longer phrases first within a language is not needed: authors.py sorts them by length.
INTRODUCERS: dict[str, tuple[str, ...]] = {
    "en": ("by", "with", "written by", "reported by", "reporting by", "posted by", "words by",
           "story by", "text by", "author", "authors", "words", "text",
           "reporter", "posted"),
    "fr": ("par", "avec", "écrit par", "rédigé par", "propos recueillis par", "texte", "auteur",
           "auteure", "autrice", "auteurs"),
    "de": ("von", "mit", "text von", "ein beitrag von", "ein kommentar von", "ein gastbeitrag von",
           "eine analyse von", "geschrieben von", "autor", "autorin", "autoren", "text"),
    "es": ("por", "escrito por", "redactado por", "texto", "autor", "autora", "autores"),
    "pt": ("por", "escrito por", "texto", "autor", "autora", "autores"),
    "it": ("di", "a cura di", "scritto da", "testo di", "autore", "autrice", "autori"),
    "nl": ("door", "geschreven door", "tekst", "auteur", "auteurs"),
    "sv": ("av", "text", "skribent", "författare"),
    "da": ("af", "tekst", "skrevet af", "forfatter"),
    "no": ("av", "tekst", "skrevet av", "forfatter"),
    "fi": ("kirjoittaja", "teksti"),
    "pl": ("autor", "autorka", "autorzy", "tekst"),
    "cs": ("autor", "autorka", "napsal", "napsala"),
    "ro": ("autor", "scris de"),
    "hu": ("szerző", "írta"),
    "tr": ("yazan", "yazar", "haber"),
    "ru": ("автор", "авторы", "текст"),
    "uk": ("автор", "авторка", "текст"),
    "el": ("συντάκτης",),
    "id": ("oleh", "penulis", "ditulis oleh"),
    "ar": ("بقلم", "كتب", "كتبت", "كتابة", "الكاتب", "الكاتبة", "إعداد", "تأليف"),
    "fa": ("نویسنده", "به قلم"),
    "he": ("מאת", "כתב", "כתבה"),
    "zh": ("作者", "记者", "記者", "文"),
    "ja": ("筆者", "記者", "文"),
    "ko": ("기자", "글"),
    "vi": ("bởi", "tác giả"),
}  # fmt: skip

# "A and B": the word between two names (spaces around it are required).
CONJUNCTIONS: dict[str, tuple[str, ...]] = {
    "en": ("and", "with"), "fr": ("et", "avec"), "de": ("und", "mit"), "es": ("y", "con"),
    "pt": ("e", "com"), "it": ("e", "con"), "nl": ("en", "met"), "sv": ("och",),
    "da": ("og",), "no": ("og",), "fi": ("ja",), "pl": ("i",), "cs": ("a",), "ro": ("și",),
    "hu": ("és",), "tr": ("ve",), "ru": ("и",), "uk": ("і", "та"), "id": ("dan",),
    "ar": ("و",), "fa": ("و",),
}  # fmt: skip

# The newsroom as a whole, not a person: a byline made of one of these names no one.
STAFF: dict[str, tuple[str, ...]] = {
    "en": ("staff", "staff writer", "staff writers", "staff reporter", "staff report",
           "admin", "administrator", "editor", "editors", "editorial", "editorial staff",
           "editorial board", "editorial team", "web desk", "news desk", "newsdesk", "desk",
           "anonymous", "unknown", "guest", "guest author", "contributor", "contributors",
           "agencies", "wires", "wire services", "news service", "news services", "team"),
    "fr": ("rédaction", "la rédaction", "rédac", "agences", "service étranger",
           "service politique", "service économie", "service société", "service culture",
           "service sports", "avec agences"),
    "de": ("redaktion", "die redaktion", "online-redaktion", "red", "agenturen", "nachrichten",
           "auswärtige autoren", "gastautor", "gastautoren"),
    "es": ("redacción", "redaccion", "la redacción", "agencias", "staff"),
    "pt": ("redação", "redacção", "da redação", "agências"),
    "it": ("redazione", "la redazione", "agenzie"),
    "nl": ("redactie", "de redactie"),
    "sv": ("redaktionen",), "da": ("redaktionen",), "no": ("redaksjonen",),
    "pl": ("redakcja",), "cs": ("redakce",), "ro": ("redacția", "redactia"),
    "tr": ("haber merkezi",), "ru": ("редакция",), "uk": ("редакція",),
    "el": ("συντακτική ομάδα", "συντακτικη ομαδα", "σύνταξη"),
    "ar": ("هيئة التحرير", "التحرير", "المحرر", "فريق التحرير", "وكالات"),
    "id": ("redaksi", "tim redaksi"),
}  # fmt: skip

# Words that make a name part a role, widget label or organisation, not a person.
NOT_PERSON_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("follow", "following", "unfollow", "share", "tweet", "email", "e-mail", "twitter",
           "facebook", "linkedin", "instagram", "contact", "articles", "posts", "stories",
           "view", "all", "profile", "bio", "updated", "published", "staff", "admin",
           "administrator", "editor", "editors", "editorial", "team", "newsroom", "desk",
           "correspondent", "reporter", "writer", "contributor", "contributing", "columnist",
           "journalist", "producer", "photographer", "senior", "chief", "associate",
           "political", "business", "sports", "digital", "news", "agency", "agencies", "wires",
           "wire", "guest", "subscribe", "sign", "read", "comments", "comment", "press",
           # A site's credit line: "Developed by Jane Doe", "Powered by WordPress".
           "developed", "designed", "powered", "bureau", "police",
           # An organisation: "Technology Project", "Brookings Institution".
           "project", "institute", "institution", "foundation", "university", "association",
           "program", "programme", "council", "committee", "society", "department", "center",
           "centre", "coalition"),
    "fr": ("rédaction", "correspondant", "correspondante", "envoyé", "envoyée", "journaliste",
           "agences", "service", "suivre"),
    "de": ("redaktion", "korrespondent", "korrespondentin", "redakteur", "redakteurin",
           "agenturen", "nachrichten", "folgen", "polizei", "meldungen"),
    "es": ("redacción", "corresponsal", "periodista", "agencias", "seguir", "policía"),
    "pt": ("redação", "correspondente", "jornalista", "agências", "polícia"),
    "it": ("redazione", "corrispondente", "giornalista", "inviato", "agenzie", "polizia"),
    "nl": ("redactie", "correspondent", "verslaggever", "volgen"),
    # Words of a publication's name: "Executive Search Blogs", "La Información".
    "*": ("blog", "blogs", "información", "noticias", "notícias", "actualités", "notizie",
          "nieuws", "zeitung", "gmbh", "inc", "ltd", "llc", "plc", "loading",
          # A picture's credit: "AP Foto/Martin Meissner", "Photo: Jane Doe / Reuters".
          "photo", "photos", "foto", "fotos", "image", "images", "bild", "getty",
          # A newsroom's desk in Hindi ("वाराणसी ब्यूरो", the Varanasi bureau).
          "ब्यूरो"),
}  # fmt: skip

# First words of a publication's name, never of a person's: "The Guardian", "Die Zeit".
ARTICLES: tuple[str, ...] = ("the", "der", "die", "das", "les", "los", "las", "il", "het")

# Role written after a name: "Jane Doe, Senior Correspondent", "Hans Müller, Korrespondent".
ROLES: tuple[str, ...] = (
    "correspondent", "reporter", "writer", "editor", "columnist", "contributor", "journalist",
    "producer", "analyst", "photographer", "correspondant", "correspondante", "journaliste",
    "rédacteur", "rédactrice", "korrespondent", "korrespondentin", "redakteur", "redakteurin",
    "corresponsal", "periodista", "redactor", "redactora", "correspondente", "jornalista",
    "corrispondente", "giornalista", "inviato", "inviata", "verslaggever", "redacteur",
    # what the staff of an organisation's blog sign as
    "technologist", "fellow", "director", "professor", "researcher", "scientist", "strategist",
    "economist", "attorney", "counsel", "lecturer", "specialist",
)  # fmt: skip

# News agencies: they wrote the story, but they are no one's name. Lower-case.
NEWS_AGENCIES: tuple[str, ...] = (
    "afp", "agence france-presse", "agence france presse", "ap", "associated press",
    "the associated press", "reuters", "thomson reuters", "dpa", "deutsche presse-agentur",
    "apa", "sda", "ats", "keystone-ats", "keystone-sda", "kna", "epd", "kna/epd", "ansa", "efe",
    "agencia efe", "europa press", "lusa", "agência lusa", "agência brasil", "anp", "belga",
    "ntb", "tt", "ritzau", "stt", "pap", "čtk", "ctk", "tasr", "mti", "hina", "tanjug", "bta",
    "sta", "agerpres", "ana-mpa", "tass", "ria novosti", "ria", "interfax", "ukrinform",
    "unian", "anadolu", "anadolu agency", "aa", "xinhua", "xinhua news agency", "kyodo",
    "kyodo news", "jiji", "jiji press", "yonhap", "bernama", "antara", "pti", "ians", "ani",
    "uni", "aap", "cp", "the canadian press", "canadian press", "upi", "pa", "pa media",
    "press association", "irna", "isna", "tasnim", "mehr", "fars", "wafa", "mena", "spa",
    "qna", "kuna", "wam", "bna", "sana", "notimex", "télam", "telam", "prensa latina",
    "sputnik", "sputnik international", "agência o globo", "agência estado",
    "estadão conteúdo", "folhapress", "agencies", "agences", "agencias", "agenturen",
)  # fmt: skip

# Class/id fragments of byline elements, lower-case: found anywhere in the attribute...
BYLINE_MARKERS: tuple[str, ...] = ("byline", "by-line", "author")
# ... and these only where a class token starts ("article__signature", "postAutor"), since
# they hide inside other words ("confirmation").
BYLINE_TOKENS: tuple[str, ...] = ("autor", "auteur", "signature", "firma", "verfasser")

# Path segments of a site's author pages: "/author/jane-doe", "/auteur/jean-dupont".
AUTHOR_PATHS: tuple[str, ...] = (
    "author", "authors", "autor", "autoren", "autores", "auteur", "auteurs", "autore", "autori",
    "writer", "writers", "journalist", "journalists", "journalisten", "columnist",
    "columnists", "reporter", "reporters", "redacteur", "redacteurs", "yazar", "yazarlar",
    "penulis", "kirjoittaja", "byline", "by", "profile", "profiles", "people", "staff",
    "editors", "contributors",
)  # fmt: skip


def merged(table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every entry of every language, each once, longest first (for regex alternations)."""
    seen = {entry for entries in table.values() for entry in entries}
    return tuple(sorted(seen, key=lambda entry: (-len(entry), entry)))
