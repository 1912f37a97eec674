"""Errors that carry their HTTP status and say the probable cause.

Every error the service reports is defined here, each class once::

    ListenError                      500 internal_error
    ├── ConfigError                  500 bad_configuration
    ├── InvalidArticleId             400 invalid_id
    ├── BadInput                     400 bad_input
    ├── Unauthorized                 401 unauthorized
    ├── Forbidden                    403 forbidden (code publish_forbidden)
    ├── CsrfRejected                 403 forbidden (code csrf_rejected)
    ├── ArticleForbidden             403 forbidden
    │   └── NotARegularFile          403 forbidden (code not_a_regular_file)
    ├── DownloadDisabled             403 download_disabled
    ├── ArticleNotFound              404 not_found
    │   └── LexiconEntryNotFound     404 not_found (code no_lexicon_entry)
    ├── AnalyticsOff                 404 analytics_off
    ├── AudioPending                 409 audio_pending
    ├── PreconditionFailed           412 precondition_failed
    ├── ArticleTooLarge              413 too_large
    ├── RangeNotSatisfiable          416 range_not_satisfiable
    ├── RateLimited                  429 rate_limited
    ├── ArticleUnreadable            422 unreadable_article
    ├── NothingToSpeak               422 nothing_to_speak
    │   └── NoArticle                422 nothing_to_speak (code no_article)
    ├── UnsupportedLanguage          422 unsupported_language
    ├── FormatNotImplemented         501 not_implemented
    ├── SourceUnavailable            502 source_unavailable
    │   └── OriginUnreachable        502 source_unavailable (code origin_unreachable)
    ├── EngineError                  503 engine_failed
    ├── EnginesUnavailable           503 engines_unavailable
    ├── StorageFull                  503 storage_full
    ├── BuildAbandoned               503 build_abandoned
    └── StoreUnavailable             503 store_unavailable

Each class has two names: ``error``, the code a client reads in the JSON body (the
README's table; a refinement keeps its parent's, so clients see one code a meaning), and
``code``, unique to the class (the same as ``error`` unless the class says otherwise).
:data:`CODES` maps each ``code`` to its class; errors cross processes (a worker's result
through Redis, a failure recorded beside the cache entry) as :meth:`ListenError.to_record`
and come back as the same class with :meth:`ListenError.from_dict`.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar


class ListenError(Exception):
    """Base of every error the service reports to a user.

    ``status`` is the HTTP status it maps to, ``error`` the short stable code clients
    read and ``code`` the class's own code (see the module docstring); the message says
    what went wrong and, where we can tell, the probable cause. ``FIELDS`` names the
    constructor's other keyword arguments (and their types) that a record carries.
    """

    status = 500
    error = "internal_error"
    code = "internal_error"
    FIELDS: ClassVar[Mapping[str, type]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give a class that sets ``error`` but no ``code`` its ``error`` as ``code``.

        A class that sets neither would silently share its parent's code: refused.
        """
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            return
        if "error" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} sets neither `error` nor `code`: name its code")
        cls.code = cls.error

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        """The JSON body a client gets: ``{"error", "message"}``."""
        return {"error": self.error, "message": self.message}

    def to_record(self) -> dict[str, Any]:
        """Everything :meth:`from_dict` needs to rebuild this error in another process."""
        fields = {name: getattr(self, name) for name in self.FIELDS}
        return {
            **self.to_dict(),
            "code": self.code,
            "retry_after": self.retry_after,
            **fields,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListenError:
        """The error a :meth:`to_record` (or a :meth:`to_dict`) described.

        The class is looked up in :data:`CODES` by ``code``, else by ``error`` (a record
        an older version wrote), else it is a plain :class:`ListenError` (500) with the
        message. A field of the wrong type is left out: the class's default applies.
        """
        found = _class_of(data)
        kwargs: dict[str, Any] = {}
        retry_after = data.get("retry_after")
        if "retry_after" in data and (retry_after is None or _is_int(retry_after)):
            kwargs["retry_after"] = retry_after
        for name, kind in found.FIELDS.items():
            if isinstance(data.get(name), kind):
                kwargs[name] = data[name]
        return found(str(data.get("message", "")), **kwargs)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _class_of(data: Mapping[str, Any]) -> type[ListenError]:
    for key in ("code", "error"):
        name = data.get(key)
        if isinstance(name, str) and name in CODES:
            return CODES[name]
    return ListenError


class ConfigError(ListenError):
    status = 500
    error = "bad_configuration"


class InvalidArticleId(ListenError):
    status = 400
    error = "invalid_id"


class BadInput(ListenError):
    status = 400
    error = "bad_input"


class Unauthorized(ListenError):
    """A publish call without the admin token (``Authorization: Bearer …``)."""

    status = 401
    error = "unauthorized"


class Forbidden(ListenError):
    """A publish call with a wrong admin token, or while the publish API is disabled.

    Clients read the same ``forbidden`` as for :class:`ArticleForbidden`.
    """

    status = 403
    error = "forbidden"
    code = "publish_forbidden"


class CsrfRejected(ListenError):
    """A console form posted without this session's CSRF token (another site's form, a
    stale page after the session changed): nothing was done.

    Clients read the same ``forbidden`` as for :class:`Forbidden`.
    """

    status = 403
    error = "forbidden"
    code = "csrf_rejected"


class ArticleForbidden(ListenError):
    """The source has the article but will not hand it over (password-protected, private)."""

    status = 403
    error = "forbidden"


class NotARegularFile(ArticleForbidden):
    """The article's name in the folder is a symlink, FIFO, device or folder."""

    code = "not_a_regular_file"


class DownloadDisabled(ListenError):
    status = 403
    error = "download_disabled"


class ArticleNotFound(ListenError):
    status = 404
    error = "not_found"


class LexiconEntryNotFound(ArticleNotFound):
    """No lexicon entry of the publish API has that term and language."""

    code = "no_lexicon_entry"


class AnalyticsOff(ListenError):
    """``POST /api/events`` while ``LISTEN_ANALYTICS=false``: there is nothing to send to."""

    status = 404
    error = "analytics_off"


class AudioPending(ListenError):
    """Asked for something that exists once the audio is complete (timings)."""

    status = 409
    error = "audio_pending"

    def __init__(self, message: str, *, retry_after: int | None = 2) -> None:
        super().__init__(message, retry_after=retry_after)


class PreconditionFailed(ListenError):
    """``If-Match`` names another version than the one at this address."""

    status = 412
    error = "precondition_failed"


class ArticleTooLarge(ListenError):
    status = 413
    error = "too_large"


class RangeNotSatisfiable(ListenError):
    """No byte of the file is in the range asked for."""

    status = 416
    error = "range_not_satisfiable"


class RateLimited(ListenError):
    """One client sent more than its share of requests this minute."""

    status = 429
    error = "rate_limited"

    def __init__(self, message: str, *, retry_after: int | None = 60) -> None:
        super().__init__(message, retry_after=retry_after)


class ArticleUnreadable(ListenError):
    """The source has the article but its content cannot be parsed."""

    status = 422
    error = "unreadable_article"


class NothingToSpeak(ListenError):
    status = 422
    error = "nothing_to_speak"


class NoArticle(NothingToSpeak):
    """A web page that holds no article: a section front, an error page, a paywall stub."""

    code = "no_article"


class UnsupportedLanguage(ListenError):
    status = 422
    error = "unsupported_language"


class FormatNotImplemented(ListenError):
    status = 501
    error = "not_implemented"


class SourceUnavailable(ListenError):
    status = 502
    error = "source_unavailable"


class OriginUnreachable(SourceUnavailable):
    """No usable answer from the origin (network error, timeout, 429, 5xx).

    The one failure for which a stored copy of the page is served instead.
    """

    code = "origin_unreachable"


class EngineError(ListenError):
    """One engine failed to speak a text.

    ``unreachable`` marks failures that will repeat for every text (no network,
    rate limited, engine not installed): the engine is then skipped for a while.
    """

    status = 503
    error = "engine_failed"
    FIELDS: ClassVar[Mapping[str, type]] = {"unreachable": bool}

    def __init__(
        self,
        message: str,
        *,
        unreachable: bool = False,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.unreachable = unreachable


class EnginesUnavailable(ListenError):
    """No engine could speak the article; the client should retry later."""

    status = 503
    error = "engines_unavailable"


class StorageFull(ListenError):
    """The cache's disk has no space left: no audio can be written until some is freed."""

    status = 503
    error = "storage_full"

    RETRY_AFTER = 60
    """Seconds a client waits before asking again (space comes back when an operator acts)."""
    ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})

    @classmethod
    def from_os_error(cls, exc: OSError) -> StorageFull | None:
        """The error to report for ``exc`` when it says the disk is full, else None."""
        if exc.errno not in cls.ERRNOS:
            return None
        return cls(
            "no space left to write the audio. Probable cause: the disk holding the cache "
            "(LISTEN_CACHE_DIR) is full; free space, or bound the cache with "
            "LISTEN_CACHE_MAX_BYTES well below the disk's size",
            retry_after=cls.RETRY_AFTER,
        )


