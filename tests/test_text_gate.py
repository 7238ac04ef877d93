"""The text gate (sync/domain/text.py): properties over any value a user could send."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.domain import text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=8), children, max_size=4),
    max_leaves=40)


def nest(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


@given(json_values, st.integers(1, 12))
def test_clamping_keeps_what_is_shallow_enough_and_cuts_the_rest_to_the_marker(
        value: Any, limit: int) -> None:
    raw = msgspec.json.encode(value)
    clamped = msgspec.json.decode(text.clamp_depth(raw, limit=limit))
    if text.depth(value) <= limit:
        assert clamped == value
    else:
        assert text.depth(clamped) <= limit
        assert text.TOO_DEEP in msgspec.json.encode(clamped).decode()


def test_a_body_deeper_than_the_decoder_can_follow_is_clamped_to_one_it_can() -> None:
    raw = b'{"a": "x[", "b": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    assert msgspec.json.decode(text.clamp_depth(raw, limit=3)) == {"a": "x[", "b": [[
        text.TOO_DEEP]]}


@given(st.text())
def test_clean_text_holds_no_forbidden_character_and_keeps_every_other(value: str) -> None:
    cleaned = text.clean(value)
    assert text.first_forbidden(cleaned) is None
    assert len(cleaned) == len(value)
    assert all(a == b or b == text.REPLACEMENT for a, b in zip(value, cleaned, strict=True))


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(s for v in value.values() for s in strings_in(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


@given(json_values)
def test_a_value_is_refused_exactly_when_it_holds_a_forbidden_character(value: Any) -> None:
    has_forbidden = any(text.FORBIDDEN.search(s) for s in strings_in(value))
    assert (text.problem(value) is not None) == has_forbidden


@settings(max_examples=200)
@given(json_values, st.integers(0, 30))
def test_what_the_log_keeps_of_a_rejected_value_is_clean_shallow_and_bounded(
        value: Any, extra_depth: int) -> None:
    kept = text.for_log(nest(value, extra_depth), omitted="省略", max_depth=5, max_chars=200)
    assert text.depth(kept) <= 5
    assert text.problem(kept) is None
    assert len(msgspec.json.encode(kept).decode()) < 200 * 8 + 1000


def test_the_raw_hint_sees_every_forbidden_character_a_json_body_can_carry() -> None:
    for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
                 *range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0xFDD0, 0xFDF0),
                 0xFFFE, 0xFFFF]:
        char = chr(code)
        escaped = msgspec.json.encode(char)
        raw_utf8 = ('"' + char + '"').encode() if code >= 0x20 else escaped
        assert text.may_hold_forbidden(escaped), hex(code)
        assert text.may_hold_forbidden(raw_utf8), hex(code)
        assert text.may_hold_forbidden(f'"\\u{code:04x}"'.encode()), hex(code)
        assert text.may_hold_forbidden(f'"\\u{code:04X}"'.encode()), hex(code)
    assert text.may_hold_forbidden(b'"\\ud800"')
    assert not text.may_hold_forbidden('{"title": "楼道堆物\\n\\t第二行 \\u4e2d"}'.encode())
