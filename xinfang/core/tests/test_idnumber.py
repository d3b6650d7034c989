from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from xinfang.core.idnumber import (
    PROVINCE_CODES,
    IdNumberValidator,
    Sex,
    birth_date_of,
    check_character,
    mask_id_number,
    sex_of,
    validate_id_number,
)

# The example of GB 11643-1999 itself.
STANDARD_EXAMPLE = "11010519491231002X"


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest_of_region = draw(st.integers(min_value=0, max_value=9999))
    birth = draw(st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2024, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{province:02d}{rest_of_region:04d}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def code_of(value: str) -> str | None:
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    return excinfo.value.code


def test_the_standard_example_is_valid() -> None:
    assert validate_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def test_a_lower_case_x_spaces_and_full_width_digits_are_normalised() -> None:
    assert validate_id_number(" 110105 19491231 002x ") == STANDARD_EXAMPLE
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == STANDARD_EXAMPLE


def test_a_15_digit_legacy_number_asks_for_the_18_digit_one() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        validate_id_number("110105491231002")
    assert excinfo.value.code == "id_legacy"
    assert "18-digit" in excinfo.value.messages[0]


def test_a_number_of_the_wrong_length_says_how_long_it_is() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        validate_id_number("1101051949123100")
    assert excinfo.value.code == "id_length"
    assert "16" in excinfo.value.messages[0]


def test_letters_other_than_a_final_x_are_refused() -> None:
    assert code_of("11010519491231002A") == "id_characters"
    assert code_of("1101051949123X0021") == "id_characters"


def test_an_unknown_province_code_is_refused() -> None:
    assert code_of(with_check("99010519491231002")) == "id_region"
    assert code_of(with_check("00010519491231002")) == "id_region"


def test_an_impossible_birth_date_is_refused_even_with_a_correct_check_digit() -> None:
    assert code_of(with_check("11010519490230002")) == "id_birth_date"  # 30 February
    assert code_of(with_check("44052418800101001")) == "id_birth_date"  # before 1890


@time_machine.travel(dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC))
def test_a_birth_date_in_the_future_is_refused() -> None:
    assert code_of(with_check("11010520240602002")) == "id_birth_date"
    assert validate_id_number(with_check("11010520240601002"))


def test_a_wrong_check_digit_is_reported_as_a_probable_typo() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        validate_id_number("110105194912310021")
    assert excinfo.value.code == "id_check_digit"
    assert "typo" in excinfo.value.messages[0]


def test_birth_date_and_sex_are_read_from_the_number() -> None:
    assert birth_date_of(STANDARD_EXAMPLE) == dt.date(1949, 12, 31)
    assert sex_of(STANDARD_EXAMPLE) == Sex.FEMALE  # 002: even
    assert sex_of(with_check("34150219800101001")) == Sex.MALE


def test_the_validator_rejects_a_bad_number_on_a_form_field() -> None:
    class PetitionerForm(forms.Form):
        id_number = forms.CharField(validators=[IdNumberValidator()])

    assert PetitionerForm({"id_number": STANDARD_EXAMPLE}).is_valid()
    form = PetitionerForm({"id_number": "110105194912310021"})
    assert not form.is_valid()
    assert "id_number" in form.errors


def test_masking_shows_the_first_3_and_the_last_4_characters() -> None:
    assert mask_id_number("341502198001011234") == "341***********1234"
    assert mask_id_number(STANDARD_EXAMPLE) == "110***********002X"
    assert mask_id_number("") == ""
    assert mask_id_number("12345") == "*****"


@given(number=id_numbers())
def test_numbers_with_a_correct_check_digit_validate(number: str) -> None:
    assert validate_id_number(number) == number
    assert birth_date_of(number) == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert (sex_of(number) == Sex.MALE) == (int(number[16]) % 2 == 1)


@given(
    number=id_numbers(), position=st.integers(min_value=0, max_value=16), digit=st.sampled_from("0123456789")
)
def test_changing_any_one_digit_makes_the_number_invalid(number: str, position: int, digit: str) -> None:
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(changed)


@given(number=id_numbers(), char=st.sampled_from("0123456789X"))
def test_changing_the_check_character_makes_the_number_invalid(number: str, char: str) -> None:
    assume(number[17] != char)
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(number[:17] + char)
    assert excinfo.value.code == "id_check_digit"


def test_digits_of_other_scripts_are_refused_not_read_as_numbers() -> None:
    arabic_indic_one = "\u0661"
    assert code_of(arabic_indic_one + STANDARD_EXAMPLE[1:]) == "id_characters"
