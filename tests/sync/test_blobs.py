"""Photos: content-addressed, type-sniffed, size-capped, atomic, readable only in scope."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient
from PIL import Image, ImageFile, PngImagePlugin

from sync.clock import ManualClock
from sync.domain.images import ImageRefused, inspect
from sync.domain.metadata import strip_metadata
from sync.store.blobs import BlobFolder
from tests.qr.helpers import jpeg_with_gps, png_of_59_megapixels
from tests.reference_client import Device
from tests.sync.helpers import device, new_case


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_upload_missing_and_scoped_read(demo_client: AsyncTestClient,
                                              clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    photo = jpeg()
    digest = sha(photo)
    url = f"/api/v1/blobs/{digest}"
    missing = await demo_client.post("/api/v1/blobs/missing", headers=phone.headers,
                                     json={"hashes": [digest, digest]})
    assert missing.json() == {"missing": [digest]}
    assert (await demo_client.put(url, content=photo, headers=phone.headers)).status_code == 201
    assert (await demo_client.put(url, content=photo, headers=phone.headers)).status_code == 200
    assert (await demo_client.post("/api/v1/blobs/missing", headers=phone.headers,
                                   json={"hashes": [digest]})).json() == {"missing": []}
    # Only its uploader may read it until a record refers to it.
    assert (await demo_client.get(url, headers=phone.headers)).status_code == 200
    colleague = await device(demo_client, clock, "liaison02")
    assert (await demo_client.get(url, headers=colleague.headers)).status_code == 404
    case = phone.write("case", "c-hy-01", new_case())
    phone.write("attachment", "c-hy-01", {"parent_kind": "case",
                                          "parent_id": case["record_id"],
                                          "sha256": digest, "media_type": "image/jpeg"})
    await phone.push()
    for username, status in (("liaison02", 200), ("leader01", 200), ("bureau01", 200),
                             ("liaison03", 404), ("leader02", 404)):
        reader = await device(demo_client, clock, username)
        response = await demo_client.get(url, headers=reader.headers)
        assert response.status_code == status, username
        if status == 200:
            assert response.content == photo
            assert response.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize(("body", "claimed", "status", "code"), [
    (b"%PDF-1.4 not a photo", None, 415, "unsupported_type"),
    (jpeg(), "0" * 64, 400, "hash_mismatch"),
    (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), None, 413, "too_large"),
    (jpeg(), "XYZ", 400, "invalid_request"),
])
async def test_bad_uploads_get_their_codes(demo_client: AsyncTestClient, clock: ManualClock,
                                           body: bytes, claimed: str | None, status: int,
                                           code: str) -> None:
    phone = await device(demo_client, clock, "liaison01")
    response = await demo_client.put(f"/api/v1/blobs/{claimed or sha(body)}", content=body,
                                     headers=phone.headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_blobs_need_a_login_and_valid_hashes(demo_client: AsyncTestClient,
                                                   clock: ManualClock) -> None:
    photo = jpeg()
    assert (await demo_client.put(f"/api/v1/blobs/{sha(photo)}", content=photo)
            ).status_code == 401
    phone = await device(demo_client, clock, "liaison01")
    response = await demo_client.post("/api/v1/blobs/missing", headers=phone.headers,
                                      json={"hashes": ["abc"]})
    assert response.status_code == 400 and response.json()["error"]["field"] == "hashes[0]"


def test_a_killed_write_leaves_no_half_written_blob(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = BlobFolder(tmp_path)
    photo = jpeg()

    def killed(*_: object) -> None:
        raise KeyboardInterrupt  # the process dies between write and rename

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        folder.write(sha(photo), photo)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    folder.write(sha(photo), photo)
    assert folder.read(sha(photo)) == photo


async def attach(phone: Device, community_id: str, digest: str) -> None:
    """A case in ``community_id`` with an attachment referring to ``digest``, pushed."""
    case = phone.write("case", community_id, new_case())
    phone.write("attachment", community_id, {"parent_kind": "case",
                                             "parent_id": case["record_id"],
                                             "sha256": digest, "media_type": "image/jpeg"})
    await phone.push()


async def test_a_hash_learnt_from_elsewhere_opens_no_photo_of_another_community(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    owner = await device(demo_client, clock, "liaison01")
    photo = jpeg("blue")
    digest = sha(photo)
    url = f"/api/v1/blobs/{digest}"
    assert (await demo_client.put(url, content=photo, headers=owner.headers)).status_code == 201
    await attach(owner, "c-hy-01", digest)

    # A liaison of squad js points an attachment in their own community at the hash.
    thief = await device(demo_client, clock, "liaison03")
    await attach(thief, "c-js-01", digest)
    for username in ("liaison03", "leader02"):
        reader = await device(demo_client, clock, username)
        assert (await demo_client.get(url, headers=reader.headers)).status_code == 404, username
    # ... and cannot learn that the hash is stored anywhere.
    assert (await demo_client.post("/api/v1/blobs/missing", headers=thief.headers,
                                   json={"hashes": [digest]})).json() == {"missing": [digest]}
    # The bureau reads the photo through the owner's reference, as before.
    bureau = await device(demo_client, clock, "bureau01")
    assert (await demo_client.get(url, headers=bureau.headers)).content == photo

    # Whoever really has the bytes may send them (201: new to them, nothing said of
    # others), and the reference they made now opens the photo to their community.
    assert (await demo_client.put(url, content=photo, headers=thief.headers)).status_code == 201
    assert (await demo_client.put(url, content=photo, headers=thief.headers)).status_code == 200
    for username in ("liaison03", "leader02"):
        reader = await device(demo_client, clock, username)
        assert (await demo_client.get(url, headers=reader.headers)).status_code == 200, username


async def test_missing_names_what_the_asker_has_not_sent_whoever_else_has(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    first = await device(demo_client, clock, "liaison01")
    second = await device(demo_client, clock, "liaison02")
    photo = jpeg("green")
    digest = sha(photo)
    url = f"/api/v1/blobs/{digest}"
    assert (await demo_client.put(url, content=photo, headers=first.headers)).status_code == 201
    ask = {"hashes": [digest]}
    assert (await demo_client.post("/api/v1/blobs/missing", headers=second.headers, json=ask)
            ).json() == {"missing": [digest]}
    assert (await demo_client.put(url, content=photo, headers=second.headers)).status_code == 201
    assert (await demo_client.post("/api/v1/blobs/missing", headers=second.headers, json=ask)
            ).json() == {"missing": []}
    assert (await demo_client.get(url, headers=second.headers)).status_code == 200


# --- metadata: stripped from what is kept, pixels untouched ------------------------------

GPS_IFD = 0x8825


def with_metadata(fmt: str, *, size: tuple[int, int] = (48, 32), colour: int = 90,
                  orientation: int = 6, progressive: bool = False) -> bytes:
    """An image as a phone writes it: EXIF with GPS, a maker and an orientation, and the
    format's text metadata (a JPEG comment, PNG text chunks, WebP XMP)."""
    image = Image.new("RGB", size, (colour, 255 - colour, 40))
    image.putpixel((0, 0), (255, 0, 0))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (31.0, 12.0, 30.0), 3: "E", 4: (121.0, 25.0, 10.0)}
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", exif=exif, comment=b"PhoneMaker comment", quality=90,
                   progressive=progressive)
    elif fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "PhoneMaker")
        info.add_itxt("Location", "PhoneMaker 上海", zip=True)
        image.save(out, "PNG", exif=exif, pnginfo=info)
    else:
        image.save(out, "WEBP", exif=exif, xmp=b"<x:xmpmeta>PhoneMaker</x:xmpmeta>",
                   lossless=True)
    return out.getvalue()


