"""The username rule: what the CLI, the people import and the admin page accept.

Usernames are typed on phones and in URLs (``/console/admin/users/{username}``) and stored
in a 64-character column: plain ASCII letters, digits and ``_ . -``, nothing a database
or a terminal treats specially (NUL, control characters, spaces).
"""

from __future__ import annotations

import re

from sync.errors import DomainError
from sync.i18n import t

USERNAME = re.compile(r"[A-Za-z0-9_.-]{2,40}")


def is_username(value: str) -> bool:
    return USERNAME.fullmatch(value) is not None


def check_username(value: str) -> str:
    if not is_username(value):
        raise DomainError("invalid_body", field="username", detail=t("detail.username"))
    return value
