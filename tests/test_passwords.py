import pytest

from sync.domain.passwords import check_policy, hash_password, verify_password
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
