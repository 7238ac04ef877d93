"""Residents' photos are re-encoded before they are kept.

A phone's JPEG carries EXIF: the GPS position of the resident's home, the phone's
model, the time. Decoding the pixels and encoding a fresh JPEG keeps none of it, caps
the size for liaisons pulling on a weak signal, and means we never store a file whose
bytes a stranger chose (a polyglot, a decompression bomb, a PDF named .jpg).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from sync.domain.images import sniff_image

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 3
# A 48 MP phone photo is ~8000 x 6000; beyond that it is not a photo.
MAX_PIXELS = 60_000_000
LONG_SIDE = 1600
QUALITY = 82


class PhotoRefused(Exception):
    """The upload is not a photo we keep; ``code`` names the resident's error page."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Photo:
    data: bytes
    sha256: str
    media_type: str = "image/jpeg"


def reencode(raw: bytes) -> Photo:
    """A fresh JPEG of the photo, upright, at most LONG_SIDE pixels, without metadata."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise PhotoRefused("qr_photo_too_large")
    if sniff_image(raw) is None:
        raise PhotoRefused("qr_photo_not_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoRefused("qr_photo_not_image")
                # Turn it the way the phone held it, since the EXIF that said so goes.
                upright = ImageOps.exif_transpose(image)
                upright = upright.convert("RGB")
                upright.thumbnail((LONG_SIDE, LONG_SIDE))
                out = io.BytesIO()
                upright.save(out, "JPEG", quality=QUALITY, optimize=True)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused("qr_photo_not_image") from None
    data = out.getvalue()
    return Photo(data=data, sha256=hashlib.sha256(data).hexdigest())
