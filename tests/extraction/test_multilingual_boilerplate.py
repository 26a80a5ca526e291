"""Boilerplate in the languages of the crawled sites: "read also" promos, related boxes, share,
comment, newsletter, cookie and copyright lines go; the story's sentences stay.

Each page is written here, shaped as the sites write them: the promo inside the body as a
paragraph ("<p><strong>Lesen Sie auch:</strong> <a>...</a></p>"), as a box under a title, or
as a widget named in the page's language ("mehrzumthema", "lesetipp", "articoli-correlati").
"""

from __future__ import annotations

import unicodedata

import pytest

from crawler.extraction import extract


def _page(lang: str, title: str, paragraphs: list[str], extra: str = "") -> bytes:
    """An article page: og:type article, a headline, the paragraphs, with `extra` (the
    boilerplate under test) between the second and the third paragraph."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs[:2])
    body += extra
    body += "".join(f"<p>{p}</p>" for p in paragraphs[2:])
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title}</title><meta property="og:type" content="article"></head>
<body><header><nav><a href="/">Start</a></nav></header>
<main><article><h1>{title}</h1><div class="article-body">{body}</div></article></main>
<footer><p>Impressum</p></footer></body></html>""".encode()


GERMAN = [
    "Der Stadtrat hat am Dienstagabend mit großer Mehrheit beschlossen, die Fernwärmepreise "
    "ab Januar um elf Prozent anzuheben, wie die Stadtwerke mitteilten.",
    "Betroffen sind rund 14.000 Haushalte im Stadtgebiet, die meisten davon in den großen "
    "Wohnanlagen im Norden, wo die Leitungen in den siebziger Jahren verlegt wurden.",
    "Die Verbraucherzentrale kritisierte die Entscheidung scharf und rät den Kunden, ihre "
    "Abrechnungen genau zu prüfen und gegebenenfalls Widerspruch einzulegen.",
    "Der Grundpreis bleibt nach Angaben der Stadtwerke unverändert, nur der Arbeitspreis "
    "steigt, und Härtefälle sollen auf Antrag entlastet werden.",
]
FRENCH = [
    "Le conseil municipal a voté mardi soir, à une large majorité, la hausse de onze pour cent "
    "du prix du chauffage urbain à partir de janvier, selon la régie municipale.",
    "Environ 14 000 foyers sont concernés, pour la plupart dans les grands ensembles du nord "
    "de la ville, où le réseau a été posé dans les années soixante-dix.",
    "Les associations de consommateurs ont vivement critiqué la décision et conseillent aux "
    "abonnés de vérifier attentivement leurs factures.",
]
SPANISH = [
    "El ayuntamiento aprobó el martes por la noche, por amplia mayoría, subir un once por "
    "ciento el precio de la calefacción urbana a partir de enero, según la empresa municipal.",
    "Unos 14.000 hogares se verán afectados, la mayoría en los grandes bloques del norte de la "
    "ciudad, donde la red se instaló en los años setenta.",
    "Las asociaciones de consumidores criticaron con dureza la decisión y recomiendan a los "
    "abonados revisar con atención sus facturas.",
]
ITALIAN = [
    "Il consiglio comunale ha approvato martedì sera, a larga maggioranza, l'aumento dell'undici "
    "per cento del prezzo del teleriscaldamento da gennaio, secondo l'azienda municipale.",
    "Sono interessate circa 14.000 famiglie, per lo più nei grandi complessi a nord della "
    "città, dove la rete è stata posata negli anni settanta.",
    "Le associazioni dei consumatori hanno criticato duramente la decisione e consigliano agli "
    "utenti di controllare con attenzione le bollette.",
]
PORTUGUESE = [
    "A câmara municipal aprovou na terça-feira à noite, por ampla maioria, um aumento de onze "
    "por cento no preço do aquecimento urbano a partir de janeiro, segundo a empresa municipal.",
    "Cerca de 14 mil famílias serão afetadas, a maioria nos grandes conjuntos habitacionais do "
    "norte da cidade, onde a rede foi instalada nos anos setenta.",
    "As associações de consumidores criticaram duramente a decisão e aconselham os clientes a "
    "verificar com atenção as suas faturas.",
]
DUTCH = [
    "De gemeenteraad heeft dinsdagavond met een ruime meerderheid besloten de prijs van "
    "stadsverwarming vanaf januari met elf procent te verhogen, meldt het gemeentebedrijf.",
    "Ongeveer 14.000 huishoudens worden getroffen, de meeste in de grote woonblokken in het "
    "noorden van de stad, waar het net in de jaren zeventig werd aangelegd.",
    "De consumentenbond bekritiseerde het besluit scherp en raadt klanten aan hun rekeningen "
    "zorgvuldig te controleren.",
]
TURKISH = [
    "Belediye meclisi salı akşamı büyük bir çoğunlukla, ocak ayından itibaren bölgesel ısıtma "
    "fiyatlarını yüzde on bir artırma kararı aldı, belediye şirketi açıkladı.",
    "Kararın yaklaşık 14 bin haneyi etkilemesi bekleniyor, bunların çoğu şehrin kuzeyindeki "
    "büyük sitelerde, şebekenin yetmişli yıllarda döşendiği yerlerde bulunuyor.",
    "Tüketici dernekleri kararı sert bir dille eleştirdi ve abonelere faturalarını dikkatle "
    "kontrol etmelerini tavsiye etti.",
]
RUSSIAN = [
    "Городской совет во вторник вечером большинством голосов решил с января повысить тарифы "
    "на центральное отопление на одиннадцать процентов, сообщили в муниципальном предприятии.",
    "Решение затронет около 14 тысяч домохозяйств, в основном в крупных жилых комплексах на "
    "севере города, где сети прокладывали в семидесятых годах.",
    "Общество защиты прав потребителей резко раскритиковало решение и советует жителям "
    "внимательно проверять свои счета.",
]
ARABIC = [
    "وافق المجلس البلدي مساء الثلاثاء بأغلبية كبيرة على رفع أسعار التدفئة المركزية بنسبة أحد "
    "عشر في المئة اعتبارا من يناير، بحسب ما أعلنت الشركة البلدية.",
    "ويشمل القرار نحو أربعة عشر ألف أسرة، معظمها في المجمعات السكنية الكبيرة شمال المدينة، حيث "
    "مدت الشبكة في السبعينيات.",
    "وانتقدت جمعيات حماية المستهلك القرار بشدة، ونصحت المشتركين بمراجعة فواتيرهم بعناية.",
]
PERSIAN = [
    "شورای شهر سه‌شنبه شب با اکثریت قاطع تصویب کرد که بهای گرمایش مرکزی از ژانویه یازده درصد "
    "افزایش یابد، به گفته شرکت شهرداری.",
    "این تصمیم حدود چهارده هزار خانوار را در بر می‌گیرد که بیشتر آنها در مجتمع‌های مسکونی بزرگ "
    "شمال شهر زندگی می‌کنند، جایی که شبکه در دهه هفتاد کشیده شد.",
    "انجمن‌های حمایت از مصرف‌کنندگان این تصمیم را به شدت نقد کردند و به مشترکان توصیه کردند "
    "صورت‌حساب‌های خود را با دقت بررسی کنند.",
]

