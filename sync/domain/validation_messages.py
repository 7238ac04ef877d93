"""msgspec's validation messages, told in the users' language.

A liaison sees the server's reason for a rejected record on the sync screen, so
"Expected `str` of length <= 200" has to read as "文字不能超过 200 个字".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sync.i18n import t

_TYPES = {"str": "type.str", "int": "type.int", "float": "type.float", "bool": "type.bool",
          "object": "type.object", "array": "type.array", "null": "type.null",
          "datetime": "type.datetime"}


def _type(name: str) -> str:
    parts = [p.strip() for p in name.split("|")]
    return "或".join(t(_TYPES[p]) if p in _TYPES else p for p in parts)


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^Expected `datetime` with a timezone component"),
     lambda m: t("validation.datetime_tz")),
    (re.compile(r"^Invalid RFC3339 encoded datetime"), lambda m: t("validation.datetime")),
    (re.compile(r"^Expected `(?:str|array|object)` of length <= (\d+)"),
     lambda m: t("validation.max_length", n=m.group(1))),
    (re.compile(r"^Expected `(?:str|array|object)` of length >= (\d+)"),
     lambda m: t("validation.min_length", n=m.group(1))),
    (re.compile(r"^Expected `(?:int|float)` >= (\S+)"), lambda m: t("validation.ge", n=m.group(1))),
    (re.compile(r"^Expected `(?:int|float)` <= (\S+)"), lambda m: t("validation.le", n=m.group(1))),
    (re.compile(r"^Expected `str` matching regex"), lambda m: t("validation.pattern")),
    (re.compile(r"^Invalid enum value (.+)$"), lambda m: t("validation.enum", value=m.group(1))),
    (re.compile(r"^Object missing required field `([^`]+)`"),
     lambda m: t("validation.missing", name=m.group(1))),
    (re.compile(r"^Object contains unknown field `([^`]+)`"),
     lambda m: t("validation.unknown", name=m.group(1))),
    (re.compile(r"^Expected `([^`]+)`, got `([^`]+)`"),
     lambda m: t("validation.type", expected=_type(m.group(1)), got=_type(m.group(2)))),
]


def describe(message: str) -> str:
    """A zh-CN sentence for a msgspec validation message (without its ``- at`` path)."""
    for pattern, render in _RULES:
        match = pattern.search(message)
        if match:
            return render(match)
    return message
