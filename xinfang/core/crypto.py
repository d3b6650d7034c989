"""Personal data at rest: Fernet encryption with key rotation, and keyed hashes for matching.

Keys (settings, from the environment):

- ``FIELD_ENCRYPTION_KEY``: comma-separated Fernet keys (``Fernet.generate_key()``). The first key
  encrypts; every key decrypts, so a new key is put first and the old one kept until
  ``rotate_token`` has re-encrypted the rows.
- ``PERSONAL_DATA_HASH_KEY``: any long random string; keys the HMAC used to find a person by ID number or
  phone without decrypting. Changing it means recomputing every stored hash.

When either is empty a key is derived from ``SECRET_KEY`` with HKDF under a fixed label, so ``make demo``
runs without configuration. Production must set both: otherwise rotating ``SECRET_KEY`` (e.g. after a
leak) makes every encrypted value unreadable and every hash unmatched. ``check --deploy`` warns.

Why not a package: django-fernet-encrypted-fields (0.4.0) derives its keys only from SECRET_KEY, turns ''
into NULL and returns the ciphertext when decryption fails; django-encrypted-model-fields (0.6.5) builds
its keys at import time and also swallows decryption failures; django-cryptography (1.1, 2022) stops at
Django 4.0 and pickles values. None refuses lookups on the ciphertext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .idnumber import normalize_id_number
from .phone import phone_match_key

FIELD_KEY_LABEL = b"xinfang.core.field-encryption.v1"
HASH_KEY_LABEL = b"xinfang.core.personal-data-hash.v1"


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key (a key was removed or is wrong)."""


def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode("utf-8"))


def derived_field_key(secret_key: str | None = None) -> str:
    """The Fernet key used when FIELD_ENCRYPTION_KEY is empty; list it last when moving to real keys."""
    raw = _derive(secret_key if secret_key is not None else settings.SECRET_KEY, FIELD_KEY_LABEL)
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _configured_field_keys() -> tuple[str, ...]:
    configured: Any = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or ""
    if isinstance(configured, str):
        configured = configured.split(",")
    keys = tuple(key.strip() for key in configured if key and key.strip())
    if keys:
        return keys
    # Derived keys: the current SECRET_KEY encrypts; SECRET_KEY_FALLBACKS still decrypt.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return tuple(derived_field_key(secret) for secret in secrets)


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    """The current MultiFernet (settings are read each call, so tests may override them)."""
    return _multifernet(_configured_field_keys())


def encrypt_str(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(
            "A stored value cannot be decrypted with the configured FIELD_ENCRYPTION_KEY keys."
        ) from exc


def rotate_token(token: str) -> str:
    """Re-encrypt ``token`` under the first key (after a new key was put first)."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("A stored value cannot be decrypted for rotation.") from exc


def _hash_key() -> bytes:
    configured = getattr(settings, "PERSONAL_DATA_HASH_KEY", "") or ""
    if configured:
        return configured.encode("utf-8")
    return _derive(settings.SECRET_KEY, HASH_KEY_LABEL)


def _normalize_text(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip()


HASH_NORMALIZERS = {
    "id_number": normalize_id_number,
    "phone": phone_match_key,
    "text": _normalize_text,
}


def keyed_hash(value: str | None, *, purpose: str) -> str:
    """HMAC-SHA256 (hex) of the normalised value, to match personal data without decrypting it.

    ``purpose`` picks the normalisation (``id_number``: upper-case, no spaces; ``phone``: digits
    without +86 or extension; ``text``: NFKC, single spaces) and separates the hash spaces, so an ID
    number and a phone with the same digits do not match. An empty value gives '' (never a match).
    """
    try:
        normalize = HASH_NORMALIZERS[purpose]
    except KeyError:
        raise ValueError(f"Unknown hash purpose {purpose!r}; use one of {sorted(HASH_NORMALIZERS)}") from None
    normalized = normalize(value or "")
    if not normalized:
        return ""
    message = purpose.encode("ascii") + b"\x00" + normalized.encode("utf-8")
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


@checks.register(checks.Tags.security, deploy=True)
def check_personal_data_keys(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``manage.py check --deploy``: warn when personal-data keys are derived from SECRET_KEY."""
    messages: list[checks.CheckMessage] = []
    if not getattr(settings, "FIELD_ENCRYPTION_KEY", ""):
        messages.append(
            checks.Warning(
                "FIELD_ENCRYPTION_KEY is not set; personal data is encrypted with a key derived "
                "from SECRET_KEY.",
                hint="Set FIELD_ENCRYPTION_KEY to one or more comma-separated Fernet keys.",
                id="core.W001",
            )
        )
    if not getattr(settings, "PERSONAL_DATA_HASH_KEY", ""):
        messages.append(
            checks.Warning(
                "PERSONAL_DATA_HASH_KEY is not set; matching hashes are keyed from SECRET_KEY.",
                hint="Set PERSONAL_DATA_HASH_KEY to a long random string.",
                id="core.W002",
            )
        )
    try:
        fernet()
    except ImproperlyConfigured as exc:
        messages.append(checks.Error(str(exc), id="core.E001"))
    return messages
