"""The QR images: SVG (posters, other layouts; scales to any print size) and PNG."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from sync.domain.text import for_markup

BORDER = 4  # the quiet zone the standard asks for; scanners fail without it


def public_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/r/{code}"


def _matrix(data: str) -> list[list[bool]]:
    # Level M survives a poster's scuffs and stains and keeps a short URL at 33 x 33.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def svg(data: str, *, title: str = "") -> str:
    """A standalone SVG that scales to its box: one path, no fixed size."""
    matrix = _matrix(data)
    size = len(matrix)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix)
                   for x, dark in enumerate(row) if dark)
    # The title is a community's name: escaped, and without what XML cannot hold, so the
    # file still parses as a standalone SVG.
    label = f"<title>{for_markup(title)}</title>" if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'shape-rendering="crispEdges" role="img">{label}'
            f'<rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path d="{path}" fill="#000"/></svg>')


def png(data: str, *, box_size: int = 12) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, box_size=box_size)
    qr.add_data(data)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(out)
    return out.getvalue()
