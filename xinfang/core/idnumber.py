"""Resident identity numbers (公民身份号码, GB 11643-1999).

Layout: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit sequence (odd for men, even for
women), 1 check character computed with ISO 7064 MOD 11-2 (``X`` stands for 10).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# First two digits: provinces, autonomous regions and municipalities, plus 71 (Taiwan), 81 (Hong Kong),
# 82 (Macao) and 83 (residence permits of Taiwan residents, 台湾居民居住证 830000).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
EARLIEST_BIRTH_DATE = dt.date(1890, 1, 1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


class Sex(models.TextChoices):
    MALE = "male", gettext_lazy("Male")
    FEMALE = "female", gettext_lazy("Female")


def check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    """Full-width characters to ASCII (Chinese input methods), no spaces, upper-case X."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"\s+", "", text).upper()


def validate_id_number(value: str) -> str:
    """Return the normalised number or raise ``ValidationError`` saying what is wrong."""
    number = normalize_id_number(value)
    if not number:
        raise ValidationError(_("Enter the ID number."), code="id_required")
    if re.fullmatch(r"[0-9]{15}", number):
        raise ValidationError(
            _("This is an old 15-digit ID number. Please enter the 18-digit number on the current ID card."),
            code="id_legacy",
        )
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)d.") % {"count": len(number)},
            code="id_length",
        )
    if not _SHAPE.fullmatch(number):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or the letter X."), code="id_characters"
        )
    if int(number[:2]) not in PROVINCE_CODES:
        raise ValidationError(
            _("The first digits of this ID number are not a valid region code."), code="id_region"
        )
    birth = _birth_date(number)
    if birth is None:
        raise ValidationError(
            _("The birth date in this ID number is not a valid date."), code="id_birth_date"
        )
    if birth < EARLIEST_BIRTH_DATE or birth > timezone.localdate():
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not possible.") % {"date": birth.isoformat()},
            code="id_birth_date",
        )
    if check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The last character of this ID number does not match the others; please check for a typo."),
            code="id_check_digit",
        )
    return number


@deconstructible
class IdNumberValidator:
    """Django validator for form and model fields: ``validators=[IdNumberValidator()]``."""

    def __call__(self, value: str) -> None:
        validate_id_number(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdNumberValidator)

    def __hash__(self) -> int:
        return hash(IdNumberValidator)


def _birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def birth_date_of(value: str) -> dt.date:
    """The birth date encoded in a valid ID number."""
    number = validate_id_number(value)
    birth = _birth_date(number)
    assert birth is not None  # validate_id_number checked it
    return birth


def sex_of(value: str) -> Sex:
    """Sex recorded in a valid ID number: the 17th digit is odd for men, even for women."""
    number = validate_id_number(value)
    return Sex.MALE if int(number[16]) % 2 else Sex.FEMALE


def mask_id_number(value: str) -> str:
    """Show the first 3 and the last 4 characters: 341***********1234.

    Not the common "first 6 + last 4": the 8 digits that mask leaves hidden are just the birth date,
    which staff and neighbours often know, so it discloses the whole number. With 3 + 4 the county
    code and the birth date stay hidden, while the province prefix and the last 4 still let staff
    confirm a number the petitioner reads out.
    """
    number = normalize_id_number(value)
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
