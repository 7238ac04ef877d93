"""The one message catalogue: every user-facing string is looked up here.

Messages live in ``locale/<lang>/*.toml`` (one file per area, merged), zh-CN first;
English can follow by adding ``locale/en/`` with the same keys.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DEFAULT_LANGUAGE = "zh-CN"
_LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_LOCALE_DIR / language).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(tomllib.load(fh), "", merged)
    return merged


def _flatten(table: dict[str, object], prefix: str, into: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{name}.", into)
        else:
            into[name] = str(value)


def t(key: str, /, **params: object) -> str:
    """The zh-CN message for ``key``, formatted with ``params``."""
    return translate(DEFAULT_LANGUAGE, key, **params)


def translate(language: str, key: str, /, **params: object) -> str:
    """The message in ``language``; a missing key shows itself rather than failing a request."""
    template = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key, key)
    return template.format(**params) if params else template
