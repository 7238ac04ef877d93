"""The office side: codes created, listed, revoked and replaced; posters; the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from sync.cli import main
from sync.settings import Settings
from tests.conftest import login


async def test_a_squad_leader_posts_replaces_and_revokes_codes_of_the_squad(
        demo_client: AsyncTestClient) -> None:
    leader = await login(demo_client, "leader01")  # 华阳路 squad
    created = await demo_client.post("/api/v1/qr/codes", headers=leader, json={
        "community_id": "c-hy-01", "placement": "物业"})
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["url"] == f"http://127.0.0.1/r/{first['code']}"
    assert first["state"] == "active" and first["placement"] == "物业"

    replaced = await demo_client.post(f"/api/v1/qr/codes/{first['code']}/replace",
                                      headers=leader)
    second = replaced.json()
    assert second["code"] != first["code"] and second["placement"] == "物业"
    custom = (await demo_client.post("/api/v1/qr/codes", headers=leader, json={
        "community_id": "c-hy-01", "placement": "5 号楼架空层"})).json()
    revoked = await demo_client.post(f"/api/v1/qr/codes/{custom['code']}/revoke",
                                     headers=leader)
    assert revoked.json()["state"] == "revoked"

    listed = (await demo_client.get("/api/v1/qr/codes", params={"community_id": "c-hy-01"},
                                    headers=leader)).json()["codes"]
    assert {(c["code"], c["state"]) for c in listed} == {
        (first["code"], "replaced"), (second["code"], "active"), (custom["code"], "revoked")}
    assert next(c for c in listed if c["code"] == first["code"])["replaced_by"] == second["code"]
    # The old poster's code no longer takes reports.
    assert (await demo_client.get(f"/r/{first['code']}")).status_code == 410
    assert (await demo_client.get(f"/r/{second['code']}")).status_code == 200


@pytest.mark.parametrize(("username", "status"), [
    ("liaison01", 403), ("leader02", 403), ("bureau01", 403), ("admin", 201)])
async def test_only_admins_and_the_squads_leader_may_post_codes(
        demo_client: AsyncTestClient, username: str, status: int) -> None:
    headers = await login(demo_client, username)
    response = await demo_client.post("/api/v1/qr/codes", headers=headers, json={
        "community_id": "c-hy-01", "placement": "居委会"})
    assert response.status_code == status, response.text
    assert (await demo_client.post("/api/v1/qr/codes", json={
        "community_id": "c-hy-01", "placement": "居委会"})).status_code == 401


async def test_posters_images_and_a_squads_batch(demo_client: AsyncTestClient) -> None:
    leader = await login(demo_client, "leader01")
    codes = []
    for community, placement in (("c-hy-01", "居委会"), ("c-hy-01", "小区出入口"),
                                 ("c-hy-02", "物业")):
        codes.append((await demo_client.post("/api/v1/qr/codes", headers=leader, json={
            "community_id": community, "placement": placement})).json())
    poster = await demo_client.get("/api/v1/qr/posters", params={"community_id": "c-hy-01"},
                                   headers=leader)
    assert poster.status_code == 200 and poster.headers["content-type"].startswith("text/html")
    html = poster.text
    assert html.count('class="sheet"') == 2
    assert "华三居民区" in html and "张伟" in html and "13800000001" in html
    assert "@page { size: A4" in html and "<svg" in html and codes[0]["url"] in html
    batch = await demo_client.get("/api/v1/qr/posters", params={"squad_id": "sq-hy"},
                                  headers=leader)
    assert batch.text.count('class="sheet"') == 3 and "大西别墅居民区" in batch.text
    png = await demo_client.get(f"/api/v1/qr/codes/{codes[0]['code']}/image/png",
                                headers=leader)
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = await demo_client.get(f"/api/v1/qr/codes/{codes[0]['code']}/image/svg",
                                headers=leader)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    gif = await demo_client.get(f"/api/v1/qr/codes/{codes[0]['code']}/image/gif",
                                headers=leader)
    assert gif.status_code == 404 and gif.json()["error"]["code"] == "not_found"
    other = await login(demo_client, "leader02")
    assert (await demo_client.get("/api/v1/qr/posters", params={"community_id": "c-hy-01"},
                                  headers=other)).status_code == 403


def test_the_cli_creates_lists_revokes_and_prints_posters(
        seeded: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", seeded.database_url, "--data-dir", str(tmp_path),
          "--base-url", "https://workroom.example.gov.cn/"]
    assert main(["qr", "create", "c-hy-01", "--placement", "小区出入口", *db]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://workroom.example.gov.cn/r/") and len(url.rsplit("/")[-1]) == 16
    code = url.rsplit("/", 1)[-1]
    assert main(["qr", "create", "c-hy-01", "--placement", "居委会", *db]) == 0
    capsys.readouterr()

    assert main(["qr", "revoke", code, *db]) == 0
    assert capsys.readouterr().out.strip() == f"{code} revoked"
    assert main(["qr", "list", "c-hy-01", *db]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(line[1], line[2]) for line in lines] == [("小区出入口", "revoked"),
                                                      ("居委会", "active")]
    assert lines[0][0] == url

    out = tmp_path / "poster.html"
    assert main(["qr", "poster", "c-hy-01", "--out", str(out), *db]) == 0
    assert "1 page(s)" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").count('class="sheet"') == 1
    assert main(["qr", "image", lines[1][0].rsplit("/", 1)[-1], "--out",
                 str(tmp_path / "code.png"), *db]) == 0
    assert (tmp_path / "code.png").read_bytes().startswith(b"\x89PNG")

    assert main(["qr", "create", "c-nowhere", "--placement", "居委会", *db]) == 2
    assert main(["qr", "create", "c-hy-01", "--placement", " ", *db]) == 2
    assert "张贴位置不能为空" in capsys.readouterr().err
    assert main(["qr", "figures", "c-hy-01", *db]) == 0
    # Posted "today" by the system clock: not stale yet; everything is stale after 0 days.
    capsys.readouterr()
    assert main(["qr", "list", "--stale-days", "30", *db]) == 0
    assert capsys.readouterr().out == ""
    assert main(["qr", "list", "--stale-days", "-1", *db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # the active one


def test_the_poster_carries_the_liaisons_wechat_card_inline(tmp_path: Path) -> None:
    from sync.domain.org import Card, Community
    from sync.qr import poster
    from sync.qr.registry import PosterPage
    from sync.store.blobs import BlobFolder
    from sync.store.qr import QrCode
    from tests.qr.helpers import jpeg_with_gps

    folder = BlobFolder(tmp_path)
    image = jpeg_with_gps((40, 40))
    folder.write("ab" * 32, image)
    card = Card(community=Community(id="c-hy-01", name="华三居民区", squad_id="sq-hy",
                                    squad_name="华阳路街道中队"),
                liaison_name="张伟<b>", phone="13800000001", wechat_sha256="ab" * 32)
    code = QrCode(code="abcdefghijklmnop", community_id="c-hy-01", community_name="华三居民区",
                  squad_id="sq-hy", placement="物业", created_ms=0, posted_ms=0,
                  revoked_ms=None, replaced_by=None, last_scan_ms=None)
    html = poster.render([PosterPage(card=card, code=code)], base_url="https://w.example/",
                         folder=folder)
    assert 'src="data:image/jpeg;base64,' in html and "加联络员微信" in html
    # The printed page's title names the community, never its internal id.
    assert "<title>" in html and "c-hy-01" not in html.split("</title>")[0]
    assert "华三居民区" in html.split("</title>")[0]
    assert "张伟&lt;b&gt;" in html and "https://w.example/r/abcdefghijklmnop" in html


async def test_the_office_api_is_in_the_openapi_document_and_resident_pages_are_not(
        demo_client: AsyncTestClient) -> None:
    paths = (await demo_client.get("/api/schema/openapi.json")).json()["paths"]
    assert {"/api/v1/qr/codes", "/api/v1/qr/posters", "/api/v1/qr/figures"} <= set(paths)
    assert not [p for p in paths if p.startswith(("/r/", "/console/qr"))]
