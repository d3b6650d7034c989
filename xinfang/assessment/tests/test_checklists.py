"""Checklists closed in a loop: an item counts as closed only after a second person verified its evidence
and recorded a return visit; open items per unit, overdue flagged; commendations keep their evidence."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.assessment import selectors, services
from xinfang.assessment.models import ChecklistSource, CommendationKind, ItemState
from xinfang.core.errors import ConflictError, DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions.tests.factories import register

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")


def user(name: str) -> User:
    return User.objects.get(username=name)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def checklist_with_item(*, due_in: int = 10, petition=None):
    checklist = services.checklist_create(
        user=user("county"), title="积案化解清单", area=unit("ah-la-ja"), source=ChecklistSource.CAMPAIGN
    )
    item = services.checklist_item_add(
        checklist_id=checklist.pk,
        user=user("county"),
        title="疏通南屏苑雨污管道",
        owner_unit=unit("ah-la-ja-wc"),
        owner=user("town"),
        due_on=timezone.localdate() + dt.timedelta(days=due_in),
        petition_id=petition.pk if petition else None,
    )
    return checklist, item


def test_an_item_closes_only_after_a_second_person_verifies_it_with_a_return_visit(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    petition = register(by="county", id_seed=601)
    _checklist, item = checklist_with_item(petition=petition)
    with pytest.raises(DomainError):  # nothing to verify yet
        services.checklist_item_verify(item_id=item.pk, user=user("county"), accept=True, return_visit="回访")
    with pytest.raises(DomainError):  # evidence comes from the owner unit
        services.checklist_item_submit(item_id=item.pk, user=user("handler"), evidence_text="已完成")
    upload = SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    item = services.checklist_item_submit(
        item_id=item.pk, user=user("town"), evidence_text="已疏通", upload=upload
    )
    assert item.state == ItemState.SUBMITTED and item.evidence_name == "验收单.pdf"
    # The owner may keep checklists (a town officer) but never verifies their own item.
    with pytest.raises(DomainError) as refused:
        services.checklist_item_verify(item_id=item.pk, user=user("town"), accept=True, return_visit="回访")
    assert refused.value.code in {"same_person", "role"}
    with pytest.raises(services.FieldErrors) as no_visit:
        services.checklist_item_verify(item_id=item.pk, user=user("county"), accept=True)
    assert "return_visit" in no_visit.value.errors
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED
    closed = services.checklist_item_verify(
        item_id=item.pk, user=user("county"), accept=True, return_visit="回访信访人，表示满意"
    )
    assert closed.state == ItemState.CLOSED and closed.verified_by == user("county")
    assert [e.action for e in closed.events.order_by("pk")] == ["created", "submitted", "verified"]
    actions = list(petition.events.values_list("action", flat=True))
    assert actions[-3:] == ["checklist_created", "checklist_submitted", "checklist_verified"]
    with pytest.raises(DomainError):
        services.checklist_item_submit(item_id=item.pk, user=user("town"), evidence_text="再提交")


def test_a_returned_item_is_open_again_and_the_ledger_flags_it_when_overdue(demo):
    checklist, item = checklist_with_item(due_in=0)
    services.checklist_item_submit(item_id=item.pk, user=user("town"), evidence_text="部分完成")
    with pytest.raises(services.FieldErrors):
        services.checklist_item_verify(item_id=item.pk, user=user("county"), accept=False)
    item = services.checklist_item_verify(
        item_id=item.pk, user=user("county"), accept=False, note="缺少验收材料"
    )
    assert item.state == ItemState.OPEN
    later = timezone.localdate() + dt.timedelta(days=1)
    assert item.is_overdue(later) and not item.is_overdue(timezone.localdate())
    ledger = selectors.ledger(user("county"))
    assert list(ledger) == [item]
    summary = selectors.ledger_summary(ledger, later)
    assert [(row["unit"].code, row["open"], row["overdue"]) for row in summary] == [("ah-la-ja-wc", 1, 1)]
    # The owner unit's staff see it; another county does not.
    assert list(selectors.ledger(user("town"))) == [item]
    assert not selectors.ledger(user("county_yj")).exists()
    assert selectors.visible_checklists(user("town")).filter(pk=checklist.pk).exists()


def test_items_are_refused_outside_the_area_before_the_checklist_or_to_an_outsider(demo):
    checklist = services.checklist_create(
        user=user("county"), title="清单", area=unit("ah-la-ja"), source=ChecklistSource.LEADER
    )
    with pytest.raises(services.FieldErrors) as refused:
        services.checklist_item_add(
            checklist_id=checklist.pk,
            user=user("county"),
            title="外区事项",
            owner_unit=unit("ah-la-yj-pg"),
            owner=user("town2"),
            due_on=timezone.localdate() - dt.timedelta(days=3),
        )
    assert set(refused.value.errors) == {"owner_unit", "due_on"}
    with pytest.raises(services.FieldErrors) as outsider:
        services.checklist_item_add(
            checklist_id=checklist.pk,
            user=user("county"),
            title="事项",
            owner_unit=unit("ah-la-ja-wc"),
            owner=user("handler"),
            due_on=timezone.localdate(),
        )
    assert set(outsider.value.errors) == {"owner"}
    assert not checklist.items.exists()


def test_a_stale_verification_gets_a_conflict(demo):
    _checklist, item = checklist_with_item()
    submitted = services.checklist_item_submit(item_id=item.pk, user=user("town"), evidence_text="已完成")
    with pytest.raises(ConflictError):
        services.checklist_item_verify(
            item_id=item.pk,
            user=user("county"),
            accept=True,
            return_visit="回访",
            expected_version=item.version,
        )
    assert (
        services.checklist_item_verify(
            item_id=item.pk,
            user=user("county"),
            accept=True,
            return_visit="回访",
            expected_version=submitted.version,
        ).state
        == ItemState.CLOSED
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_verifiers_at_once_one_closes_the_item_the_other_gets_a_conflict(demo):
    _checklist, item = checklist_with_item()
    item = services.checklist_item_submit(item_id=item.pk, user=user("town"), evidence_text="已完成")
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def verify(index: int, name: str) -> None:
        try:
            barrier.wait()
            results[index] = services.checklist_item_verify(
                item_id=item.pk,
                user=user(name),
                accept=True,
                return_visit="回访",
                expected_version=item.version,
            )
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=verify, args=(i, n)) for i, n in enumerate(("county", "leader"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED and item.events.filter(action="verified").count() == 1


def test_a_commendation_keeps_the_figures_it_was_decided_on(demo):
    evidence = {"scheme": "2025年度考核", "petition_score": "96.50", "rank": 1}
    commendation = services.commendation_record(
        user=user("leader"),
        year=2025,
        kind=CommendationKind.PERSON,
        unit=unit("ah-la-ja-wc"),
        person=user("town"),
        title="信访工作先进个人",
        citation="首办负责，按期办结率100%",
        by_area=unit("ah-la-ja"),
        decided_on=timezone.localdate(),
        evidence=evidence,
    )
    evidence["petition_score"] = "10.00"  # a later change of the source does not reach the snapshot
    commendation.refresh_from_db()
    assert commendation.evidence["petition_score"] == "96.50"
    with pytest.raises(services.FieldErrors) as refused:
        services.commendation_record(
            user=user("town"),
            year=2025,
            kind=CommendationKind.PERSON,
            unit=unit("ah-la-ja-wc"),
            person=user("handler"),
            title="t",
            citation="c",
            by_area=unit("ah-la-ja"),
            decided_on=timezone.localdate(),
        )
    assert {"by_area", "person"} <= set(refused.value.errors)
