"""The workbench: every queue counts what waits for the user's own units, and links to its list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Reminder
from xinfang.petitions.states import Channel, State
from xinfang.web.petitions import queues

from .helpers import accepted_by_handler, force_due, register, set_state

pytestmark = pytest.mark.django_db


def counts(username: str) -> dict[str, int]:
    return queues.queue_counts(User.objects.get(username=username), timezone.localdate())


def test_a_new_registration_waits_in_the_towns_accept_queue_only(demo):
    register(by="town")
    assert counts("town")["to_accept"] == 1
    assert counts("town2")["to_accept"] == 0
    assert counts("town")["in_handling"] == 0


def test_an_online_submission_waits_in_the_register_queue_of_the_receiving_unit(demo):
    data = IntakeData(
        channel=Channel.ONLINE,
        subject="路灯不亮",
        request="请修复路灯",
        place=Unit.objects.get(code="ah-la-ja-wc-npy"),
        principal=PersonData(name="网上某某"),
    )
    petition_register(user=None, data=data, registering_unit=Unit.objects.get(code="ah-la-ja-wc"))
    assert counts("town")["to_register"] == 1
    assert counts("town2")["to_register"] == 0


def test_a_matter_in_handling_counts_for_the_department_that_holds_it(demo):
    accepted_by_handler()
    assert counts("handler")["in_handling"] == 1
    assert counts("handler")["to_accept"] == 0
    # The county bureau covers the department's area; the town registered nothing and holds nothing.
    assert counts("county")["in_handling"] == 1
    assert counts("town")["in_handling"] == 0


def test_deadline_queues_count_running_clocks_of_the_users_units(demo):
    soon = register(by="town", subject="楼道灯坏了", id_seed=11)
    late = register(by="town", subject="垃圾清运不及时", id_seed=12)
    later = register(by="town", subject="绿化带被占用", id_seed=13)
    force_due(soon, 2)
    force_due(late, -1)
    force_due(later, 10)
    town = counts("town")
    assert town["due_soon"] == 1
    assert town["overdue"] == 1
    assert counts("town2")["overdue"] == 0


def test_evaluation_review_and_suggestion_queues(demo):
    replied = set_state(register(by="town", subject="噪音扰民", id_seed=21), State.REPLIED)
    set_state(register(by="town", subject="违建", id_seed=22), State.REVIEW_REQUESTED)
    # The same person again with the same matter: detection proposes a repeat to confirm.
    register(by="town", subject="噪音扰民", id_seed=21)
    town = counts("town")
    assert town["awaiting_evaluation"] == 1
    assert town["reviews"] == 1
    assert town["suggestions"] >= 1
    assert replied.state == State.REPLIED


def test_the_workbench_shows_each_queue_with_its_count_and_a_link_to_the_list(client_for):
    register(by="town")
    response = client_for("town").get(reverse("web:home"))
    assert response.status_code == 200
    body = response.content.decode()
    for queue in queues.QUEUES:
        assert f"?queue={queue.key}" in body
    assert 'class="queue-count">1<' in body


def test_unread_reminders_of_the_users_units_are_listed_and_can_be_marked_read(client_for):
    petition = register(by="town", subject="扬言到北京上访", request="如不解决就去北京上访")
    reminder = Reminder.objects.get(petition=petition, kind=Reminder.Kind.THREAT)
    town = client_for("town")
    assert reminder.message in town.get(reverse("web:home")).content.decode()
    assert reminder.message not in client_for("town2").get(reverse("web:home")).content.decode()
    response = town.post(reverse("web:reminder_read", args=[reminder.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert reminder.message not in town.get(reverse("web:home")).content.decode()


def test_another_towns_reminder_cannot_be_marked_read(client_for):
    petition = register(by="town", subject="扬言跳楼", request="不解决就跳楼")
    reminder = Reminder.objects.get(petition=petition, kind=Reminder.Kind.THREAT)
    response = client_for("town2").post(reverse("web:reminder_read", args=[reminder.pk]))
    assert response.status_code == 404
    reminder.refresh_from_db()
    assert reminder.read_at is None
