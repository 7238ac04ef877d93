"""The record kinds of design/sync-protocol.md, defined once.

Every field is optional in the Struct because a mutation sets only the fields it names
(a partial update); ``REQUIRED`` lists what the creating mutation must carry. ``UNSET``
means "not sent", ``None`` means "cleared". Field titles are the zh-CN form labels;
``extra`` carries form hints for the PWA (``export.py``).
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

# --- field building blocks ------------------------------------------------------------------


def label(title: str, **extra: Any) -> Meta:
    return Meta(title=title, extra=extra or None)


Text200 = Annotated[str, Meta(max_length=200)]
Text2000 = Annotated[str, Meta(max_length=2000)]
Text4000 = Annotated[str, Meta(max_length=4000)]
Time = Annotated[datetime, Meta(tz=True)]
RecordId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")]
Count = Annotated[int, Meta(ge=0, le=1_000_000)]
Sha256 = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]


class Gps(msgspec.Struct, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    accuracy_m: Annotated[float, Meta(ge=0)] | None = None


# --- facts about cases, reviews and QR codes that pages and rules read ----------------------

CaseStage = Literal["received", "accepted", "in_progress", "resolved", "feedback_given",
                    "closed"]
CASE_STAGES: tuple[str, ...] = typing.get_args(CaseStage)
STAGE_LABELS = {"received": "已接收", "accepted": "已受理", "in_progress": "处置中",
                "resolved": "已办结", "feedback_given": "已反馈", "closed": "已关闭"}
# A case at one of these stages has been dealt with (resolved, then perhaps fed back and
# closed); the ones before are still open.
RESOLVED_STAGES = CASE_STAGES[CASE_STAGES.index("resolved"):]

CaseSource = Literal["qr", "residents_committee", "owners_committee", "property_company",
                     "resident_in_person", "hotline_12345", "patrol"]
CASE_SOURCES: tuple[str, ...] = typing.get_args(CaseSource)
SOURCE_LABELS = {"qr": "扫码上报", "residents_committee": "居委会", "owners_committee": "业委会",
                 "property_company": "物业", "resident_in_person": "居民当面反映",
                 "hotline_12345": "12345 热线", "patrol": "巡查发现"}

# The notice's three standard places for a community's QR code (DOMAIN.md R3), stored as
# a case's ``qr_placement`` as written here; any other text is a named custom spot.
QR_PLACEMENTS = ("居委会", "物业", "小区出入口")

ReviewState = Literal["pending", "problem", "approved"]
REVIEW_STATES: tuple[str, ...] = typing.get_args(ReviewState)
REVIEW_LABELS = {"pending": "待审核", "problem": "有问题", "approved": "已审核"}


class RecordKind(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields every kind has: nothing is deleted by sync, a record is voided."""

    KIND: ClassVar[str] = ""
    LABEL: ClassVar[str] = ""
    REQUIRED: ClassVar[tuple[str, ...]] = ()
    # (field, value) -> fields also required on creation when field == value
    REQUIRED_WHEN: ClassVar[dict[tuple[str, str], tuple[str, ...]]] = {}
    PARENT: ClassVar[tuple[str, str] | None] = None  # (field, parent kind)
    # (id field, field naming its kind): a reference to a record of any kind (``REFS``).
    REF_BY_KIND: ClassVar[tuple[str, str] | None] = None
    # What names a record in a list (the console's summaries, the PWA's lists): the first
    # of these fields that is set, a choice by its option's label.
    TITLE: ClassVar[tuple[str, ...]] = ()
    # When it happened; a kind without one is dated by its first write's device time.
    TIME: ClassVar[str | None] = None

    voided: Annotated[bool, label("作废", hidden=True)] | None | UnsetType = UNSET
    void_reason: Annotated[str, Meta(max_length=500),
                           label("作废原因", hidden=True)] | None | UnsetType = UNSET


class Visit(RecordKind):
    KIND = "visit"
    LABEL = "走访"
    REQUIRED = ("started_at",)
    TITLE = ("summary", "purpose")
    TIME = "started_at"

    started_at: Annotated[Time, label("开始时间")] | UnsetType = UNSET
    ended_at: Annotated[Time, label("结束时间")] | None | UnsetType = UNSET
    purpose: Annotated[Text200, label("走访事由")] | None | UnsetType = UNSET
    summary: Annotated[Text4000, label("工作小结", widget="longtext")] | None | UnsetType = UNSET
    gps_in: Annotated[Gps, label("签到位置", hidden=True)] | None | UnsetType = UNSET
    gps_out: Annotated[Gps, label("签退位置", hidden=True)] | None | UnsetType = UNSET
    elapsed_s: Annotated[Count, label("计时（秒）", hidden=True)] | None | UnsetType = UNSET


