"""Pull cursors: opaque to devices, signed so a forged or foreign one is refused.

A cursor says: every change with version <= ``since`` in the user's scope was delivered,
except those of the transactions ``in_flight`` when ``since`` was read, which the next
run delivers once they have committed (store/versions.py). While a page run is under
way, ``upto`` is as far as the run reads (0 between runs), ``late`` are the versions
claimed by transactions settled at its start (delivered with the changes after
``since``), ``position`` is the last version delivered and ``backfill`` lists
communities that entered the scope and are being sent whole.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import msgspec

from sync.errors import DomainError


class Cursor(msgspec.Struct, frozen=True, array_like=True):
    user_id: str
    since: int
    position: int = 0
    backfill: tuple[str, ...] = ()
    # Fields added with migration 0011: a cursor issued before decodes with the defaults.
    upto: int = 0
    late: tuple[tuple[int, int], ...] = ()
    in_flight: tuple[int, ...] = ()


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Cursor)
_MAC_BYTES = 16


def encode(cursor: Cursor, *, key: bytes) -> str:
    payload = _encoder.encode(cursor)
    mac = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def decode(text: str, *, key: bytes, user_id: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise DomainError("invalid_cursor", field="cursor") from None
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, expected):
        raise DomainError("invalid_cursor", field="cursor")
    try:
        cursor = _decoder.decode(payload)
    except msgspec.DecodeError:
        raise DomainError("invalid_cursor", field="cursor") from None
    if cursor.user_id != user_id:
        raise DomainError("invalid_cursor", field="cursor")
    return cursor
