"""The console's sign-in: the admin token -> a signed session cookie with a CSRF token.

There is no session store: a session is a cookie signed (itsdangerous, HMAC-SHA256 with a
key derived from ``LISTEN_ADMIN_TOKEN``) and dated, holding only a random CSRF token, so
every worker process and host reads it alike, a new token ends every session, and a cookie
older than :data:`SESSION_S` or altered in any byte is no session at all. The cookies are
``HttpOnly``, ``SameSite=Strict``, ``Secure`` when the request came over https, and sent to
``/admin`` only. The login form carries a CSRF token of its own (a signed cookie beside it),
so even signing in needs a page this service served. Failed sign-ins are limited per
client and overall (:data:`FAILED_PER_CLIENT`, :data:`FAILED_OVERALL` a minute).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from listen.analytics.limiter import Limiter
from listen.errors import BadInput, CsrfRejected, RateLimited

SESSION_COOKIE = "listen_admin"
LOGIN_COOKIE = "listen_admin_login"
COOKIE_PATH = "/admin"
SESSION_S = 8 * 3600
"""Seconds a session lasts after signing in (a working day); then the form asks again."""
LOGIN_FORM_S = 3600
"""Seconds a login form stays valid after it was served."""
FAILED_PER_CLIENT = 5
"""Failed sign-ins a minute from one client address before it gets 429."""
FAILED_OVERALL = 50
"""Failed sign-ins a minute from every client together (many addresses guessing at once)."""
MAX_TOKEN = 4096
"""Characters of a token typed into the form that are compared (the rest cannot match)."""
CSRF_FIELD = "csrf"
KEY_PURPOSE = b"listen admin console v1"


def _serializer(token: str, purpose: str) -> URLSafeTimedSerializer:
    """The signer of one kind of cookie, keyed by the admin token (never the token itself)."""
    key = hmac.new(token.encode(), KEY_PURPOSE, hashlib.sha256).digest()
    return URLSafeTimedSerializer(
        key, salt=f"listen.admin.{purpose}", signer_kwargs={"digest_method": hashlib.sha256}
    )


def _nonce() -> str:
    return secrets.token_urlsafe(32)


def _read(token: str, purpose: str, name: str, max_age: int) -> str | None:
    """The nonce the signed cookie ``name`` holds, if it is sound and young enough."""
    value = request.cookies.get(name)
    if not value or len(value) > 512:
        return None
    try:
        data = _serializer(token, purpose).loads(value, max_age=max_age)
    except BadSignature:  # SignatureExpired too: it is a subclass
        return None
    return data if isinstance(data, str) and 20 <= len(data) <= 100 else None


def _set(response: Response, token: str, purpose: str, name: str, nonce: str, age: int) -> None:
    response.set_cookie(
        name,
        _serializer(token, purpose).dumps(nonce),
        max_age=age,
        path=COOKIE_PATH,
        secure=request.scheme == "https",
        httponly=True,
        samesite="Strict",
    )


@dataclass(frozen=True)
class Session:
    """A signed-in editor's session: what its forms must carry."""

    csrf: str


def session(token: str) -> Session | None:
    """The request's session, or None (no cookie, expired, tampered, or another token's)."""
    nonce = _read(token, "session", SESSION_COOKIE, SESSION_S)
    return Session(nonce) if nonce else None


def start_session(response: Response, token: str) -> None:
    """Sign in: a new session (and a new CSRF token) on ``response``; the login form's
    cookie is dropped."""
    _set(response, token, "session", SESSION_COOKIE, _nonce(), SESSION_S)
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)


def login_nonce(token: str) -> str | None:
    """The CSRF token of the login form this browser was served, if still valid."""
    return _read(token, "login", LOGIN_COOKIE, LOGIN_FORM_S)


def offer_login(response: Response, token: str, nonce: str) -> None:
    """Put the login form's CSRF token in its cookie (again: a fresh hour)."""
    _set(response, token, "login", LOGIN_COOKIE, nonce, LOGIN_FORM_S)


def new_nonce() -> str:
    return _nonce()


def check_csrf(expected: str | None) -> None:
    """The posted form's CSRF token is ``expected`` (this session's or login form's).

    Raises:
        BadInput: the form carries none, or the browser holds no valid form cookie (400).
        CsrfRejected: it carries another (403): a stale page, or another site's form.
    """
    given = request.form.get(CSRF_FIELD, "")
    if not given or expected is None:
        raise BadInput(
            "the form carries no valid CSRF token (or its cookie expired): reload the page "
            "and send it again"
        )
    if not hmac.compare_digest(given.encode(errors="replace"), expected.encode()):
        raise CsrfRejected(
            "the form's CSRF token is not this session's: it came from an old page or "
            "another site; reload the page and send it again"
        )


def token_matches(given: str, token: str) -> bool:
    """``given`` is the admin token, compared in constant time (digests: nor is its length
    told)."""
    typed = hashlib.sha256(given[:MAX_TOKEN].encode(errors="replace")).digest()
    return hmac.compare_digest(typed, hashlib.sha256(token.encode()).digest())


class LoginLimiter:
    """Failed sign-ins a minute, per client and overall (in memory, per process)."""

    def __init__(self) -> None:
        self.per_client = Limiter(FAILED_PER_CLIENT)
        self.overall = Limiter(FAILED_OVERALL)

    def check(self, client: str) -> None:
        """Raises RateLimited (429) while ``client``, or everyone, failed too often."""
        for limiter, who in ((self.per_client, client), (self.overall, "*")):
            if limiter.exhausted(who):
                raise RateLimited(
                    "too many failed sign-ins this minute: wait and try again",
                    retry_after=limiter.retry_after(),
                )

    def failed(self, client: str) -> None:
        self.per_client.allow(client)
        self.overall.allow("*")
