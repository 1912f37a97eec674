"""Rule data for the sanitizer: phrases and patterns per language, apart from the code.

Every table is keyed by language. The sanitizer runs before language detection and
publishers mix languages in their cruft (an English page links to "Leer en español"),
so rules use the union of all tables; keeping them per language keeps them easy to
review and extend.
"""

from __future__ import annotations

from collections.abc import Mapping

# Labels of the publisher's own listen button, spoken by nobody.
LISTEN_LABELS = {
    "en": (
        "listen to this article",
        "listen to article",
        "listen to this story",
        "listen to the article",
        "listen",
        "audio article",
        "play audio",
    ),
    "es": (
        "escuchar este artículo",
        "escucha este artículo",
        "escuchar artículo",
        "escuchar la noticia",
        "escuchar noticia",
        "escuchar",
        "escucha",
        "escucha esta nota",
        "escuchar esta nota",
        "escucha la nota",
        "escucha esta noticia",
        "escuchar audio",
    ),
}

# Links to the edition in the other language: "Leer en español: <headline>".
CROSS_LINK_PREFIXES = {
    "en": (
        "read in english",
        "read this in english",
        "read in spanish",
        "read this in spanish",
        "read this article in spanish",
        "read this story in spanish",
        "english version",
        "spanish version",
        "en español",
        "in english",
    ),
    "es": (
        "leer en español",
        "lee en español",
        "lea en español",
        "leer en inglés",
        "lee en inglés",
        "lea en inglés",
        "lee la versión en inglés",
        "versión en inglés",
        "versión en español",
        "in english",
        "en inglés",
    ),
}

# Share buttons and newsletter boxes: short blocks that start with these.
CHROME_PREFIXES = {
    "en": (
        "share on",
        "share this",
        "share via",
        "share article",
        "share",
        "tweet",
        "email this",
        "copy link",
        "print",
        "sign up for",
        "sign up to",
        "subscribe to",
        "subscribe",
        "get our",
        "newsletter",
        "follow us on",
        "advertisement",
        "comments",
    ),
    "es": (
        "compartir en",
        "compartir",
        "comparte en",
        "comparte",
        "compártelo",
        "enviar por",
        "copiar enlace",
        "imprimir",
        "suscríbete",
        "suscribete",
        "suscríbase",
        "regístrate",
        "recibe nuestro",
        "boletín",
        "síguenos en",
        "publicidad",
        "comentarios",
    ),
}

# In-body links out, "Lea también: <headline>": a short block led by one of these and a colon.
READ_MORE_PREFIXES = {
    "en": (
        "read more",
        "read also",
        "also read",
        "read",
        "see also",
        "related",
        "more",
        "watch",
        "listen",
        "recommended",
        "must read",
        "don't miss",
        "read next",
    ),
    "es": (
        "lea también",
        "lee también",
        "leer también",
        "lea más",
        "lee más",
        "lea",
        "lee",
        "vea también",
        "ve también",
        "vea",
        "mira también",
        "mira",
        "puedes ver",
        "puede ver",
        "te puede interesar",
        "le puede interesar",
        "también te puede interesar",
        "te recomendamos",
        "recomendado",
        "relacionado",
        "noticia relacionada",
        "también lee",
        "no te pierdas",
        "no dejes de leer",
        "más información",
        "información relacionada",
    ),
}

# Calls to follow the publisher elsewhere: a short block naming a network and one of these.
SOCIAL_NETWORKS = (
    "facebook",
    "twitter",
    "instagram",
    "telegram",
    "whatsapp",
    "youtube",
    "tiktok",
    "linkedin",
    "google news",
    "threads",
    "bluesky",
    "podcast",
    "newsletter",
    "boletín",
)
CALLS_TO_ACTION = {
    "en": ("follow", "join", "subscribe", "sign up", "download", "listen", "watch", "get"),
    "es": (
        "síguenos",
        "sigue",
        "únete",
        "suscríbete",
        "descarga",
        "escucha",
        "mira",
        "recibe",
        "entra",
        "visita",
    ),
}

# Pitches for memberships and donations.
SUPPORT_PREFIXES = {
    "en": (
        "become a member",
        "support our journalism",
        "support independent journalism",
        "donate",
        "subscribe now",
        "subscribe today",
        "already a subscriber",
    ),
    "es": (
        "hazte miembro",
        "hazte socio",
        "hazte suscriptor",
        "apoya el periodismo",
        "apoya nuestro periodismo",
        "dona",
        "suscríbete ahora",
        "ya eres suscriptor",
    ),
}

# Production credits at the foot of wire stories: "Reporting by …; Editing by …".
CREDIT_LINE_PREFIXES = {
    "en": (
        "reporting by",
        "additional reporting by",
        "writing by",
        "editing by",
        "compiled by",
        "produced by",
        "with reporting from",
    ),
    "es": (
        "con información de",
        "con informacion de",
    ),
}

