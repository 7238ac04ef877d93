"""The console's cookies: a random session id, and a CSRF token bound to it.

The session lives on the server (sync/services/auth.py, sync/domain/console_sessions.py);
the cookie only names it, so it is worth nothing on the API and nothing once the session
ends. The CSRF token stays Litestar's double-submit token (a cookie and a form field
that must agree), but a logged-in console accepts only the one derived from its own
session id with the secret key: a token planted from elsewhere (a sibling subdomain's
cookie, another user's page) does not pass.
"""

from __future__ import annotations

import hashlib
import hmac

from litestar.middleware.csrf import generate_csrf_hash

from sync.domain.console_sessions import MAX_AGE_MS

COOKIE = "workroom_console"
CSRF_COOKIE = "csrftoken"  # Litestar's CSRFConfig default (sync/http/app.py)


def csrf_token(session_id: str, *, key: str) -> str:
    """The CSRF token of one session, in the form Litestar's middleware checks."""
    secret = hmac.new(key.encode(), b"console-csrf:" + session_id.encode(),
                      hashlib.sha256).hexdigest()
    return secret + generate_csrf_hash(token=secret, secret=key)


def cookie_header(name: str, value: str, *, secure: bool) -> str:
    """A Set-Cookie value: the session's, or an empty one that clears it."""
    attributes = "Path=/; HttpOnly; SameSite=Lax"
    if secure:
        attributes += "; Secure"
    if not value:
        return f"{name}=; Max-Age=0; {attributes}"
    return f"{name}={value}; Max-Age={MAX_AGE_MS // 1000}; {attributes}"
