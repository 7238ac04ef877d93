"""A resident on a phone, in real Chromium with JavaScript off, against a real server:
scan, report with a photo, follow the case, answer; bad inputs; the printed poster."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page

from tests.qr.e2e.conftest import ARTIFACTS, QrServer
from tests.qr.helpers import jpeg_with_gps

pytestmark = pytest.mark.e2e


def _photo(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _fill_report(page: Page, *, description: str, phone: str = "13812345678",
                 photos: list[str] | None = None) -> None:
    page.select_option("#category", "乱堆物")
    page.fill("#description", description)
    page.fill("#location", "3 号楼 1 单元门口")
    page.fill("#phone", phone)
    for n, path in enumerate(photos or []):
        page.locator("input[name=photo]").nth(n).set_input_files(path)


def _send(page: Page) -> Any:
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    return navigation.value


def test_a_resident_reports_from_a_phone_and_follows_the_case_to_the_answer(
        qr_server: QrServer, phone: BrowserContext, tmp_path: Path) -> None:
    url = qr_server.cli("qr", "create", "c-hy-01", "--placement", "小区出入口")
    page = phone.new_page()
    assert page.goto(url).status == 200  # type: ignore[union-attr]
    # Large type, and nothing wider than the phone.
    assert page.title().startswith("反映问题")
    font = page.locator("body").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 16
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("details summary").inner_text() == "个人信息保护说明"

    _fill_report(page, description="<script>document.title='x'</script>楼道里堆满纸箱",
                 photos=[_photo(tmp_path, "IMG_0001.jpg", jpeg_with_gps())])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "qr-report-phone.png"), full_page=True)
    done = _send(page)
    assert done.status == 200 and re.search(r"/r/t/[A-Za-z0-9_-]+\?new=1$", page.url)
    assert "您的反映已提交" in page.inner_text("main")
    number = page.inner_text("#tracking-number")
    assert re.fullmatch(r"QR\d{6}-[2-9A-HJ-NP-Z]{6}", number)
    link = page.get_attribute("#tracking-link", "href")
    assert link and link.startswith(qr_server.url + "/r/t/") and "?" not in link
    assert page.inner_text("#description") == "<script>document.title='x'</script>楼道里堆满纸箱"
    assert page.inner_text("#phone") == "138****5678"

    # The liaison's next pull has the case, its placement and the photo.
    token = qr_server.login("liaison01", "e2e-liaison")
    records = qr_server.pull(token)
    [case] = [r for r in records.values() if r["kind"] == "case"]
    assert case["fields"]["source"] == "qr"
    assert case["fields"]["qr_placement"] == "小区出入口"
    assert case["fields"]["qr_tracking_number"] == number
    [photo] = [r for r in records.values() if r["kind"] == "attachment"]
    assert photo["fields"]["parent_id"] == case["id"]

    # The liaison replies through the tracking page and resolves the case.
    qr_server.push(token, "e2e-liaison", [
        ("case_step", "step-accept-1", {"case_id": case["id"], "action": "accept"}),
        ("case_step", "step-reply-1", {"case_id": case["id"], "action": "feedback",
                                        "channel": "tracking_page",
                                        "content": "已联系物业，纸箱已清运。"}),
        ("case", case["id"], {"status": "resolved", "reopen_count": 0}),
    ], base_versions={case["id"]: case["version"]})

    page.goto(link)
    assert page.inner_text("#status") == "已办结"
    trail = page.inner_text("#trail")
    assert "联络员已受理" in trail and "已联系物业，纸箱已清运。" in trail
    page.screenshot(path=str(ARTIFACTS / "qr-tracking-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.check("input[name=outcome][value=solved]")
    page.check("input[name=satisfaction][value='5']")
    page.fill("#comment", "谢谢，处理很快")
    _send(page)
    assert "感谢您的评价" in page.inner_text("main")
    assert "解决了" in page.inner_text("#answer")

    fields = qr_server.pull(token)[case["id"]]["fields"]
    assert fields["resident_outcome"] == "solved"
    assert fields["resident_satisfaction"] == 5
    assert fields["resident_comment"] == "谢谢，处理很快"


@pytest.mark.parametrize(("bad", "status", "words"), [
    ("eleven_mib_photo", 413, "照片太大了"),
    ("pdf_renamed_jpg", 415, "不是照片"),
    ("invalid_phone", 400, "手机号格式不正确"),
])
def test_a_bad_report_gets_its_page_in_the_browser(
        qr_server: QrServer, phone: BrowserContext, tmp_path: Path, bad: str, status: int,
        words: str) -> None:
    url = qr_server.cli("qr", "create", "c-hy-01", "--placement", "居委会")
    page = phone.new_page()
    page.goto(url)
    photos, number = [], "13812345678"
    if bad == "eleven_mib_photo":
        photos = [_photo(tmp_path, "big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (11 << 20))]
    elif bad == "pdf_renamed_jpg":
        photos = [_photo(tmp_path, "scan.jpg", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")]
    else:
        number = "1381234"
    _fill_report(page, description="门口有人<b>摆摊</b>", phone=number, photos=photos)
    response = _send(page)
    assert response.status == status
    assert words in page.inner_text("#error")
    # The form is shown again with what the resident typed.
    assert page.input_value("#description") == "门口有人<b>摆摊</b>"


def test_a_revoked_code_gets_its_page(qr_server: QrServer, phone: BrowserContext) -> None:
    url = qr_server.cli("qr", "create", "c-hy-01", "--placement", "物业")
    qr_server.cli("qr", "revoke", url.rsplit("/", 1)[-1])
    page = phone.new_page()
    assert page.goto(url).status == 410  # type: ignore[union-attr]
    assert "二维码已停用" in page.inner_text("#error")


def test_posters_print_on_a4_without_cut_off(qr_server: QrServer, qr_browser: Browser,
                                            tmp_path: Path) -> None:
    for placement in ("居委会", "小区出入口"):
        qr_server.cli("qr", "create", "c-hy-02", "--placement", placement)
    out = tmp_path / "poster.html"
    qr_server.cli("qr", "poster", "c-hy-02", "--out", str(out))
    context = qr_browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(out.as_uri())
    page.emulate_media(media="print")
    sheets = page.locator(".sheet")
    assert sheets.count() >= 2
    for n in range(sheets.count()):
        sheet = sheets.nth(n)
        # Nothing inside overflows its A4 sheet (the sheet clips, so compare sizes).
        assert sheet.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
        assert sheet.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        box = sheet.bounding_box()
        assert box and abs(box["width"] - 794) < 2 and abs(box["height"] - 1123) < 2
    ARTIFACTS.mkdir(exist_ok=True)
    sheets.first.screenshot(path=str(ARTIFACTS / "qr-poster-a4-print.png"))
    page.screenshot(path=str(ARTIFACTS / "qr-poster-a4-print-all.png"), full_page=True)
    # Chromium's own print: exactly one A4 page per sheet.
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (ARTIFACTS / "qr-poster.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == sheets.count()
    # The QR code on the poster is a real, scannable image of the code's URL.
    code_box = sheets.first.locator(".code svg").bounding_box()
    assert code_box and code_box["width"] > 300
    shot = Image.open(io.BytesIO(sheets.first.screenshot()))
    assert shot.size[0] >= 790
    context.close()
