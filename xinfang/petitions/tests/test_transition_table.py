"""The transition table, exhaustively: every state × every action is allowed or refused, never half-done."""

from __future__ import annotations

import pytest
from django.db import transaction

from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.petitions import services
from xinfang.petitions.lifecycle import RETURN_TO_ROUTED, TRANSITIONS, allowed_actions
from xinfang.petitions.models import Petition
from xinfang.petitions.states import State

from .factories import register

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@pytest.mark.parametrize("state", State.values)
def test_every_action_in_every_state_follows_the_table(demo, state):
    admin = User.objects.get(username="admin")
    petition = register(by="county")
    for action, transition in TRANSITIONS.items():
        Petition.objects.filter(pk=petition.pk).update(state=state)
        before = Petition.objects.get(pk=petition.pk)
        events_before = before.events.count()
        try:
            with transaction.atomic():
                services.transition_apply(petition_id=petition.pk, action=action, user=admin)
                after = Petition.objects.get(pk=petition.pk)
                assert state in transition.sources, f"{action} was allowed from {state}"
                expected = State.FORWARDED if transition.target == RETURN_TO_ROUTED else transition.target
                assert after.state == expected
                assert after.version == before.version + 1
                assert after.events.count() == events_before + 1
                raise Rollback
        except Rollback:
            continue
        except DomainError as refused:
            assert state not in transition.sources, f"{action} was refused from {state}: {refused}"
            assert refused.code == "not_allowed_in_state"
            after = Petition.objects.get(pk=petition.pk)
            assert (after.state, after.version) == (before.state, before.version)
            assert after.events.count() == events_before


def test_every_state_but_the_terminal_ones_has_a_way_forward():
    from xinfang.petitions.states import TERMINAL_STATES

    for state in State.values:
        if state in TERMINAL_STATES:
            continue
        assert allowed_actions(state), f"{state} is a dead end"


def test_every_transition_target_is_a_known_state():
    for transition in TRANSITIONS.values():
        assert transition.target in State.values or transition.target == RETURN_TO_ROUTED
        assert transition.sources <= set(State.values)


def test_a_role_outside_the_table_is_refused_and_nothing_changes(demo):
    inspector = User.objects.get(username="inspector")
    petition = register(by="county")
    with pytest.raises(DomainError) as refused:
        services.transition_apply(petition_id=petition.pk, action="triage", user=inspector)
    assert refused.value.code == "role_not_allowed"
    petition.refresh_from_db()
    assert petition.state == State.REGISTERED and petition.events.count() == 1


def test_a_user_outside_the_jurisdiction_cannot_act(demo):
    from xinfang.accounts.scoping import OutOfJurisdiction

    other_town = User.objects.get(username="town2")
    petition = register(by="town")
    with pytest.raises(OutOfJurisdiction):
        services.transition_apply(petition_id=petition.pk, action="triage", user=other_town)
    petition.refresh_from_db()
    assert petition.state == State.REGISTERED
