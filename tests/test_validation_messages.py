import msgspec
import pytest

from schema.kinds import Case
from sync.domain.validation_messages import describe


@pytest.mark.parametrize(("fields", "expected"), [
    ({"title": 5}, "应为文字，实际为整数"),
    ({"title": "长" * 201}, "长度不能超过 200"),
    ({"source": "wechat"}, "不在可选范围内：'wechat'"),
    ({"due_at": "2026-11-28T09:00:00"}, "时间须带时区，例如 2026-11-28T09:00:00+08:00"),
    ({"due_at": "tomorrow"}, "时间格式不正确"),
    ({"reopen_count": -1}, "不能小于 0"),
])
def test_msgspec_messages_are_told_in_chinese(fields: dict, expected: str) -> None:
    with pytest.raises(msgspec.ValidationError) as error:
        msgspec.convert(fields, Case)
    assert describe(str(error.value).split(" - at ")[0]) == expected


def test_an_unknown_message_passes_through() -> None:
    assert describe("something new") == "something new"