def decoded(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


@settings(max_examples=60, deadline=None)
@given(fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]),
       size=st.tuples(st.integers(1, 70), st.integers(1, 70)), colour=st.integers(0, 255),
       orientation=st.integers(1, 8), progressive=st.booleans())
def test_stripping_drops_every_metadata_block_and_keeps_the_pixels(
        fmt: str, size: tuple[int, int], colour: int, orientation: int,
        progressive: bool) -> None:
    raw = with_metadata(fmt, size=size, colour=colour, orientation=orientation,
                        progressive=progressive)
    assert b"PhoneMaker" in raw
    facts = inspect(raw)
    kept = strip_metadata(raw, facts.media_type, orientation=facts.orientation)
    assert b"PhoneMaker" not in kept
    assert decoded(kept) == decoded(raw)  # the same pixels: nothing was re-encoded
    with Image.open(io.BytesIO(kept)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD)
        # A JPEG keeps the one tag that turns its pixels upright; nothing else does.
        expected = {0x0112: orientation} if fmt == "JPEG" and orientation != 1 else {}
        assert dict(exif) == expected
        assert not any(key in image.info for key in ("xmp", "comment", "Author", "Location"))
    # Stripping what is already stripped changes nothing.
    again = inspect(kept)
    assert strip_metadata(kept, again.media_type, orientation=again.orientation) == kept


@settings(max_examples=200, deadline=None)
@given(fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]), data=st.data())
def test_a_damaged_file_is_stripped_or_refused_never_crashes(fmt: str,
                                                             data: st.DataObject) -> None:
    raw = bytearray(with_metadata(fmt))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    damaged = bytes(raw[:cut])
    media_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    try:
        kept = strip_metadata(damaged, media_type)
    except ImageRefused:
        return
    assert len(kept) <= len(damaged) + 64


async def test_a_liaisons_photo_is_kept_without_its_gps_and_served_under_its_hash(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    photo = jpeg_with_gps((64, 48))
    digest = sha(photo)
    url = f"/api/v1/blobs/{digest}"
    assert (await demo_client.put(url, content=photo, headers=phone.headers)).status_code == 201
    await attach(phone, "c-hy-01", digest)
    colleague = await device(demo_client, clock, "liaison02")
    served = (await demo_client.get(url, headers=colleague.headers)).content
    assert b"PhoneMaker" not in served and served != photo
    with Image.open(io.BytesIO(served)) as image:
        assert dict(image.getexif()) == {0x0112: 6} and not image.getexif().get_ifd(GPS_IFD)
    assert decoded(served) == decoded(photo)


async def test_a_photo_of_59_megapixels_is_refused_without_being_decoded(
        demo_client: AsyncTestClient, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    decodes: list[object] = []
    original = ImageFile.ImageFile.load

    def counted(self: ImageFile.ImageFile) -> object:
        decodes.append(self)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    phone = await device(demo_client, clock, "liaison01")
    bomb = png_of_59_megapixels()
    response = await demo_client.put(f"/api/v1/blobs/{sha(bomb)}", content=bomb,
                                     headers=phone.headers)
    assert response.status_code == 413
    assert response.json()["error"] == {"code": "too_large",
                                        "message": "图片像素过多：每张不超过 4000 万像素"}
    assert decodes == []