class PatrolFinding(RecordKind):
    KIND = "patrol_finding"
    LABEL = "巡查发现"
    REQUIRED = ("category", "description")
    PARENT = ("visit_id", "visit")
    TITLE = ("description",)

    category: Annotated[str, label("问题类别", options="categories")] | UnsetType = UNSET
    description: Annotated[Text4000, label("问题描述", widget="longtext")] | UnsetType = UNSET
    visit_id: Annotated[RecordId, label("所属走访", ref_kind="visit", hidden=True)] | None | \
        UnsetType = UNSET
    location: Annotated[Text200, label("具体位置")] | None | UnsetType = UNSET
    handled_on_spot: Annotated[bool, label("已现场处置")] | None | UnsetType = UNSET
    case_id: Annotated[RecordId, label("转为诉件", ref_kind="case", hidden=True)] | None | \
        UnsetType = UNSET


class Case(RecordKind):
    KIND = "case"
    LABEL = "诉件"
    REQUIRED = ("title", "category", "source")
    PARENT = ("visit_id", "visit")
    TITLE = ("title", "description")

    title: Annotated[Text200, label("诉件标题")] | UnsetType = UNSET
    category: Annotated[str, label("问题类别", options="categories")] | UnsetType = UNSET
    source: Annotated[CaseSource, label("来源", labels=SOURCE_LABELS)] | UnsetType = UNSET
    description: Annotated[Text4000, label("诉求内容", widget="longtext")] | None | \
        UnsetType = UNSET
    location: Annotated[Text200, label("事发位置")] | None | UnsetType = UNSET
    reporter_phone: Annotated[str, Meta(max_length=40), label("反映人电话")] | None | \
        UnsetType = UNSET
    status: Annotated[CaseStage, label("办理状态", labels=STAGE_LABELS)] | UnsetType = UNSET
    reopen_count: Annotated[Count, label("重新打开次数", hidden=True)] | UnsetType = UNSET
    disposition: Annotated[Literal["handled", "transferred", "not_in_scope", "duplicate"],
                           label("处置方式", labels={
                               "handled": "已处置", "transferred": "已移交",
                               "not_in_scope": "非城管职责", "duplicate": "重复诉件"})] | \
        None | UnsetType = UNSET
    due_at: Annotated[Time, label("办理时限")] | None | UnsetType = UNSET
    visit_id: Annotated[RecordId, label("所属走访", ref_kind="visit", hidden=True)] | None | \
        UnsetType = UNSET
    # Set by the QR intake (issue 5): where the resident scanned, and their answer on the
    # tracking page once the case is dealt with. Residents write them, not liaisons
    # (``readonly``); they stay visible so the console and the PWA show the answer.
    qr_placement: Annotated[str, Meta(max_length=50), label("扫码位置", readonly=True)] | \
        None | UnsetType = UNSET
    qr_tracking_number: Annotated[str, Meta(max_length=20),
                                  label("查询编号", readonly=True)] | None | UnsetType = UNSET
    resident_outcome: Annotated[Literal["solved", "partly_solved", "not_solved"],
                                label("居民评价：是否解决", readonly=True, labels={
                                    "solved": "解决了", "partly_solved": "部分解决",
                                    "not_solved": "没解决"})] | None | UnsetType = UNSET
    resident_satisfaction: Annotated[int, Meta(ge=1, le=5),
                                     label("居民满意度（1–5）", readonly=True)] | None | \
        UnsetType = UNSET
    resident_comment: Annotated[str, Meta(max_length=500),
                                label("居民留言", widget="longtext", readonly=True)] | None | \
        UnsetType = UNSET