class BuildAbandoned(ListenError):
    """The build a response was streaming from died (its worker was killed)."""

    status = 503
    error = "build_abandoned"

    def __init__(self, message: str = "", *, retry_after: int | None = 2) -> None:
        super().__init__(
            message
            or "the build of this article died before it was complete (its process was "
            "killed or crashed); ask again to build it anew",
            retry_after=retry_after,
        )


class StoreUnavailable(ListenError):
    """The data folder (LISTEN_DATA_DIR) holding pushed articles cannot be written."""

    status = 503
    error = "store_unavailable"


def code_table(classes: Iterable[type[ListenError]]) -> dict[str, type[ListenError]]:
    """``{code: class}`` for ``classes``.

    Raises:
        TypeError: two classes share a code (the second would shadow the first).
    """
    table: dict[str, type[ListenError]] = {}
    for cls in classes:
        if cls.code in table:
            raise TypeError(
                f"{cls.__name__} and {table[cls.code].__name__} share the code {cls.code!r}"
            )
        table[cls.code] = cls
    return table


ERRORS: tuple[type[ListenError], ...] = (
    ListenError,
    ConfigError,
    InvalidArticleId,
    BadInput,
    Unauthorized,
    Forbidden,
    CsrfRejected,
    ArticleForbidden,
    NotARegularFile,
    DownloadDisabled,
    ArticleNotFound,
    LexiconEntryNotFound,
    AnalyticsOff,
    AudioPending,
    PreconditionFailed,
    ArticleTooLarge,
    RangeNotSatisfiable,
    RateLimited,
    ArticleUnreadable,
    NothingToSpeak,
    NoArticle,
    UnsupportedLanguage,
    FormatNotImplemented,
    SourceUnavailable,
    OriginUnreachable,
    EngineError,
    EnginesUnavailable,
    StorageFull,
    BuildAbandoned,
    StoreUnavailable,
)
"""Every error class, in the order of the module docstring's tree."""

CODES: dict[str, type[ListenError]] = code_table(ERRORS)
"""Each error class by its unique ``code``: how an error that crossed processes is rebuilt."""