# Pitch phrases no article sentence uses: a short block containing one is a pitch box.
SUPPORT_PITCHES = {
    "en": (
        "support our journalism",
        "support independent journalism",
        "subscribe now",
        "subscribe today",
        "enjoy exclusive benefits",
        "we need your help",
        "to view the full story",
        "to continue reading",
        "already a subscriber",
        "first time subscribers",
        "sign up here",
        "advertisement has not loaded",
        "article continues below",
        "story continues below",
    ),
    "es": (
        "hazte miembro",
        "hazte socio",
        "apoya nuestro periodismo",
        "apoya el periodismo independiente",
        "suscríbete ahora",
        "disfruta de beneficios exclusivos",
        "necesitamos tu apoyo",
        "para seguir leyendo",
        "para continuar leyendo",
        "ya eres suscriptor",
        "regístrate aquí",
        "suscríbete aquí",
        "la nota continúa abajo",
    ),
}

# Affiliate and advertising disclosures: a short block containing one is not the story.
DISCLOSURES = {
    "en": (
        "may earn a commission",
        "may receive compensation",
        "may earn an affiliate commission",
        "contains affiliate links",
        "references to products from one or more of our advertisers",
        "we independently select",
    ),
    "es": (
        "podemos recibir una comisión",
        "puede recibir una comisión",
        "enlaces de afiliados",
        "enlaces de afiliación",
    ),
}

# Invitations to write to the newsroom; a short block with one and an e-mail address.
CONTACT_PHRASES = {
    "en": (
        "get in touch",
        "email us",
        "write to",
        "letter to the editor",
        "contact us",
        "send us",
        "tips to",
    ),
    "es": (
        "escríbenos",
        "escríbanos",
        "contáctanos",
        "envíanos",
        "carta al director",
        "escribe a",
    ),
}

# Words that say nothing alone: a block of only these is a form's "or", a lone "By".
FUNCTION_WORDS = {
    "en": ("or", "and", "by", "in", "of", "the", "a", "to", "on", "at", "for", "with"),
    "es": ("o", "y", "e", "u", "por", "de", "en", "el", "la", "los", "las", "con", "a"),
}

# Headings that open a trailing list of other stories.
LIST_HEADINGS = {
    "en": (
        "more articles",
        "more stories",
        "more from",
        "related",
        "related articles",
        "related stories",
        "related content",
        "read more",
        "read next",
        "recommended",
        "recommended for you",
        "you may also like",
        "you might also like",
        "most read",
        "most popular",
        "trending",
        "latest news",
        "top stories",
        "further reading",
    ),
    "es": (
        "más artículos",
        "mas articulos",
        "más noticias",
        "más de",
        "te puede interesar",
        "te puede gustar",
        "también te puede interesar",
        "le puede interesar",
        "noticias relacionadas",
        "artículos relacionados",
        "relacionadas",
        "relacionado",
        "lee también",
        "lea también",
        "leer más",
        "lo más leído",
        "lo más visto",
        "recomendados",
        "últimas noticias",
    ),
}

# Photo credits. A block carrying one is a caption; without the credit, its text is
# the caption, which is dropped wherever else it appears. Each pattern runs in linear
# time on any text: a run that scans to the end of the block stops at the next credit
# word or bracket, so a block of a thousand "(Photo " is not rescanned a thousand times.
_AGENCIES = (
    r"REUTERS|Reuters|AFP|AP|EFE|Getty(?: Images)?|Europa Press|Bloomberg|EPA|"
    r"Shutterstock|iStock|Xinhua|ANSA|dpa|Cuartoscuro|NurPhoto|Sipa"
)
_FOTO = r"Foto|Fotografía|Imagen|Crédito"
CREDIT_PATTERNS = {
    "en": (
        r"/\s*Via\s+\S.*$",
        r"\((?:Photo|Image|Picture|Credit|Photograph)s?\b[^()]*\)\s*$",
        r"(?:Photo|Image|Picture|Photograph|Credit)s?\s*(?:by|:)\s*\S.*$",
        r"\|\s*(?:Photo|Image|Credit)s?\b.*$",
        rf"/\s*(?:{_AGENCIES})(?:\s*/[^/]+|\s*)$",
        rf"(?:{_AGENCIES})\s*/\s*[A-Z][\w.'-]*+(?:\s+[A-Z][\w.'-]*+){{0,3}}\s*$",
    ),
    "es": (
        rf"\(?(?:{_FOTO})s?\s*(?::|de)\s*\S(?:(?!{_FOTO})[^)])*\)?\s*$",
        r"\((?:Foto|Imagen)s?\b[^()]*\)\s*$",
        r"\|\s*(?:Foto|Imagen)s?\b.*$",
    ),
}

# Class or id fragments of containers that hold no article text.
CHROME_CLASSES = (
    "share",
    "social",
    "newsletter",
    "subscribe",
    "related",
    "recommend",
    "promo",
    "advert",
    "ad-slot",
    "sponsor",
    "caption",
    "credit",
    "byline",
    "breadcrumb",
    "comments",
    "listen-skip",
    "twitter-tweet",
    "instagram-media",
    "tiktok-embed",
    "social-embed",
    "embed",
    "tags",
    "outbrain",
    "taboola",
)

# Class fragments that mark the standfirst (dek) of an article.
STANDFIRST_CLASSES = (
    "standfirst",
    "dek",
    "subtitle",
    "subhead",
    "summary",
    "lede",
    "lead",
    "excerpt",
    "deck",
    "bajada",
    "entradilla",
    "sumario",
    "copete",
)


def union(table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """All phrases of a per-language table, longest first (so prefixes match greedily)."""
    return tuple(sorted({p for phrases in table.values() for p in phrases}, key=len, reverse=True))
