"""Fixtures for the core tests: a small tree of our own and a throwaway model with an encrypted field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from xinfang.core.fields import EncryptedTextField
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.services import unit_create

# A private registry keeps this model out of the project's apps, so makemigrations never sees it.
_test_apps = Apps()


class SecretNote(models.Model):
    label = models.CharField(max_length=40, blank=True)
    secret = EncryptedTextField(null=True, blank=True)

    class Meta:
        app_label = "core"
        db_table = "core_test_secretnote"
        apps = _test_apps

    def __str__(self) -> str:
        return self.label


@pytest.fixture(scope="session")
def secret_note_table(django_db_setup: Any, django_db_blocker: Any) -> type[SecretNote]:
    with django_db_blocker.unblock():
        if SecretNote._meta.db_table not in connection.introspection.table_names():  # --reuse-db
            with connection.schema_editor() as editor:
                editor.create_model(SecretNote)
    return SecretNote


@pytest.fixture
def secret_note(secret_note_table: type[SecretNote], db: Any) -> Iterator[type[SecretNote]]:
    # Content types created inside a rolled-back test must not survive in the manager's cache.
    ContentType.objects.clear_cache()
    yield secret_note_table
    ContentType.objects.clear_cache()


@dataclass
class Tree:
    province: Unit
    city: Unit
    county: Unit
    town: Unit
    county_office: Unit
    other_city: Unit
    other_county: Unit
    other_province: Unit


@pytest.fixture
def tree(db: Any) -> Tree:
    """省 > 市 > 区 > 街道, a county petition office, a sibling city and a second province."""
    province = unit_create(name="测试省", kind=UnitKind.PROVINCE, code="coretest-p")
    city = unit_create(name="甲市", kind=UnitKind.CITY, code="coretest-p-c", parent=province)
    county = unit_create(name="甲区", kind=UnitKind.COUNTY, code="coretest-p-c-x", parent=city)
    town = unit_create(name="甲街道", kind=UnitKind.TOWN, code="coretest-p-c-x-t", parent=county)
    office = unit_create(
        name="甲区信访局", kind=UnitKind.PETITION_OFFICE, code="coretest-p-c-x-xfj", parent=county
    )
    other_city = unit_create(name="乙市", kind=UnitKind.CITY, code="coretest-p-d", parent=province)
    other_county = unit_create(name="乙县", kind=UnitKind.COUNTY, code="coretest-p-d-y", parent=other_city)
    other_province = unit_create(name="另一省", kind=UnitKind.PROVINCE, code="coretest-q")
    return Tree(province, city, county, town, office, other_city, other_county, other_province)


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="coretest-staff", password="x")
