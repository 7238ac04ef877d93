"""The QR intake's pure rules: codes, phones, masking, placements, limits, weeks, photos."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sync.domain.shanghai import week_code_of
from sync.qr import rules
from sync.qr.photos import MAX_UPLOAD_BYTES, PhotoRefused, reencode
from sync.qr.registry import tally
from sync.store.qr import QrCode
from tests.qr.helpers import jpeg_with_gps


def test_codes_are_random_and_never_sequential() -> None:
    codes = {rules.new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(rules.looks_like_code(c) for c in codes)
    assert not rules.looks_like_code("1") and not rules.looks_like_code("../../etc/passwd")


@pytest.mark.parametrize(("typed", "kept"), [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"), ("+86 138 1234 5678", "13812345678"),
    ("8613812345678", "13812345678"), ("", ""), ("   ", ""),
])
def test_mainland_mobile_numbers_as_people_type_them(typed: str, kept: str) -> None:
    assert rules.normalise_phone(typed) == kept


@pytest.mark.parametrize("typed", ["12812345678", "1381234567", "138123456789", "021-62345678",
                                   "abcdefghijk", "23812345678"])
def test_not_a_mainland_mobile(typed: str) -> None:
    assert rules.normalise_phone(typed) is None


def test_a_phone_is_masked_like_138_stars_1234() -> None:
    assert rules.mask_phone("13812341234") == "138****1234"
    assert rules.mask_phone(None) == "" and rules.mask_phone("") == ""


def test_placements_are_the_three_standard_or_a_named_spot() -> None:
    assert rules.normalise_placement("  小区 东门  ") == "小区 东门"
    assert rules.normalise_placement("") is None
    assert rules.normalise_placement("x" * 51) is None


def test_the_21st_report_in_an_hour_from_one_address_is_refused() -> None:
    limits = rules.Limits()
    assert rules.refusal(reports_from_client=19, reports_on_code=19, limits=limits) is None
    assert rules.refusal(reports_from_client=20, reports_on_code=20,
                         limits=limits) == "qr_too_many_reports"
    assert rules.refusal(reports_from_client=0, reports_on_code=60,
                         limits=limits) == "qr_code_busy"


def test_weeks_are_iso_weeks_in_shanghai() -> None:
    # 2026-11-29 23:30 Shanghai is a Sunday (week 48); 30 minutes later it is week 49.
    sunday_late = 1_795_966_200_000
    assert week_code_of(sunday_late) == "2026-W48"
    assert week_code_of(sunday_late + 30 * 60_000) == "2026-W49"


def test_figures_count_scans_and_reports_per_code_and_community_per_week() -> None:
    def code(c: str) -> QrCode:
        return QrCode(code=c, community_id="c1", community_name="华三", squad_id="sq",
                      placement=c, created_ms=0, posted_ms=0, revoked_ms=None,
                      replaced_by=None, last_scan_ms=None)

    monday = 1_795_968_000_000  # 2026-11-30 00:00 Shanghai, week 49
    events = [("scan", "a", "c1", monday), ("scan", "a", "c1", monday + 1),
              ("report", "a", "c1", monday + 2), ("scan", "b", "c1", monday + 3),
              ("scan", "a", "c1", monday - 1)]
    rows = tally(events, {"a": code("a"), "b": code("b")})
    assert [(r.week, r.code, r.scans, r.reports) for r in rows] == [
        ("2026-W49", "a", 2, 1), ("2026-W49", "b", 1, 0), ("2026-W49", None, 3, 1),
        ("2026-W48", "a", 1, 0), ("2026-W48", None, 1, 0)]


def test_a_photo_is_reencoded_without_exif_or_gps_upright_and_smaller() -> None:
    raw = jpeg_with_gps((2400, 1800))
    assert Image.open(io.BytesIO(raw)).getexif()
    photo = reencode(raw)
    image = Image.open(io.BytesIO(photo.data))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info
    assert b"PhoneMaker" not in photo.data
    # Orientation 6 was applied to the pixels (portrait), and the long side capped.
    assert image.size == (1200, 1600)


def test_a_pdf_named_jpg_an_oversized_file_and_a_truncated_jpeg_are_refused() -> None:
    with pytest.raises(PhotoRefused) as pdf:
        reencode(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    assert pdf.value.code == "qr_photo_not_image"
    with pytest.raises(PhotoRefused) as big:
        reencode(b"\xff\xd8\xff" + b"\0" * MAX_UPLOAD_BYTES)
    assert big.value.code == "qr_photo_too_large"
    with pytest.raises(PhotoRefused) as broken:
        reencode(b"\xff\xd8\xff\xe0" + b"not really a jpeg")
    assert broken.value.code == "qr_photo_not_image"


def test_tracking_numbers_carry_the_day_and_no_letters_that_read_alike() -> None:
    numbers = {rules.tracking_number(1_795_827_600_000) for _ in range(200)}
    assert len(numbers) > 190
    for number in numbers:
        assert number.startswith("QR261128-") and len(number) == 15
        assert not set(number[9:]) & set("01OI")


def test_a_code_nobody_scans_for_30_days_is_stale() -> None:
    day = 24 * 3600 * 1000
    assert not rules.is_stale(posted_ms=0, last_scan_ms=None, now_ms=30 * day)
    assert rules.is_stale(posted_ms=0, last_scan_ms=None, now_ms=30 * day + 1)
    assert not rules.is_stale(posted_ms=0, last_scan_ms=20 * day, now_ms=45 * day)
    assert rules.is_stale(posted_ms=0, last_scan_ms=20 * day, now_ms=51 * day)


def test_control_characters_are_dropped_from_what_residents_type() -> None:
    assert rules.clean_text("a\x00b\x1bc\r\nd\re\tf") == "abc\nd\ne\tf"


def test_the_svg_draws_exactly_the_dark_modules_of_the_code_with_a_quiet_zone() -> None:
    import re as regex

    from sync.qr import images

    url = "https://workroom.example.gov.cn/r/abcdefghijklmnop"
    matrix = images._matrix(url)
    drawn = {(int(x), int(y)) for x, y in regex.findall(r"M(\d+),(\d+)h1v1h-1z",
                                                         images.svg(url))}
    assert drawn == {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row)
                     if dark}
    size = len(matrix)
    assert all(images.BORDER <= x < size - images.BORDER for x, _ in drawn)
    assert images.png(url).startswith(b"\x89PNG")
