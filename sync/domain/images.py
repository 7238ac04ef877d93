"""What a stored photo may be: its type sniffed from the bytes (never trusted from a
header or a file name), its size and its pixel count capped before anything is decoded.

Every path that keeps a photo (the liaisons' uploads, the residents' reports) goes
through ``inspect`` first: it reads only the image's header, so a 72 KiB PNG that
claims 59 megapixels is refused without the 230 MiB its pixels would take.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# A 48 MP phone photo is 8000 x 6000; nobody reporting a blocked stairwell needs more.
MAX_PIXELS = 40_000_000
# Pillow's own guard, for any decode we did not foresee: it warns above this and raises
# DecompressionBombError above twice this. The warning is made an error once, for the
# whole process, so that it too is a refusal wherever Pillow opens an image.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

# The formats Pillow may try: no other parser ever sees an upload.
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
ORIENTATION = 0x0112


class ImageRefused(Exception):
    """Not a photo we keep; ``reason`` is ``not_image``, ``too_large`` or ``too_many_pixels``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageFacts:
    media_type: str
    width: int
    height: int
    orientation: int  # EXIF orientation, 1 when none (upright)


def sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def open_header(data: bytes) -> Image.Image:
    """The image with only its header read (Pillow decodes pixels on ``load``), refused
    when it is not one of our formats or has more than MAX_PIXELS pixels."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused("too_large")
    media_type = sniff_image(data)
    if media_type is None:
        raise ImageRefused("not_image")
    try:
        image = Image.open(io.BytesIO(data), formats=[FORMATS[media_type]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ImageRefused("not_image") from None
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise ImageRefused("too_many_pixels")
    return image


def inspect(data: bytes) -> ImageFacts:
    """The photo's type, size and orientation, from its header alone."""
    media_type = sniff_image(data)
    with open_header(data) as image:
        try:
            orientation = image.getexif().get(ORIENTATION, 1)
        except (OSError, ValueError, SyntaxError, EOFError, KeyError, TypeError):
            orientation = 1  # unreadable EXIF: it is dropped anyway
        assert media_type is not None  # open_header refused anything else
        return ImageFacts(media_type=media_type, width=image.width, height=image.height,
                          orientation=orientation if orientation in range(1, 9) else 1)
