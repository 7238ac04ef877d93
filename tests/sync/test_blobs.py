"""Photos: content-addressed, type-sniffed, size-capped, atomic, readable only in scope."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from sync.clock import ManualClock
from sync.store.blobs import BlobFolder
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
    # Nobody may read it until a record refers to it.
    assert (await demo_client.get(url, headers=phone.headers)).status_code == 404
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
