"""Mainland phone numbers: mobiles (1[3-9] + 9 digits) and landlines (area code + 7 or 8 digits).

People type numbers every way: ``+86 138-1234-5678``, ``（0551）6234 5678``, ``0551-62345678转123``.
``parse_phone`` accepts those and gives one canonical form, so numbers can be compared and hashed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

MOBILE = "mobile"
LANDLINE = "landline"

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# 3-digit area codes are 010 and 02x; all others are 0 + 3 digits starting 3-9. Local numbers
# never start with 0 or 1.
_LANDLINE = re.compile(r"(0(?:10|2[0-9])|0[3-9][0-9]{2})([2-9][0-9]{6,7})")
_EXTENSION_MARKER = re.compile(r"^(.*?)\s*(?:转|分机|ext\.?|x|#)\s*([0-9]{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-.()]")
_ALLOWED = re.compile(r"\+?[0-9]+")


@dataclass(frozen=True)
class Phone:
    kind: str  # MOBILE or LANDLINE
    number: str  # mobile: 11 digits; landline: the local number
    area_code: str = ""
    extension: str = ""

    @property
    def canonical(self) -> str:
        """``13812345678``, ``0551-62345678`` or ``0551-62345678-123``."""
        if self.kind == MOBILE:
            return self.number
        text = f"{self.area_code}-{self.number}"
        return f"{text}-{self.extension}" if self.extension else text

    @property
    def match_key(self) -> str:
        """Digits that identify the line, without country code or extension (for keyed hashes)."""
        return self.number if self.kind == MOBILE else self.area_code + self.number


def _parse_main(text: str) -> Phone | None:
    compact = _SEPARATORS.sub("", text)
    if not _ALLOWED.fullmatch(compact):
        return None
    if compact.startswith(("+86", "0086")):
        rest = compact.removeprefix("+86").removeprefix("0086")
        # Abroad the trunk 0 of a landline is dropped: +86 551 62345678.
        candidates = [rest] if rest.startswith("0") else [rest, "0" + rest]
    elif compact.startswith("+"):
        return None  # another country
    elif compact.startswith("86") and _MOBILE.fullmatch(compact[2:]):
        candidates = [compact[2:]]
    else:
        candidates = [compact]
    for digits in candidates:
        if _MOBILE.fullmatch(digits):
            return Phone(MOBILE, digits)
        match = _LANDLINE.fullmatch(digits)
        if match:
            return Phone(LANDLINE, match.group(2), area_code=match.group(1))
    return None


def parse_phone(value: str) -> Phone | None:
    """The number in ``value``, or None when it is not a valid mainland mobile or landline."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return None
    marked = _EXTENSION_MARKER.match(text)
    if marked:
        phone = _parse_main(marked.group(1))
        if phone and phone.kind == LANDLINE:
            return Phone(LANDLINE, phone.number, phone.area_code, marked.group(2))
    # 0551-62345678-123: a trailing group is an extension only if what precedes it is a landline.
    head, sep, tail = text.rpartition("-")
    if sep and re.fullmatch(r"[0-9]{1,6}", tail.strip()):
        phone = _parse_main(head)
        if phone and phone.kind == LANDLINE:
            return Phone(LANDLINE, phone.number, phone.area_code, tail.strip())
    return _parse_main(text)


def validate_phone(value: str) -> str:
    """Return the canonical number or raise ``ValidationError``."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="phone_required")
    phone = parse_phone(text)
    if phone is None:
        raise ValidationError(
            _(
                "Enter a mainland mobile number (11 digits starting with 13–19) or a landline with its "
                "area code, e.g. 0551-62345678."
            ),
            code="phone_invalid",
        )
    return phone.canonical


def validate_mobile(value: str) -> str:
    """Return the 11-digit mobile number or raise ``ValidationError`` (for SMS notices)."""
    phone = parse_phone(value)
    if phone is None or phone.kind != MOBILE:
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 13–19."), code="mobile_invalid"
        )
    return phone.number


@deconstructible
class PhoneValidator:
    """Django validator: ``validators=[PhoneValidator()]`` or ``PhoneValidator(mobile_only=True)``."""

    def __init__(self, *, mobile_only: bool = False) -> None:
        self.mobile_only = mobile_only

    def __call__(self, value: str) -> None:
        if self.mobile_only:
            validate_mobile(value)
        else:
            validate_phone(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PhoneValidator) and other.mobile_only == self.mobile_only

    def __hash__(self) -> int:
        return hash((PhoneValidator, self.mobile_only))


def phone_match_key(value: str) -> str:
    """What a phone is matched on: canonical digits if it parses, else its digits without +86."""
    phone = parse_phone(value)
    if phone is not None:
        return phone.match_key
    digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) > len(prefix) + 7:
            return digits[len(prefix) :]
    return digits


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; 0551-******78 for landlines (area code and last 2 kept)."""
    phone = parse_phone(value)
    if phone is None:
        digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", value or ""))
        return "*" * max(0, len(digits) - 2) + digits[-2:] if digits else ""
    if phone.kind == MOBILE:
        return phone.number[:3] + "****" + phone.number[-4:]
    return f"{phone.area_code}-" + "*" * (len(phone.number) - 2) + phone.number[-2:]
