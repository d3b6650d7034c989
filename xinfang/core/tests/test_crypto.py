from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core import crypto
from xinfang.core.crypto import (
    DecryptionError,
    check_personal_data_keys,
    decrypt_str,
    derived_field_key,
    encrypt_str,
    keyed_hash,
    rotate_token,
)
from xinfang.core.fields import EncryptedTextField

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
TEXT = "张三，身份证 11010519491231002X，住合肥市瑶海区和平路街道"


def raw_secret(model, pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.parametrize("value", [None, "", TEXT, "😀 emoji and\nnew lines", "x" * 5000])
def test_encrypted_field_round_trips(secret_note, value) -> None:
    note = secret_note.objects.create(secret=value)
    assert secret_note.objects.get(pk=note.pk).secret == value


def test_the_database_column_holds_no_plaintext(secret_note) -> None:
    note = secret_note.objects.create(secret=TEXT)
    raw = raw_secret(secret_note, note.pk)
    assert raw is not None and raw.startswith("gAAAAA")  # a Fernet token
    for fragment in ("张三", "11010519491231002X", "合肥"):
        assert fragment not in raw


def test_the_same_value_is_stored_differently_each_time(secret_note) -> None:
    first, second = secret_note.objects.create(secret=TEXT), secret_note.objects.create(secret=TEXT)
    assert raw_secret(secret_note, first.pk) != raw_secret(secret_note, second.pk)


def test_none_is_stored_as_null_and_empty_as_empty(secret_note) -> None:
    assert raw_secret(secret_note, secret_note.objects.create(secret=None).pk) is None
    assert raw_secret(secret_note, secret_note.objects.create(secret="").pk) == ""


def test_queryset_update_and_values_encrypt_and_decrypt(secret_note) -> None:
    note = secret_note.objects.create(secret="old")
    secret_note.objects.filter(pk=note.pk).update(secret="13812345678")
    assert "13812345678" not in str(raw_secret(secret_note, note.pk))
    assert secret_note.objects.filter(pk=note.pk).values_list("secret", flat=True).get() == "13812345678"


@pytest.mark.parametrize(
    "lookup", ["secret", "secret__exact", "secret__icontains", "secret__in", "secret__lower"]
)
def test_filtering_on_an_encrypted_field_is_refused_with_a_clear_error(secret_note, lookup) -> None:
    value = ["x"] if lookup.endswith("__in") else "x"
    with pytest.raises(FieldError, match=r"encrypted.*isnull.*keyed-hash"):
        list(secret_note.objects.filter(**{lookup: value}))


def test_isnull_works_on_an_encrypted_field(secret_note) -> None:
    secret_note.objects.create(label="none", secret=None)
    secret_note.objects.create(label="some", secret=TEXT)
    assert list(secret_note.objects.filter(secret__isnull=False).values_list("label", flat=True)) == ["some"]
    assert list(secret_note.objects.filter(secret__isnull=True).values_list("label", flat=True)) == ["none"]


@isolate_apps("xinfang.core")
def test_an_encrypted_field_cannot_be_unique_or_indexed() -> None:
    class Bad(models.Model):
        secret = EncryptedTextField(unique=True)
        other = EncryptedTextField(db_index=True)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return "bad"

    fields = [Bad._meta.get_field(name) for name in ("secret", "other")]
    ids = [error.id for field in fields if isinstance(field, EncryptedTextField) for error in field.check()]
    assert ids.count("core.E002") == 2


def test_a_short_encrypted_field_gets_a_one_line_input() -> None:
    from django import forms

    short, long = EncryptedTextField(max_length=18).formfield(), EncryptedTextField().formfield()
    assert short is not None and isinstance(short.widget, forms.TextInput)
    assert short.max_length == 18  # type: ignore[attr-defined]
    assert long is not None and isinstance(long.widget, forms.Textarea)


def test_the_first_key_encrypts_and_every_key_decrypts(secret_note) -> None:
    with override_settings(FIELD_ENCRYPTION_KEY=KEY_A):
        note = secret_note.objects.create(secret=TEXT)
    with override_settings(FIELD_ENCRYPTION_KEY=f"{KEY_B}, {KEY_A}"):
        assert secret_note.objects.get(pk=note.pk).secret == TEXT
        token = rotate_token(raw_secret(secret_note, note.pk))  # type: ignore[arg-type]
        fresh = encrypt_str("new")
    assert Fernet(KEY_B.encode()).decrypt(token.encode()).decode() == TEXT
    assert Fernet(KEY_B.encode()).decrypt(fresh.encode()) == b"new"
    with pytest.raises(Exception):  # noqa: B017
        Fernet(KEY_A.encode()).decrypt(fresh.encode())


def test_a_missing_key_raises_instead_of_returning_ciphertext(secret_note) -> None:
    with override_settings(FIELD_ENCRYPTION_KEY=KEY_A):
        note = secret_note.objects.create(secret=TEXT)
    with (
        override_settings(FIELD_ENCRYPTION_KEY=KEY_B),
        pytest.raises(DecryptionError, match=r"SecretNote\.secret"),
    ):
        secret_note.objects.get(pk=note.pk)


def test_plaintext_left_in_the_column_is_not_passed_off_as_decrypted() -> None:
    with pytest.raises(DecryptionError):
        decrypt_str("张三")


def test_a_malformed_key_is_a_configuration_error() -> None:
    with override_settings(FIELD_ENCRYPTION_KEY=f"{KEY_A},not-a-key"):
        with pytest.raises(ImproperlyConfigured, match="key 2"):
            encrypt_str("x")
        assert "core.E001" in [m.id for m in check_personal_data_keys()]


@override_settings(FIELD_ENCRYPTION_KEY="", SECRET_KEY="first-secret-key-for-the-test-0123456789")
def test_without_a_configured_key_one_is_derived_from_secret_key() -> None:
    token = encrypt_str(TEXT)
    assert (
        Fernet(derived_field_key("first-secret-key-for-the-test-0123456789").encode())
        .decrypt(token.encode())
        .decode()
        == TEXT
    )
    with override_settings(SECRET_KEY="another-secret-key-0123456789-abcdefghij"):
        with pytest.raises(DecryptionError):
            decrypt_str(token)
        with override_settings(SECRET_KEY_FALLBACKS=["first-secret-key-for-the-test-0123456789"]):
            assert decrypt_str(token) == TEXT


def test_the_deploy_check_warns_about_derived_keys() -> None:
    with override_settings(FIELD_ENCRYPTION_KEY="", PERSONAL_DATA_HASH_KEY=""):
        assert {m.id for m in check_personal_data_keys()} == {"core.W001", "core.W002"}
    with override_settings(FIELD_ENCRYPTION_KEY=KEY_A, PERSONAL_DATA_HASH_KEY="h" * 40):
        assert check_personal_data_keys() == []


@pytest.mark.parametrize(
    "variant", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "8613812345678", "(+86)13812345678"]
)
def test_keyed_hash_matches_every_formatting_of_the_same_phone(variant: str) -> None:
    assert keyed_hash(variant, purpose="phone") == keyed_hash("13812345678", purpose="phone")