class CaseStep(RecordKind):
    KIND = "case_step"
    LABEL = "处置记录"
    REQUIRED = ("case_id", "action")
    REQUIRED_WHEN = {("action", "feedback"): ("channel", "content")}
    PARENT = ("case_id", "case")
    TITLE = ("content", "note", "action")
    TIME = "at"

    case_id: Annotated[RecordId, label("所属诉件", ref_kind="case", hidden=True)] | UnsetType = \
        UNSET
    action: Annotated[Literal["accept", "note", "contact", "site_visit", "transfer", "resolve",
                              "feedback", "close", "reopen"],
                      label("处置动作", labels={
                          "accept": "受理", "note": "备注", "contact": "联系当事人",
                          "site_visit": "现场查看", "transfer": "移交", "resolve": "办结",
                          "feedback": "反馈诉求人", "close": "关闭", "reopen": "重新打开"})] | \
        UnsetType = UNSET
    note: Annotated[Text4000, label("说明", widget="longtext")] | None | UnsetType = UNSET
    at: Annotated[Time, label("时间")] | None | UnsetType = UNSET
    channel: Annotated[Literal["phone", "sms", "wechat", "in_person", "tracking_page"],
                       label("反馈方式", labels={
                           "phone": "电话", "sms": "短信", "wechat": "微信",
                           "in_person": "当面", "tracking_page": "扫码进度页"})] | None | \
        UnsetType = UNSET
    content: Annotated[Text4000, label("反馈内容", widget="longtext")] | None | UnsetType = UNSET


class PublicityEvent(RecordKind):
    KIND = "publicity_event"
    LABEL = "普法宣传"
    REQUIRED = ("form", "topic")
    PARENT = ("visit_id", "visit")
    TITLE = ("topic", "form")
    TIME = "held_at"

    form: Annotated[Literal["case_explanation", "open_day", "constitution_day", "topical"],
                    label("形式", labels={
                        "case_explanation": "以案释法", "open_day": "公众开放日",
                        "constitution_day": "宪法宣传日", "topical": "专题宣传"})] | \
        UnsetType = UNSET
    topic: Annotated[Text200, label("主题")] | UnsetType = UNSET
    held_at: Annotated[Time, label("时间")] | None | UnsetType = UNSET
    audience_count: Annotated[Count, label("参与人数")] | None | UnsetType = UNSET
    materials: Annotated[Text2000, label("宣传材料")] | None | UnsetType = UNSET
    visit_id: Annotated[RecordId, label("所属走访", ref_kind="visit", hidden=True)] | None | \
        UnsetType = UNSET


class Suggestion(RecordKind):
    KIND = "suggestion"
    LABEL = "人民建议"
    REQUIRED = ("content",)
    PARENT = ("visit_id", "visit")
    TITLE = ("content",)

    content: Annotated[Text4000, label("建议内容", widget="longtext")] | UnsetType = UNSET
    from_whom: Annotated[str, Meta(max_length=100), label("建议人")] | None | UnsetType = UNSET
    category: Annotated[str, Meta(max_length=50), label("类别")] | None | UnsetType = UNSET
    response: Annotated[Text4000, label("答复", widget="longtext")] | None | UnsetType = UNSET
    visit_id: Annotated[RecordId, label("所属走访", ref_kind="visit", hidden=True)] | None | \
        UnsetType = UNSET


class Participation(RecordKind):
    KIND = "participation"
    LABEL = "社区参与"
    REQUIRED = ("type",)
    PARENT = ("visit_id", "visit")
    TITLE = ("note", "type")
    TIME = "held_at"

    type: Annotated[Literal["meeting", "joint_duty", "joint_enforcement", "special_inspection",
                            "clue_transfer"],
                    label("类型", labels={
                        "meeting": "社区工作例会", "joint_duty": "联勤联动",
                        "joint_enforcement": "联合执法", "special_inspection": "专项检查",
                        "clue_transfer": "线索移送"})] | UnsetType = UNSET
    partners: Annotated[list[Annotated[str, Meta(max_length=50)]], Meta(max_length=20),
                        label("参与方", suggestions=["居委会", "物业", "社区民警", "业委会"])] | \
        None | UnsetType = UNSET
    note: Annotated[Text4000, label("情况说明", widget="longtext")] | None | UnsetType = UNSET
    transferred_to: Annotated[Text200, label("线索移送至")] | None | UnsetType = UNSET
    outcome: Annotated[Text2000, label("结果")] | None | UnsetType = UNSET
    held_at: Annotated[Time, label("时间")] | None | UnsetType = UNSET
    visit_id: Annotated[RecordId, label("所属走访", ref_kind="visit", hidden=True)] | None | \
        UnsetType = UNSET


