"""What user text may hold, and how deep a value may nest: decided once, at the gate. Pure.

Every string a user sends — a mutation's fields, a form, a path, a query — may hold any
Unicode character except these, which no one types and which break what others read:

- C0 controls other than tab, line feed and carriage return, DEL and the C1 controls
  (PostgreSQL cannot store NUL; XML, so an Excel export, cannot hold most C0 controls);
- lone surrogates and the noncharacters U+FDD0–U+FDEF, U+FFFE, U+FFFF (not text);
- the bidirectional embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069,
  which make a duty-log line or a case title read differently from what it holds.

Values nest at most ``MAX_VALUE_DEPTH`` containers deep inside a mutation's field (the
kinds need one: a GPS fix, a list of partners). msgspec decodes recursively, so a body
nested deeper than Python's recursion limit cannot be decoded at all; ``clamp_depth``
replaces what lies too deep with ``TOO_DEEP`` first, and the gate rejects the mutation
that held it. Everything here walks values iteratively: no input can exhaust the stack.
"""

from __future__ import annotations

import html
import re
from typing import Any

# As escapes, not the characters: a pattern holding a lone surrogate cannot be printed
# (in an OpenAPI document, say), and ECMAScript regular expressions read the same escapes.
_FORBIDDEN_CHARS = (r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                    r"\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff")
FORBIDDEN = re.compile(f"[{_FORBIDDEN_CHARS}]")
# A forbidden character in raw JSON: as an escape (\b and \f too), or as its UTF-8
# bytes (raw C0 controls are not valid JSON, so the decoder refuses those itself). Each
# way is looked for only where its first bytes occur at all (a memchr-fast ``in``): a
# push's body is scanned at a small fraction of what decoding it costs.
_RAW_HINTS = tuple((prefix, re.compile(pattern)) for prefix, pattern in (
    (b"\\", rb"\\(?:[bf]|u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]"
             rb"|206[6-9]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF][dD][dDeE][0-9a-fA-F]"
             rb"|[fF]{3}[eEfF]))"),
    (b"\xc2", rb"\xc2[\x80-\x9f]"),
    (b"\xe2\x80", rb"\xe2\x80[\xaa-\xae]"),
    (b"\xe2\x81", rb"\xe2\x81[\xa6-\xa9]"),
    (b"\xef\xb7", rb"\xef\xb7[\x90-\xaf]"),
    (b"\xef\xbf", rb"\xef\xbf[\xbe\xbf]"),
    (b"\x7f", rb"\x7f"),
))
REPLACEMENT = "\ufffd"

MAX_VALUE_DEPTH = 4
# What clamp_depth leaves where a value nested too deep: a noncharacter, so it can only
# come from the clamp (a user's own is forbidden), and the gate names it for what it is.
TOO_DEEP = "\ufdd0"
# What the rejected-mutation store keeps of one rejected mutation's fields, at most: it is
# read by supervisors' queues, and one user's junk must not weigh on their pages.
MAX_LOGGED_CHARS = 20_000

_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def may_hold_forbidden(raw: bytes) -> bool:
    """Whether JSON text may hold a forbidden character; False means none of its
    strings needs looking through."""
    return any(prefix in raw and pattern.search(raw) is not None
               for prefix, pattern in _RAW_HINTS)


def first_forbidden(text: str) -> str | None:
    found = FORBIDDEN.search(text)
    return found.group() if found else None


def clean(text: str) -> str:
    """``text`` with every forbidden character replaced by U+FFFD."""
    return FORBIDDEN.sub(REPLACEMENT, text)


def strip(text: str) -> str:
    """``text`` without its forbidden characters: for what a resident pastes into the
    report form, which is taken rather than refused (a replacement mark would puzzle)."""
    return FORBIDDEN.sub("", text)


def for_markup(value: str) -> str:
    """``value`` for markup built by hand (an SVG chart, a QR image's title): what user
    text may not hold stripped, then escaped — what Jinja's pages do for every value."""
    return html.escape(strip(value))


def depth(value: Any) -> int:
    """How many containers deep ``value`` nests (a scalar is 0)."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children)
    return deepest


def problem(value: Any) -> str | None:
    """The first reason a value (keys and strings within it) may not be stored:
    ``"too_deep"`` or ``"forbidden_char"``; None when it may."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item == TOO_DEEP:
                return "too_deep"
            if FORBIDDEN.search(item):
                return "forbidden_char"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def for_log(value: Any, *, omitted: str, max_depth: int = MAX_VALUE_DEPTH + 1,
            max_chars: int = MAX_LOGGED_CHARS) -> Any:
    """A copy of a rejected value that every reader can take: strings cleaned, containers
    deeper than ``max_depth`` and whatever lies beyond ``max_chars`` replaced by
    ``omitted``. Built without recursion."""
    budget = max_chars
    root: list[Any] = [None]
    # (value, the container to put its copy in, the key or index there, its depth)
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, key, level = stack.pop()
        if budget <= 0:
            copy: Any = omitted
        elif isinstance(item, str):
            copy = omitted if item == TOO_DEEP else clean(item[:budget])
            budget -= len(item)
        elif isinstance(item, (dict, list)):
            if level >= max_depth:
                copy = omitted
            elif isinstance(item, dict):
                copy = {}
                for name, child in item.items():
                    name = clean(str(name)[:200])
                    copy[name] = None
                    budget -= len(name)
                    stack.append((child, copy, name, level + 1))
            else:
                copy = [None] * len(item)
                stack.extend((child, copy, index, level + 1)
                             for index, child in enumerate(item))
                budget -= len(item)
        else:
            copy = item
            budget -= 8
        parent[key] = copy
    return root[0]


def clamp_depth(raw: bytes, *, limit: int) -> bytes:
    """JSON text with every container nested deeper than ``limit`` replaced by the string
    ``TOO_DEEP``: what the decoder can then take whatever its recursion limit. Malformed
    JSON stays malformed (the decoder then says so)."""
    placeholder = b'"\\ufdd0"'
    pieces: list[bytes] = []
    level = 0
    kept_to = 0
    cut_from = -1
    for token in _TOKEN.finditer(raw):
        first = raw[token.start()]
        if first in b"[{":
            level += 1
            if level == limit + 1:
                cut_from = token.start()
        elif first in b"]}":
            if level == limit + 1 and cut_from >= 0:
                pieces.append(raw[kept_to:cut_from])
                pieces.append(placeholder)
                kept_to = token.end()
                cut_from = -1
            level -= 1
    pieces.append(raw[kept_to:])
    return b"".join(pieces)
