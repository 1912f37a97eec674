"""Errors that carry their HTTP status and say the probable cause."""

from __future__ import annotations

import errno
from typing import Any


class ListenError(Exception):
    """Base of every error the service reports to a user.

    ``status`` is the HTTP status it maps to and ``error`` a short stable code;
    the message says what went wrong and, where we can tell, the probable cause.
    """

    status = 500
    error = "internal_error"

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListenError:
        """The error :meth:`to_dict` described (as a worker reports it through Redis)."""
        found: type[ListenError] = ListenError
        pending = list(ListenError.__subclasses__())
        while pending:
            sub = pending.pop()
            if sub.error == data.get("error"):
                found = sub
                break
            pending.extend(sub.__subclasses__())
        error = found.__new__(found)
        ListenError.__init__(
            error, str(data.get("message", "")), retry_after=data.get("retry_after")
        )
        return error


class ConfigError(ListenError):
    status = 500
    error = "bad_configuration"


class InvalidArticleId(ListenError):
    status = 400
    error = "invalid_id"


class BadInput(ListenError):
    status = 400
    error = "bad_input"


class ArticleUnreadable(ListenError):
    """The source has the article but its content cannot be parsed."""

    status = 422
    error = "unreadable_article"


class ArticleNotFound(ListenError):
    status = 404
    error = "not_found"


class ArticleTooLarge(ListenError):
    status = 413
    error = "too_large"


class NothingToSpeak(ListenError):
    status = 422
    error = "nothing_to_speak"


class UnsupportedLanguage(ListenError):
    status = 422
    error = "unsupported_language"


class SourceUnavailable(ListenError):
    status = 502
    error = "source_unavailable"


class EngineError(ListenError):
    """One engine failed to speak a text.

    ``unreachable`` marks failures that will repeat for every text (no network,
    rate limited, engine not installed): the engine is then skipped for a while.
    """

    status = 503
    error = "engine_failed"

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


class ArticleForbidden(ListenError):
    """The source has the article but will not hand it over (password-protected, private)."""

    status = 403
    error = "forbidden"


class AudioPending(ListenError):
    """Asked for something that exists once the audio is complete (timings)."""

    status = 409
    error = "audio_pending"

    def __init__(self, message: str) -> None:
        super().__init__(message, retry_after=2)


class DownloadDisabled(ListenError):
    status = 403
    error = "download_disabled"


class FormatNotImplemented(ListenError):
    status = 501
    error = "not_implemented"
