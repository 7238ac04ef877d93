"""Residents' photos are re-encoded before they are kept.

A phone's JPEG carries EXIF: the GPS position of the resident's home, the phone's
model, the time. Decoding the pixels and encoding a fresh JPEG keeps none of it, caps
the size for liaisons pulling on a weak signal, and means we never store a file whose
bytes a stranger chose (a polyglot, a PDF named .jpg).

The residents' page needs no login, so decoding is where a stranger could spend the
server's memory: a 72 KiB PNG can claim 59 megapixels, 230 MiB once decoded. The pixel
count is read from the header and capped before any decode (sync/domain/images.py), and
the process decodes one photo at a time, on a thread of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from sync.domain.images import MAX_IMAGE_BYTES, ImageRefused, open_header

MAX_UPLOAD_BYTES = MAX_IMAGE_BYTES
MAX_PHOTOS = 3
LONG_SIDE = 1600
QUALITY = 82

_REFUSALS = {"too_large": "qr_photo_too_large", "not_image": "qr_photo_not_image",
             "too_many_pixels": "qr_photo_too_many_pixels"}
# One decode at a time in the whole process, whatever number of reports arrive at once:
# the memory a decode takes is bounded by the pixel cap, and so is the server's.
_DECODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-decode")


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


async def reencode_in_turn(raw: bytes) -> Photo:
    """``reencode`` on the process's one decoding thread, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_DECODER, reencode, raw)


def reencode(raw: bytes) -> Photo:
    """A fresh JPEG of the photo, upright, at most LONG_SIDE pixels, without metadata."""
    try:
        with open_header(raw) as image:
            # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale: a phone's 12 MP photo is
            # read at about the size it is kept at, not at full size.
            image.draft(None, (LONG_SIDE, LONG_SIDE))
            # Turn it the way the phone held it, since the EXIF that said so goes.
            upright = ImageOps.exif_transpose(image).convert("RGB")
            upright.thumbnail((LONG_SIDE, LONG_SIDE))
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=QUALITY, optimize=True)
    except ImageRefused as refused:
        raise PhotoRefused(_REFUSALS[refused.reason]) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused("qr_photo_not_image") from None
    data = out.getvalue()
    return Photo(data=data, sha256=hashlib.sha256(data).hexdigest())