class PropertyInspection(RecordKind):
    KIND = "property_inspection"
    LABEL = "物业监督检查"
    REQUIRED = ("property_company_id",)
    PARENT = ("visit_id", "visit")
    TITLE = ("note", "result")

    property_company_id: Annotated[RecordId, label("物业公司", options="property_companies")] | \
        UnsetType = UNSET
    checklist_version: Annotated[str, Meta(max_length=20), label("检查表版本", hidden=True)] | \
        None | UnsetType = UNSET
    result: Annotated[Literal["pass", "needs_rectification", "fail"],
                      label("总体结论", labels={"pass": "合格", "needs_rectification": "需整改",
                                               "fail": "不合格"})] | None | UnsetType = UNSET
    note: Annotated[Text2000, label("检查说明")] | None | UnsetType = UNSET
    visit_id: Annotated[RecordId, label("所属走访", ref_kind="visit", hidden=True)] | None | \
        UnsetType = UNSET


class InspectionItem(RecordKind):
    KIND = "inspection_item"
    LABEL = "检查项"
    REQUIRED = ("inspection_id", "item", "result")
    PARENT = ("inspection_id", "property_inspection")
    TITLE = ("note", "item")

    inspection_id: Annotated[RecordId, label("所属检查", ref_kind="property_inspection",
                                             hidden=True)] | UnsetType = UNSET
    item: Annotated[str, Meta(max_length=100), label("检查项", options="checklist")] | \
        UnsetType = UNSET
    result: Annotated[Literal["pass", "fail", "na"],
                      label("结果", labels={"pass": "符合", "fail": "不符合", "na": "不适用"})] | \
        UnsetType = UNSET
    note: Annotated[Text2000, label("说明")] | None | UnsetType = UNSET


class Rectification(RecordKind):
    KIND = "rectification"
    LABEL = "整改"
    REQUIRED = ("inspection_id", "action_required", "deadline")
    PARENT = ("inspection_id", "property_inspection")
    TITLE = ("action_required",)

    inspection_id: Annotated[RecordId, label("所属检查", ref_kind="property_inspection",
                                             hidden=True)] | UnsetType = UNSET
    action_required: Annotated[Text2000, label("整改要求")] | UnsetType = UNSET
    deadline: Annotated[Time, label("整改期限")] | UnsetType = UNSET
    status: Annotated[Literal["open", "done", "overdue", "escalated"],
                      label("整改状态", labels={"open": "整改中", "done": "已整改",
                                               "overdue": "逾期", "escalated": "已上报"})] | \
        None | UnsetType = UNSET
    recheck_result: Annotated[Text2000, label("复查结果")] | None | UnsetType = UNSET


class Attachment(RecordKind):
    KIND = "attachment"
    LABEL = "照片"
    REQUIRED = ("parent_kind", "parent_id", "sha256", "media_type")
    REF_BY_KIND = ("parent_id", "parent_kind")
    TITLE = ("caption",)
    TIME = "taken_at"

    parent_kind: Annotated[str, Meta(max_length=40), label("所属记录类型", hidden=True)] | \
        UnsetType = UNSET
    parent_id: Annotated[RecordId, label("所属记录", hidden=True)] | UnsetType = UNSET
    sha256: Annotated[Sha256, label("文件校验值", hidden=True)] | UnsetType = UNSET
    media_type: Annotated[Literal["image/jpeg", "image/png", "image/webp"],
                          label("文件类型", hidden=True)] | UnsetType = UNSET
    caption: Annotated[Text200, label("说明")] | None | UnsetType = UNSET
    taken_at: Annotated[Time, label("拍摄时间")] | None | UnsetType = UNSET


class DutyLogReview(RecordKind):
    """A supervisor's review of one liaison's duty log (勤务日志) for one day.

    Written from the console (device ``console``) so it reaches the liaison's PWA by pull;
    the record id is ``dlr-<liaison id>-<yyyymmdd>``, one per liaison per day.
    """

    KIND = "duty_log_review"
    LABEL = "勤务日志审核"
    REQUIRED = ("liaison_id", "day", "state")
    TITLE = ("state",)

    liaison_id: Annotated[Annotated[str, Meta(min_length=1, max_length=40)],
                          label("联络员", hidden=True)] | UnsetType = UNSET
    day: Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$"), label("日期")] | UnsetType = \
        UNSET
    state: Annotated[ReviewState, label("审核状态", labels=REVIEW_LABELS)] | UnsetType = UNSET
    comment: Annotated[Text2000, label("审核意见", widget="longtext")] | None | UnsetType = UNSET


