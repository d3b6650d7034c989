from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from xinfang.core.errors import DomainError
from xinfang.core.models import PersonalDataAccess
from xinfang.core.services import personal_data_reveal

PHONE = "13812345678"


def test_revealing_returns_the_value_and_logs_who_why_and_from_where(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    value = personal_data_reveal(user=staff, obj=note, field="secret", reason="回访核实", ip="10.0.0.8")
    assert value == PHONE
    access = PersonalDataAccess.objects.get()
    assert access.user == staff
    assert access.content_type == ContentType.objects.get_for_model(secret_note)
    assert (access.object_id, access.field_name, access.reason, access.ip_address) == (
        note.pk,
        "secret",
        "回访核实",
        "10.0.0.8",
    )


def test_each_reveal_is_logged_separately(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    for _ in range(3):
        personal_data_reveal(user=staff, obj=note, field="secret", reason="call back")
    assert PersonalDataAccess.objects.count() == 3
    assert PersonalDataAccess.objects.first().ip_address is None  # type: ignore[union-attr]


def test_the_stored_value_is_revealed_not_an_unsaved_change(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    note.secret = "13900000000"
    assert personal_data_reveal(user=staff, obj=note, field="secret", reason="check") == PHONE


def test_an_empty_value_is_revealed_as_empty_and_still_logged(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=None)
    assert personal_data_reveal(user=staff, obj=note, field="secret", reason="check") == ""
    assert PersonalDataAccess.objects.count() == 1


def test_a_reveal_without_a_reason_is_refused_and_leaves_no_record(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    with translation.override("en"), pytest.raises(DomainError, match="reason") as excinfo:
        personal_data_reveal(user=staff, obj=note, field="secret", reason="   ")
    assert excinfo.value.code == "reveal_reason_required"
    assert not PersonalDataAccess.objects.exists()


def test_only_encrypted_fields_can_be_revealed(secret_note, staff) -> None:
    note = secret_note.objects.create(label="x", secret=PHONE)
    for field in ("label", "nope"):
        with pytest.raises(DomainError) as excinfo:
            personal_data_reveal(user=staff, obj=note, field=field, reason="check")
        assert excinfo.value.code == "reveal_field_invalid"
    assert not PersonalDataAccess.objects.exists()


def test_an_inactive_user_cannot_reveal(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    staff.is_active = False
    with pytest.raises(DomainError) as excinfo:
        personal_data_reveal(user=staff, obj=note, field="secret", reason="check")
    assert excinfo.value.code == "reveal_forbidden"


def test_an_unsaved_or_deleted_record_cannot_be_revealed(secret_note, staff) -> None:
    with pytest.raises(DomainError):
        personal_data_reveal(user=staff, obj=secret_note(secret=PHONE), field="secret", reason="check")
    note = secret_note.objects.create(secret=PHONE)
    secret_note.objects.filter(pk=note.pk).delete()
    with pytest.raises(DomainError) as excinfo:
        personal_data_reveal(user=staff, obj=note, field="secret", reason="check")
    assert excinfo.value.code == "reveal_missing"
    assert not PersonalDataAccess.objects.exists()


def test_a_malformed_ip_address_is_recorded_as_unknown(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    ip = "10.0.0.8, 10.0.0.9"
    assert personal_data_reveal(user=staff, obj=note, field="secret", reason="check", ip=ip) == PHONE
    assert PersonalDataAccess.objects.get().ip_address is None


def test_an_ipv6_address_is_recorded(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    personal_data_reveal(user=staff, obj=note, field="secret", reason="check", ip="2001:db8::1")
    assert PersonalDataAccess.objects.get().ip_address == "2001:db8::1"


def test_the_service_takes_keyword_arguments_only(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    with pytest.raises(TypeError):
        personal_data_reveal(staff, note, "secret", "check")  # type: ignore[misc]


def test_an_access_record_cannot_be_deleted(secret_note, staff) -> None:
    note = secret_note.objects.create(secret=PHONE)
    personal_data_reveal(user=staff, obj=note, field="secret", reason="check")
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.get().delete()
    assert PersonalDataAccess.objects.count() == 1
