"""What the tracking page shows, built from a case and its steps (pure)."""

from __future__ import annotations

from sync.domain.org import Card, Community
from sync.qr.tracking import tracking_view
from sync.store.qr import Report

REPORT = Report(tracking_number="QR261128-ABCDEF", case_id="case-1", code="c",
                community_id="c-hy-01", created_ms=1_795_827_600_000, feedback_ms=None)
CARD = Card(community=Community(id="c-hy-01", name="华三居民区", squad_id="sq-hy",
                                squad_name="华阳路街道中队"),
            liaison_name="张伟", phone="13800000001", wechat_sha256=None)


def test_internal_notes_are_never_shown_and_steps_follow_their_own_time() -> None:
    steps = [
        ({"case_id": "case-1", "action": "feedback", "channel": "phone", "content": "已处理",
          "at": "2026-11-28T03:00:00Z"}, 1_795_827_600_500),
        ({"case_id": "case-1", "action": "note", "note": "内部：李娜去看"}, 1_795_827_600_100),
        ({"case_id": "case-1", "action": "site_visit", "at": "2026-11-28T02:00:00+00:00"},
         1_795_827_600_900),
        ({"case_id": "case-1", "action": "accept", "voided": True}, 1_795_827_600_200),
    ]
    view = tracking_view(REPORT, {"status": "in_progress", "reporter_phone": "13912345678",
                                  "category": "乱堆物", "description": "d"}, steps, CARD)
    assert [(e.at, e.label, e.content) for e in view.trail] == [
        ("2026-11-28 09:00", "收到您的反映", None),
        ("2026-11-28 10:00", "联络员已到现场查看", None),
        ("2026-11-28 11:00", "联络员回复", "已处理")]
    assert view.status_label == "正在处理" and view.phone_masked == "139****5678"
    assert not view.may_give_feedback and view.liaison_name == "张伟"


def test_the_resident_rates_once_after_resolution_and_never_a_voided_case() -> None:
    assert tracking_view(REPORT, {"status": "resolved"}, [], CARD).may_give_feedback
    assert tracking_view(REPORT, {"status": "closed"}, [], CARD).may_give_feedback
    answered = tracking_view(REPORT, {"status": "closed", "resident_outcome": "solved",
                                      "resident_satisfaction": 5}, [], CARD)
    assert not answered.may_give_feedback and answered.answer is not None
    assert answered.answer.outcome == "解决了"
    voided = tracking_view(REPORT, {"status": "resolved", "voided": True}, [], CARD)
    assert not voided.may_give_feedback and voided.status_label.startswith("已撤销")
