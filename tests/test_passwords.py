"""The password policy (issue 15, finding 9): length, letters and digits, the common
list and the zxcvbn estimate; argon2id hashing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.domain.passwords import check_policy, hash_password, refusal, verify_password
from sync.errors import DomainError


@pytest.mark.parametrize("password", ["short1", "onlyletterslong", "1234567890123", ""])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(DomainError) as error:
        check_policy(password)
    assert error.value.code == "invalid_password"


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("Good-password-42")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Good-password-42")
    assert not verify_password(hashed, "Good-password-43")
    assert not verify_password(None, "Good-password-42")
    assert not verify_password("not a hash", "Good-password-42")


@pytest.mark.parametrize(("password", "why"), [
    ("password123", "常见密码"),
    ("aaaaaaaaa1", "过于简单"),
    ("          1a", "过于简单"),
    ("Password2024", "过于简单"),
    ("qwertyuiop1", "常见密码"),
])
def test_guessable_passwords_that_pass_the_letter_and_digit_rule_are_refused_in_chinese(
        password: str, why: str) -> None:
    with pytest.raises(DomainError) as error:
        check_policy(password)
    assert error.value.code == "invalid_password"
    assert error.value.field == "password"
    assert why in error.value.message


def test_a_password_built_from_the_account_holders_own_name_is_refused() -> None:
    check_policy("zhangwei19881")
    with pytest.raises(DomainError):
        check_policy("zhangwei19881", user_inputs=("zhangwei", "张伟"))


@pytest.mark.parametrize("password", ["Workroom2026", "Newpassword2026", "Fresh-wording-2027",
                                      "正确的马电池订书钉2"])
def test_the_demo_password_and_ordinary_strong_ones_are_accepted(password: str) -> None:
    assert refusal(password) is None


def test_an_overlong_password_is_refused_without_reaching_the_estimator() -> None:
    assert "256" in (refusal("Aa1" * 200) or "")
    # Longer than zxcvbn reads: judged on its first 72 characters.
    assert refusal("seven tired owls 4 juggled brass lanterns over the misty harbour "
                   "until dawn broke") is None


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=80))
def test_every_refusal_is_a_chinese_sentence_and_acceptance_means_the_rule_holds(
        password: str) -> None:
    reason = refusal(password)
    if reason is None:
        assert len(password) >= 10
        assert any(c.isalpha() for c in password) and any(c.isdigit() for c in password)
    else:
        assert reason.startswith("密码不符合要求")