KINDS: dict[str, type[RecordKind]] = {k.KIND: k for k in (
    Visit, PatrolFinding, Case, CaseStep, PublicityEvent, Suggestion, Participation,
    PropertyInspection, InspectionItem, Rectification, Attachment, DutyLogReview)}


def _metas(kind: type[RecordKind]) -> typing.Iterator[tuple[str, Meta]]:
    """Each field's Metas, in order."""
    hints = typing.get_type_hints(kind, include_extras=True)
    for name in kind.__struct_fields__:
        for arg in typing.get_args(hints[name]):
            for meta in getattr(arg, "__metadata__", ()):
                if isinstance(meta, Meta):
                    yield name, meta


def _extras(kind: type[RecordKind]) -> dict[str, dict[str, Any]]:
    """Each field's ``extra`` hints, merged over its Metas."""
    found: dict[str, dict[str, Any]] = {}
    for name, meta in _metas(kind):
        if meta.extra:
            found.setdefault(name, {}).update(meta.extra)
    return found


def _server_only(kind: type[RecordKind]) -> frozenset[str]:
    """Fields marked ``readonly``: written by the server alone (e.g. a resident's answer)."""
    return frozenset(name for name, extra in _extras(kind).items() if extra.get("readonly"))


SERVER_ONLY_FIELDS: dict[str, frozenset[str]] = {
    name: _server_only(kind) for name, kind in KINDS.items()}
# Each field's zh-CN label, for a message that names a field to a person.
FIELD_LABELS: dict[str, dict[str, str]] = {
    name: {field: meta.title for field, meta in _metas(kind) if meta.title}
    for name, kind in KINDS.items()}


class Ref(typing.NamedTuple):
    """A field naming another record by id: its parent (``PARENT``) or any other."""

    field: str
    kind: str | None  # the kind it must name; None: the kind ``kind_field`` names
    kind_field: str | None = None


def _refs(kind: type[RecordKind]) -> tuple[Ref, ...]:
    found = [Ref(name, extra["ref_kind"]) for name, extra in _extras(kind).items()
             if extra.get("ref_kind")]
    if kind.REF_BY_KIND is not None:
        found.append(Ref(kind.REF_BY_KIND[0], None, kind.REF_BY_KIND[1]))
    if kind.PARENT is not None and Ref(*kind.PARENT) not in found:
        raise TypeError(f"{kind.KIND}.PARENT {kind.PARENT} is no ref_kind field")
    return tuple(found)


# Every reference of every kind, in field order: what must name a record of the same
# community (sync/domain/refs.py).
REFS: dict[str, tuple[Ref, ...]] = {name: _refs(kind) for name, kind in KINDS.items()}


def _parent_field(kind: type[RecordKind]) -> str | None:
    """The field naming the record this kind's records belong under: the ``PARENT``'s,
    else the reference to a record of any kind (an attachment's ``parent_id``)."""
    if kind.PARENT is not None:
        return kind.PARENT[0]
    return kind.REF_BY_KIND[0] if kind.REF_BY_KIND is not None else None


# Child kind -> the field naming its parent: the console nests a record under it, the
# PWA indexes it by it.
PARENT_FIELDS: dict[str, str] = {
    name: field for name, kind in KINDS.items() if (field := _parent_field(kind))}


def _check_facts(kind: type[RecordKind]) -> None:
    """``TITLE`` and ``TIME`` name the kind's own fields, ``TIME`` a time: a rename that
    forgets them fails at import, not on a page."""
    missing = [f for f in kind.TITLE if f not in kind.__struct_fields__]
    if missing:
        raise TypeError(f"{kind.KIND}.TITLE names no field {missing}")
    if kind.TIME is not None and datetime not in typing.get_args(
            typing.get_type_hints(kind).get(kind.TIME)):
        raise TypeError(f"{kind.KIND}.TIME {kind.TIME!r} is no time field")


for _kind in KINDS.values():
    _check_facts(_kind)
