"""Metadata out of a photo, pixels untouched.

A liaison's phone writes the GPS position, the phone's model and the time into every
photo; none of it belongs on the server. Re-encoding would drop it but lose quality on
every JPEG, so the container is rewritten instead: the segments (JPEG) or chunks (PNG,
WebP) that carry pixels, colour and geometry are copied byte for byte and every other
one is dropped. What is kept is a list of the known-needed, not a list of the known-bad,
so a vendor's new metadata block goes too.

Pillow cannot do this without re-encoding and the exiv2 bindings would put a large C++
metadata parser in front of every upload; these walkers never interpret a metadata
block, they only skip it by its length. Anything whose structure does not add up is
refused (``ImageRefused("not_image")``) rather than kept half-parsed.

A JPEG's EXIF orientation is the one tag kept (as a fresh EXIF block holding only it),
since the phone's sensor stores the pixels sideways and only that tag turns them upright.
"""

from __future__ import annotations

import struct

from PIL import Image

from sync.domain.images import ORIENTATION, ImageRefused

# JPEG markers
_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_APP0, _APP15, _COM = 0xE0, 0xEF, 0xFE
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: no length follows
# The application segments that change how the pixels look, by their identifier.
_KEPT_APP = {0xE0: (b"JFIF\0",), 0xE2: (b"ICC_PROFILE\0",), 0xEE: (b"Adobe",)}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Critical chunks, colour and geometry, and APNG's frames; no text, no time, no eXIf.
_PNG_KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB",
             b"iCCP", b"sBIT", b"bKGD", b"pHYs", b"cICP", b"mDCV", b"cLLI", b"acTL",
             b"fcTL", b"fdAT"}

_WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def strip_metadata(data: bytes, media_type: str, *, orientation: int = 1) -> bytes:
    """``data`` without its metadata; ``orientation`` (JPEG only) is written back."""
    if media_type == "image/jpeg":
        return _strip_jpeg(data, orientation=orientation)
    if media_type == "image/png":
        return _strip_png(data)
    if media_type == "image/webp":
        return _strip_webp(data)
    raise ImageRefused("not_image")


def _strip_jpeg(data: bytes, *, orientation: int) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ImageRefused("not_image")
    out = [data[:2]]
    if orientation != 1:
        out.append(_orientation_segment(orientation))
    pos = 2
    while True:
        marker, start = _next_marker(data, pos)
        if marker == _EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)  # anything after the end (a phone's trailer) goes
        if marker in _STANDALONE:
            out.append(bytes((0xFF, marker)))
            pos = start
            continue
        if start + 2 > len(data):
            raise ImageRefused("not_image")
        (length,) = struct.unpack_from(">H", data, start)
        end = start + length
        if length < 2 or end > len(data):
            raise ImageRefused("not_image")
        body = data[start + 2:end]
        if _keep_segment(marker, body):
            out.append(data[start - 2:end])
        pos = end
        if marker == _SOS:
            # Entropy-coded data runs to the next marker that is neither a stuffed
            # 0xFF00 nor a restart: copy it as it is.
            scan_end = _scan_end(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end
            if pos == len(data):
                # Cut off before its end (a phone that ran out of space, a slow upload
                # the client retried from a partial file): keep what there is, as
                # viewers show it.
                out.append(b"\xff\xd9")
                return b"".join(out)


def _next_marker(data: bytes, pos: int) -> tuple[int, int]:
    """The marker at ``pos`` (fill bytes 0xFF skipped) and where its segment starts."""
    if pos >= len(data) or data[pos] != 0xFF:
        raise ImageRefused("not_image")
    while pos < len(data) and data[pos] == 0xFF:
        pos += 1
    if pos >= len(data):
        raise ImageRefused("not_image")
    return data[pos], pos + 1


def _scan_end(data: bytes, pos: int) -> int:
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        following = data[pos + 1]
        if following == 0x00 or following in range(0xD0, 0xD8) or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos


def _keep_segment(marker: int, body: bytes) -> bool:
    if marker == _COM:
        return False
    if _APP0 <= marker <= _APP15:
        return body.startswith(_KEPT_APP.get(marker, ()))
    return True


def _orientation_segment(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    payload = exif.tobytes()  # b"Exif\0\0" and a TIFF block with the one tag
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise ImageRefused("not_image")
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            break
        if kind in _PNG_KEPT:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            return b"".join(out)
    raise ImageRefused("not_image")


def _strip_webp(data: bytes) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ImageRefused("not_image")
    (riff_size,) = struct.unpack_from("<I", data, 4)
    limit = min(len(data), 8 + riff_size)
    chunks = []
    pos = 12
    while pos + 8 <= limit:
        kind = data[pos:pos + 4]
        (length,) = struct.unpack_from("<I", data, pos + 4)
        end = pos + 8 + length + (length & 1)  # chunks are padded to an even size
        if pos + 8 + length > limit:
            raise ImageRefused("not_image")
        chunk = data[pos:min(end, limit)]
        if kind == b"VP8X" and length >= 1:
            flags = chunk[8] & ~(_VP8X_EXIF | _VP8X_XMP)
            chunk = chunk[:8] + bytes((flags,)) + chunk[9:]
        if kind in _WEBP_KEPT:
            chunks.append(chunk + (b"\0" if len(chunk) & 1 else b""))
        pos = end
    if not chunks or pos < limit:
        raise ImageRefused("not_image")
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
