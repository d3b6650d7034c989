from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.phone import (
    LANDLINE,
    MOBILE,
    PhoneValidator,
    mask_phone,
    parse_phone,
    phone_match_key,
    validate_mobile,
    validate_phone,
)


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "0086 138-1234-5678",
        "１３８１２３４５６７８",
        "(+86) 13812345678",
    ],
)
def test_a_mobile_typed_any_usual_way_is_one_number(typed: str) -> None:
    assert validate_phone(typed) == "13812345678"
    assert validate_mobile(typed) == "13812345678"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("0551-62345678", "0551-62345678"),
        ("(0551) 6234 5678", "0551-62345678"),
        ("（0551）62345678", "0551-62345678"),
        ("055162345678", "0551-62345678"),
        ("0551-6234-5678", "0551-62345678"),
        ("010-62345678", "010-62345678"),
        ("02162345678", "021-62345678"),
        ("0564-3234567", "0564-3234567"),
        ("+86 551 6234 5678", "0551-62345678"),
        ("+86-10-62345678", "010-62345678"),
        ("0551-62345678-123", "0551-62345678-123"),
        ("0551-62345678转123", "0551-62345678-123"),
        ("0551 62345678 ext. 8", "0551-62345678-8"),
    ],
)
def test_a_landline_keeps_its_area_code_and_extension(typed: str, canonical: str) -> None:
    assert validate_phone(typed) == canonical
    phone = parse_phone(typed)
    assert phone is not None and phone.kind == LANDLINE


@pytest.mark.parametrize(
    "typed",
    [
        "12812345678",  # no mobile prefix 12
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "0551-1234567",  # local numbers never start with 1
        "0551-123456",  # too short
        "62345678",  # landline without area code
        "138l2345678",  # a letter l for a 1
        "13812345678x12",  # mobiles have no extension
        "phone",
    ],
)
def test_a_number_that_is_not_a_mainland_phone_is_refused(typed: str) -> None:
    assert parse_phone(typed) is None
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(typed)
    assert excinfo.value.code == "phone_invalid"


def test_an_empty_phone_asks_for_one() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_phone("  ")
    assert excinfo.value.code == "phone_required"


def test_a_landline_is_not_a_mobile() -> None:
    with pytest.raises(ValidationError):
        validate_mobile("0551-62345678")
    with pytest.raises(ValidationError):
        PhoneValidator(mobile_only=True)("0551-62345678")
    PhoneValidator()("0551-62345678")


def test_masking_keeps_the_mobile_prefix_and_last_four() -> None:
    assert mask_phone("+86 138-1234-5678") == "138****5678"


def test_masking_keeps_the_area_code_and_last_two_of_a_landline() -> None:
    assert mask_phone("0551-62345678") == "0551-******78"
    assert mask_phone("0551-62345678转123") == "0551-******78"
    assert mask_phone("021-3234567") == "021-*****67"


def test_masking_an_unparseable_value_hides_all_but_two_digits() -> None:
    assert mask_phone("62345678") == "******78"
    assert mask_phone("") == ""


def test_the_match_key_drops_country_code_separators_and_extension() -> None:
    assert phone_match_key("+86 138-1234-5678") == "13812345678"
    assert phone_match_key("0551-62345678转123") == "055162345678"
    assert phone_match_key("+86 6234 5678 0") == "623456780"


@given(
    number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefix=st.sampled_from(["", "+86", "+86 ", "86", "0086 ", "(+86)"]),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_every_formatting_of_a_mobile_parses_to_the_same_number(
    number: str, prefix: str, separator: str
) -> None:
    typed = prefix + separator.join([number[:3], number[3:7], number[7:]])
    phone = parse_phone(typed)
    assert phone is not None
    assert (phone.kind, phone.number) == (MOBILE, number)


@given(
    area=st.sampled_from(["010", "021", "0551", "0564", "0898"]),
    local=st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True),
)
def test_a_canonical_landline_parses_to_itself(area: str, local: str) -> None:
    canonical = f"{area}-{local}"
    assert validate_phone(canonical) == canonical
    assert validate_phone(area + local) == canonical


def test_a_foreign_number_is_refused() -> None:
    assert parse_phone("+1 415 555 0100") is None
    assert parse_phone("+852 9123 4567") is None
