"""Property-based check of the whole API against its own OpenAPI document (schemathesis).

The document is loaded from the WSGI application, as a client would fetch it. Every operation then
gets generated requests, sent in-process with a county officer's token; no answer may be a server
error and every answer must match the status codes and schemas the document declares. Path ids are
steered onto real petitions in several states (and a station with a rota, swaps, visits and tickets;
conference, agency and community records for their operations) so that the services run, not only the
404 branch. That data is built once per module; each example
runs in a savepoint that is rolled back, so examples are independent and replayable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from xinfang.accounts.models import ApiToken, User
from xinfang.assessment.tests.api_data import assessment_ids
from xinfang.conferences.tests.api_data import conference_ids
from xinfang.conftest import ensure_demo_data
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Petition, PetitionParty, Suggestion
from xinfang.petitions.states import DeliveryMethod, PetitionType
from xinfang.petitions.tests.factories import register

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Requests share the test's connection and transaction, as Django's own test client arranges."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _petition_ids() -> tuple[dict[str, list[int]], dict[str, Petition]]:
    """Ids that exist, per parameter name: petitions of the county in several states, their suggestions and
    parties, units in and out of reach, staff. Each list ends with an id that does not exist (404). Also the
    petitions by state, for the conference records made per operation."""
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    today = timezone.localdate()
    registered = register(by="county", id_seed=61)
    repeat = register(by="county", id_seed=61, subject="小区雨污管道堵塞，污水外溢 再次反映")
    forwarded = register(by="county", id_seed=62)
    services.petition_forward(petition_id=forwarded.pk, user=county, to_unit=rsj)
    handling = register(by="county", id_seed=63)
    services.petition_forward(petition_id=handling.pk, user=county, to_unit=rsj)
    services.petition_accept(
        petition_id=handling.pk,
        user=handler,
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=today,
        route="start_handling",
    )
    replied = register(by="county", id_seed=64)
    services.petition_forward(petition_id=replied.pk, user=county, to_unit=rsj)
    services.petition_accept(
        petition_id=replied.pk,
        user=handler,
        petition_type=PetitionType.SUGGESTION,
        notice_sent_on=today,
        route="start_study",
    )
    services.petition_deliver_reply(
        petition_id=replied.pk,
        user=handler,
        delivered_on=today,
        method=DeliveryMethod.POST,
        reply_text="采纳",
    )
    received = petition_register(
        user=None,
        data=IntakeData(
            channel="online",
            subject="网上反映",
            request="请求处理",
            place=Unit.objects.get(code="ah-la-ja-wc-mz"),
            principal=PersonData(name="周某"),
        ),
        registering_unit=Unit.objects.get(code="ah-la-ja-xfj"),
    )
    elsewhere = register(by="town2", place="ah-la-yj-pg-hp", id_seed=65)
    petitions = [registered.pk, repeat.pk, forwarded.pk, handling.pk, replied.pk, received.pk, elsewhere.pk]
    units = [
        Unit.objects.get(code=code).pk
        for code in (
            "ah-la-ja-rsj",
            "ah-la-ja-wc",
            "ah-la-ja-wc-npy",
            "ah-la-ja-jw",
            "ah-la-ja-zfw",
            "ah-la-yj-pg",
        )
    ]
    missing = 0  # no row has primary key 0
    ids = {
        "petition_id": [*petitions, missing],
        "suggestion_id": [
            *Suggestion.objects.filter(petition_id__in=petitions).values_list("pk", flat=True),
            missing,
        ],
        "party_id": [
            *PetitionParty.objects.filter(petition_id__in=petitions).values_list("pk", flat=True),
            missing,
        ],
        "open_case_id": [*petitions, missing],
        "final_case_id": [*petitions, missing],
        "approved_by_id": [User.objects.get(username="leader").pk, handler.pk, missing],
        "unit": [*units, missing],
        "place_id": [*units, missing],
        "to_unit_id": [*units, missing],
        "accused_unit_id": [*units, missing],
        "registering_unit_id": [Unit.objects.get(code="ah-la-ja-xfj").pk, missing],
        # Analytics: categories to correct a petition to (the default taxonomy is loaded for them).
        "category_id": [*_categories(), missing],
    }
    return ids, {"registered": registered, "handling": handling}


def _categories() -> list[int]:
    from xinfang.petitions.models import Category
    from xinfang.petitions.taxonomy import load_default_taxonomy

    load_default_taxonomy()
    return list(Category.objects.filter(parent=None).order_by("pk").values_list("pk", flat=True)[:4])


@dataclass
class ApiData:
    token: str
    ids: dict[str, list[int]]
    petitions: dict[str, Petition]


@pytest.fixture(scope="module")
def api_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[ApiData]:
    """The token, petitions and station the operations work on, built once per module (and worker).

    They live in a transaction opened here and rolled back at the end of the module; each test runs in
    a savepoint of it (pytest-django nests its per-test atomic block), each example in a savepoint of
    that, so the examples still see the same data and never each other's writes.
    """
    from xinfang.stations.tests.factories import api_ids as station_api_ids

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ensure_demo_data()  # a transactional test earlier on this worker may have flushed it
            _token, raw = ApiToken.issue(user=User.objects.get(username="county"), name="schemathesis")
            petition_ids, petitions = _petition_ids()
            data = ApiData(token=raw, ids={**petition_ids, **station_api_ids()}, petitions=petitions)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield data
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _steer(case: Any, real_ids: dict[str, list[int]]) -> None:
    """Generated ids are mapped onto ids that exist, so requests reach the services, not only the 404s."""
    for container in (case.path_parameters, case.query, case.body):
        if not isinstance(container, dict):
            continue
        for name, value in container.items():
            ids = real_ids.get(name)
            if ids and _is_index(value):
                container[name] = ids[value % len(ids)]
            elif ids and isinstance(value, list) and all(_is_index(item) for item in value):
                container[name] = [ids[item % len(ids)] for item in value]
    version = case.body.get("expected_version") if isinstance(case.body, dict) else None
    if isinstance(version, int) and version % 4:
        # A random version is a stale one (409); most cases skip the check to get past it.
        case.body["expected_version"] = None


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# Loaded at collection time, before any test database exists: serving the document needs none.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _operations() -> dict[str, Any]:
    operations = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the document itself is broken
        operations[result.ok().label] = result.ok()
    return operations


OPERATIONS = _operations()
# Deeper runs: SCHEMATHESIS_MAX_EXAMPLES=200 make test
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))


def max_examples(operation: Any) -> int:
    """Reads whose only input is ids from the short lists above need fewer examples: past a few, they
    repeat the same ids. Writes, and reads with query parameters, get the full number."""
    id_only_read = (
        operation.method.upper() == "GET"
        and not list(operation.query)
        and all(p.name.endswith("_id") for p in operation.path_parameters)
    )
    return max(1, MAX_EXAMPLES // 2) if id_only_read else MAX_EXAMPLES


# One pytest item per operation. (schemathesis' own ``schema.parametrize()`` gives all its items the same
# node id under pytest 9, so pytest-xdist, which `make test` uses, would silently run only one of them.)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
@pytest.mark.django_db
def test_every_operation_answers_as_documented(
    label: str, api_data: ApiData, in_process_requests: None, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path  # uploads are files; the rollback does not remove them
    operation = OPERATIONS[label]
    examples = max_examples(operation)
    # Records that only some operations need are made in this test's own savepoint, and rolled back.
    ids = {**api_data.ids, **conference_ids(label, petitions=api_data.petitions)}
    if "/assessment/" in label:
        # Schemes, runs, reviews and checklists exist only for the assessment operations (they cost time).
        ids.update({name: [*values, 0] for name, values in assessment_ids().items()})
    if "/agency/" in label or "/community/" in label:
        # The agency and community operations get their own records instead of the petitions above. They
        # are many small operations on few records, so half the examples reach the same branches at half
        # the cost of `make test`; SCHEMATHESIS_MAX_EXAMPLES raises both.
        from xinfang.agency.tests.api_data import grassroots_ids

        ids = grassroots_ids(label)
        examples = max(5, MAX_EXAMPLES // 2)
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=cases)
    def answers_as_documented(case: Any) -> None:
        _steer(case, ids)
        with transaction.atomic():
            response = case.call(headers={"Authorization": f"Bearer {api_data.token}"})
            case.validate_response(response, checks=CHECKS)
            transaction.set_rollback(True)

    answers_as_documented()