def test_keyed_hash_matches_an_id_number_however_the_x_is_typed() -> None:
    assert keyed_hash(" 11010519491231002x", purpose="id_number") == keyed_hash(
        "11010519491231002X", purpose="id_number"
    )


def test_keyed_hash_tells_different_values_and_purposes_apart() -> None:
    phone = keyed_hash("13812345678", purpose="phone")
    assert phone != keyed_hash("13812345679", purpose="phone")
    assert phone != keyed_hash("13812345678", purpose="text")
    assert len(phone) == 64 and int(phone, 16) >= 0


def test_keyed_hash_depends_on_the_hash_key_not_on_a_plain_sha256() -> None:
    import hashlib

    with override_settings(PERSONAL_DATA_HASH_KEY="k1" * 20):
        first = keyed_hash("13812345678", purpose="phone")
    with override_settings(PERSONAL_DATA_HASH_KEY="k2" * 20):
        second = keyed_hash("13812345678", purpose="phone")
    assert first != second
    assert hashlib.sha256(b"13812345678").hexdigest() not in {first, second}


def test_the_derived_hash_key_differs_from_the_derived_field_key() -> None:
    with override_settings(PERSONAL_DATA_HASH_KEY="", FIELD_ENCRYPTION_KEY=""):
        assert crypto._hash_key() != crypto._derive(crypto.settings.SECRET_KEY, crypto.FIELD_KEY_LABEL)


def test_an_empty_value_hashes_to_nothing() -> None:
    assert keyed_hash("", purpose="phone") == ""
    assert keyed_hash(None, purpose="id_number") == ""


def test_an_unknown_hash_purpose_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        keyed_hash("x", purpose="phones")


@given(
    number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefix=st.sampled_from(["", "+86", "+86 ", "0086", "86"]),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_keyed_hash_of_a_mobile_ignores_its_formatting(number: str, prefix: str, separator: str) -> None:
    typed = prefix + separator.join([number[:3], number[3:7], number[7:]])
    assert keyed_hash(typed, purpose="phone") == keyed_hash(number, purpose="phone")