# name: (language, paragraphs, boilerplate html, strings that must be gone)
CASES: dict[str, tuple[str, list[str], str, list[str]]] = {
    "de_lesen_sie_auch": (
        "de",
        GERMAN,
        '<p><strong>Lesen Sie auch:</strong> <a href="/a/1">Stadtwerke erhöhen die '
        "Wasserpreise</a></p>",
        ["Lesen Sie auch", "Wasserpreise"],
    ),
    "de_lesen_sie_auch_no_colon": (
        "de",
        GERMAN,
        '<p>Lesen Sie auch <a href="/a/1">Neue Buslinie im Norden ab Montag</a></p>',
        ["Lesen Sie auch", "Neue Buslinie"],
    ),
    "de_mehr_zum_thema_box": (
        "de",
        GERMAN,
        '<section class="teaserbox mehrzumthema"><h3>Mehr zum Thema</h3>'
        '<article><h4><a href="/a/2">Heizkosten: So sparen Sie im Winter</a></h4>'
        "<p>Zehn Tipps, mit denen Mieter ihre Nebenkosten senken können, von der Heizung "
        "bis zum Duschkopf.</p></article></section>",
        ["Mehr zum Thema", "Heizkosten: So sparen", "Zehn Tipps"],
    ),
    "de_lesetipp_unclassed_box": (
        "de",
        GERMAN,
        '<div><h3>Das könnte Sie auch interessieren</h3><p><a href="/a/3">Stadtwerke: '
        "Neuer Chef</a></p><p>Der bisherige Kämmerer übernimmt die Leitung.</p></div>",
        ["Das könnte Sie auch", "Neuer Chef", "Kämmerer"],
    ),
    "de_lesetipp_class": (
        "de",
        GERMAN,
        '<div class="c-lesetipp"><span>Lesetipp</span><a href="/a/4">Fernwärme: Was '
        "Mieter jetzt wissen müssen und wie sie widersprechen können</a></div>",
        ["Lesetipp", "Was Mieter jetzt wissen"],
    ),
    "de_share_comments_newsletter": (
        "de",
        GERMAN,
        '<div class="artikel-teilen"><a href="#">Teilen</a><a href="#">Drucken</a></div>'
        "<p>Kommentarfunktion ist geschlossen.</p>"
        "<p>Abonnieren Sie unseren Newsletter und erhalten Sie jeden Morgen die wichtigsten "
        "Nachrichten.</p>",
        ["Teilen", "Drucken", "Kommentarfunktion", "Newsletter"],
    ),
    "de_cookie_copyright": (
        "de",
        GERMAN,
        "<p>Diese Website verwendet Cookies. Wenn Sie weitersurfen, stimmen Sie der Nutzung "
        "zu.</p><p>© 2024 Rundschau Verlag GmbH. Alle Rechte vorbehalten.</p>",
        ["Cookies", "Alle Rechte vorbehalten"],
    ),
    "fr_lire_aussi": (
        "fr",
        FRENCH,
        '<p>À lire aussi : <a href="/a/5">Le prix de l\'eau augmente de 4 %</a></p>'
        '<p><a href="/a/6">Lire aussi</a> Les transports gratuits le dimanche</p>',
        ["À lire aussi", "prix de l'eau", "Lire aussi", "transports gratuits"],
    ),
    "fr_share_subscribe": (
        "fr",
        FRENCH,
        "<p>Partager</p><p>Abonnez-vous à notre newsletter pour ne rien manquer.</p>"
        "<p>Tous droits réservés</p>",
        ["Partager", "Abonnez-vous", "Tous droits"],
    ),
    "es_lee_tambien": (
        "es",
        SPANISH,
        '<p><b>Lee también:</b> <a href="/a/7">El agua subirá un 4 % en marzo</a></p>'
        '<div><h3>Te puede interesar</h3><ul><li><a href="/a/8">Nuevas líneas de autobús'
        '</a></li><li><a href="/a/9">Obras en el centro</a></li></ul></div>',
        ["Lee también", "El agua subirá", "Te puede interesar", "Nuevas líneas"],
    ),
    "it_leggi_anche": (
        "it",
        ITALIAN,
        '<p>Leggi anche: <a href="/a/10">Bollette, cosa cambia da gennaio</a></p>'
        '<div class="articoli-correlati"><h3>Articoli correlati</h3><p><a href="/a/11">'
        "Acqua, rincari in vista</a></p></div>",
        ["Leggi anche", "Bollette, cosa cambia", "Articoli correlati", "rincari in vista"],
    ),
    "pt_leia_tambem": (
        "pt",
        PORTUGUESE,
        '<p>Leia também: <a href="/a/12">Tarifa de água sobe em março</a></p>'
        "<p>Compartilhe</p>",
        ["Leia também", "Tarifa de água", "Compartilhe"],
    ),
    "nl_lees_ook": (
        "nl",
        DUTCH,
        '<p>Lees ook: <a href="/a/13">Waterprijs stijgt in maart</a></p><p>Reacties</p>',
        ["Lees ook", "Waterprijs", "Reacties"],
    ),
    "tr_ayrica_okuyun": (
        "tr",
        TURKISH,
        '<p>Ayrıca okuyun: <a href="/a/14">Su fiyatları mart ayında artıyor</a></p>'
        "<p>İlgili Haberler</p>",
        ["Ayrıca okuyun", "Su fiyatları", "İlgili Haberler"],
    ),
    "ru_chitaite_takzhe": (
        "ru",
        RUSSIAN,
        '<p>Читайте также <a href="/a/15">Цены на воду вырастут в марте</a></p>'
        "<p>Поделиться</p>",
        ["Читайте также", "Цены на воду", "Поделиться"],
    ),
    "ar_iqra_aydan": (
        "ar",
        ARABIC,
        '<p>اقرأ أيضاً: <a href="/a/16">ارتفاع أسعار المياه في مارس</a></p>'
        '<p>اقرأ أيضا <a href="/a/17">خطوط حافلات جديدة</a></p>',
        ["اقرأ أيضاً", "ارتفاع أسعار المياه", "اقرأ أيضا", "خطوط حافلات"],
    ),
    "de_affiliate_disclosure": (
        "de",
        GERMAN,
        "<p>Die mit einem Symbol gekennzeichneten Links sind Affiliate-Links. Kommt darüber ein "
        "Einkauf zustande, erhalten wir eine Provision – ohne Mehrkosten für Sie.</p>",
        ["Affiliate-Links", "Provision"],
    ),
    "fr_affiliate_disclosure": (
        "fr",
        FRENCH,
        "<p>Cet article contient des liens affiliés : nous touchons une commission sur vos "
        "achats.</p>",
        ["liens affiliés"],
    ),
    "pl_masz_newsa": (
        "pl",
        FRENCH,  # the story's language does not matter to the widget's line
        "<p>Masz newsa, zdjęcie lub filmik? Prześlij nam przez dziejesie.wp.pl</p>"
        "<p>Oceń jakość naszego artykułu</p>",
        ["Masz newsa", "Oceń jakość"],
    ),
    "fa_bishtar_bekhanid": (
        "fa",
        PERSIAN,
        '<p>بیشتر بخوانید: <a href="/a/18">افزایش قیمت آب در ماه مارس</a></p>',
        ["بیشتر بخوانید", "افزایش قیمت آب"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_promo_goes_body_stays(name: str) -> None:
    lang, paragraphs, extra, gone = CASES[name]
    article = extract(_page(lang, "Fernwärme", paragraphs, extra), f"https://news.example/{name}")
    for paragraph in paragraphs:
        assert paragraph in article.body, paragraph[:40]
    for text in gone:
        assert text not in article.body, text
    assert article.is_article


@pytest.mark.parametrize(
    "sentence",
    [
        # A phrase of a promo at the start of a sentence of the story is not a promo.
        "Mehr zum Thema Fernwärme sagte der Bürgermeister am Mittwoch nichts.",
        "Mehrere Anwohner haben bereits Widerspruch eingelegt.",
        "Kommentare zur Entscheidung kamen vor allem von der Opposition im Rat.",
        "Themen wie die Gebäudedämmung sollen im Frühjahr beraten werden.",
    ],
)
def test_sentence_starting_like_a_promo_stays(sentence: str) -> None:
    article = extract(
        _page("de", "Fernwärme", GERMAN, f"<p>{sentence}</p>"), "https://news.example/s"
    )
    assert sentence in article.body


def test_comment_thread_in_german_goes_whatever_its_size() -> None:
    comments = "".join(
        f'<li class="kommentar"><p>Leser {i}: Das ist doch eine Frechheit, schon wieder eine '
        "Erhöhung, und niemand im Rat hat sich dagegen gewehrt, das muss man sich merken für "
        "die nächste Wahl.</p></li>"
        for i in range(30)
    )
    extra = f'<div id="kommentare"><h3>Kommentare (30)</h3><ol>{comments}</ol></div>'
    article = extract(_page("de", "Fernwärme", GERMAN, extra), "https://news.example/k")
    assert "Frechheit" not in article.body and "Kommentare" not in article.body
    for paragraph in GERMAN:
        assert paragraph in article.body


def test_decomposed_accents_are_composed_and_their_promos_found() -> None:
    # Text written with combining accents ("e" + U+0301, as macOS and some editors save it):
    # the body and title read as readers search them, and "À lire aussi" is still a promo.
    decomposed = [unicodedata.normalize("NFD", p) for p in FRENCH]
    promo = unicodedata.normalize("NFD", '<p>À lire aussi : <a href="/a/5">Le réseau</a></p>')
    page = _page("fr", unicodedata.normalize("NFD", "Réseau de chaleur"), decomposed, promo)
    article = extract(page, "https://news.example/reseau")
    assert article.title == "Réseau de chaleur"
    for paragraph in FRENCH:
        assert paragraph in article.body, paragraph[:40]
    assert "lire aussi" not in article.body
