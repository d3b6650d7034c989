from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.community import selectors, services
from xinfang.community.models import ConsentStatus, ForceKind, HouseholdConsent, SocialForce, SocialForceLink
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit

from .factories import (
    WANGCHENG,
    campaign,
    in_handling,
    mediation_committee,
    self_help_committee,
    user,
)

pytestmark = pytest.mark.django_db


# --- registry ------------------------------------------------------------------------------------


def test_a_street_officer_registers_a_committee_whose_contact_phone_is_encrypted(demo):
    from django.db import connection

    force = mediation_committee()
    with connection.cursor() as cursor:
        table = SocialForce._meta.db_table  # a model constant, not input
        cursor.execute(f"SELECT contact_phone FROM {table} WHERE id = %s", [force.pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    assert raw and "13955001122" not in raw
    assert SocialForce.objects.get(pk=force.pk).contact_phone == "13955001122"


def test_a_village_cadre_cannot_register_forces_outside_the_village(demo):
    with pytest.raises(DomainError) as refused:
        services.social_force_register(
            user=user("cadre"), kind=ForceKind.VOLUNTEER, name="志愿队", area=Unit.objects.get(code=WANGCHENG)
        )
    assert refused.value.code == "role_not_allowed"


def test_the_registry_shows_the_jurisdiction_and_the_areas_above_it_but_not_other_counties(demo):
    street = mediation_committee()
    village = services.social_force_register(
        user=user("town"),
        kind=ForceKind.VOLUNTEER,
        name="南屏苑志愿者服务队",
        area=Unit.objects.get(code="ah-la-ja-wc-npy"),
    )
    elsewhere = self_help_committee()
    seen_by_town = set(selectors.visible_forces(user("town")).values_list("pk", flat=True))
    assert {street.pk, village.pk} <= seen_by_town and elsewhere.pk not in seen_by_town
    seen_by_cadre = set(selectors.visible_forces(user("cadre")).values_list("pk", flat=True))
    assert seen_by_cadre.isdisjoint({street.pk, village.pk, elsewhere.pk})
    seen_by_hpl = set(selectors.visible_forces(user("town_hpl")).values_list("pk", flat=True))
    assert seen_by_hpl == {elsewhere.pk}


def test_a_social_force_is_linked_to_a_petition_as_co_handler_on_its_timeline(demo):
    force = mediation_committee()
    petition = in_handling()
    link = services.social_force_link(
        user=user("handler"), petition_id=petition.pk, force_id=force.pk, role="co_handler", note="协助做工作"
    )
    event = petition.events.get(action="social_force_linked")
    assert event.payload["force_name"] == "望城街道人民调解委员会"
    with pytest.raises(DomainError) as twice:
        services.social_force_link(
            user=user("handler"), petition_id=petition.pk, force_id=force.pk, role="co_handler"
        )
    assert twice.value.code == "duplicate"
    services.social_force_unlink(user=user("handler"), link_id=link.pk, reason="工作结束")
    assert SocialForceLink.objects.get(pk=link.pk).ended_at is not None
    assert petition.events.filter(action="social_force_unlinked").exists()


def test_an_inactive_social_force_cannot_be_linked(demo):
    force = mediation_committee()
    services.social_force_set_active(user=user("town"), force_id=force.pk, active=False)
    with pytest.raises(DomainError) as refused:
        services.social_force_link(
            user=user("handler"), petition_id=in_handling().pk, force_id=force.pk, role="representative_body"
        )
    assert refused.value.code == "force"


# --- consent campaigns ---------------------------------------------------------------------------


def test_household_names_are_kept_masked(demo):
    made = campaign(self_help_committee(), households=2)
    assert list(made.households.values_list("head_name", flat=True)) == ["王**", "王**"]
    assert services.mask_name("欧阳春生") == "欧***"
    assert services.mask_name("李某某") == "李某某"


def test_consent_changes_are_dated_rows_and_the_rate_crosses_the_threshold_on_the_right_day(demo):
    force = self_help_committee()
    made = campaign(force, households=20)
    members = list(force.members.all())
    households = list(made.households.order_by("pk"))
    start = made.starts_on
    for index, household in enumerate(households[:19]):
        services.household_consent_record(
            user=user("town_hpl"),
            household_id=household.pk,
            status=ConsentStatus.CONSENTED,
            on=start + dt.timedelta(days=1 + index // 5),
            worked_by_id=members[index % 3].pk,
        )
    series = selectors.consent_series(made)
    assert series[0].consented == 0 and series[0].day == start
    assert series[-1].consented == 19 and str(series[-1].rate) == "95.0"
    reached = selectors.threshold_reached_on(made, series)
    assert reached == start + dt.timedelta(days=4)
    work = selectors.member_work(made)
    assert sum(row["consents"] for row in work) == 19
    assert work[0]["consents"] == 7
    assert HouseholdConsent.objects.filter(household__campaign=made).count() == 19
    assert selectors.status_counts(made)[ConsentStatus.NOT_VISITED] == 1


def test_the_threshold_is_not_reached_below_it(demo):
    made = campaign(self_help_committee(), households=20)
    for household in list(made.households.order_by("pk"))[:18]:
        services.household_consent_record(
            user=user("town_hpl"),
            household_id=household.pk,
            status=ConsentStatus.CONSENTED,
            on=timezone.localdate(),
        )
    series = selectors.consent_series(made)
    assert str(series[-1].rate) == "90.0"
    assert selectors.threshold_reached_on(made, series) is None


def test_a_change_dated_before_the_last_one_or_the_campaign_is_refused(demo):
    made = campaign(self_help_committee(), households=1)
    household = made.households.get()
    today = timezone.localdate()
    services.household_consent_record(
        user=user("town_hpl"), household_id=household.pk, status="undecided", on=today
    )
    with pytest.raises(DomainError):
        services.household_consent_record(
            user=user("town_hpl"),
            household_id=household.pk,
            status="consented",
            on=today - dt.timedelta(days=1),
        )
    with pytest.raises(DomainError):
        services.household_consent_record(
            user=user("town_hpl"),
            household_id=household.pk,
            status="consented",
            on=made.starts_on - dt.timedelta(days=1),
        )


def test_the_work_is_credited_only_to_a_member_of_the_campaigns_social_force(demo):
    made = campaign(self_help_committee(), households=1)
    outsider = mediation_committee().members.earliest("pk")
    with pytest.raises(DomainError) as refused:
        services.household_consent_record(
            user=user("town_hpl"),
            household_id=made.households.get().pk,
            status="consented",
            on=timezone.localdate(),
            worked_by_id=outsider.pk,
        )
    assert refused.value.code == "worked_by"


def test_a_stale_household_form_gets_a_conflict(demo):
    from xinfang.core.errors import ConflictError

    made = campaign(self_help_committee(), households=1)
    household = made.households.get()
    services.household_consent_record(
        user=user("town_hpl"),
        household_id=household.pk,
        status="undecided",
        on=timezone.localdate(),
        expected_version=1,
    )
    with pytest.raises(ConflictError):
        services.household_consent_record(
            user=user("town_hpl"),
            household_id=household.pk,
            status="consented",
            on=timezone.localdate(),
            expected_version=1,
        )


def test_campaigns_of_another_district_are_not_visible(demo):
    made = campaign(self_help_committee(), households=1)
    assert selectors.visible_campaigns(user("town_hpl")).filter(pk=made.pk).exists()
    assert selectors.visible_campaigns(user("county_yh")).filter(pk=made.pk).exists()
    assert not selectors.visible_campaigns(user("town")).filter(pk=made.pk).exists()
    with pytest.raises(DomainError):
        services.household_consent_record(
            user=user("town"),
            household_id=made.households.get().pk,
            status="consented",
            on=timezone.localdate(),
        )


STATUSES = st.sampled_from([ConsentStatus.UNDECIDED, ConsentStatus.CONSENTED, ConsentStatus.REFUSED])


@settings(max_examples=200, deadline=None)
@given(
    households=st.integers(1, 8),
    steps=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3), STATUSES), max_size=40),
)
def test_the_rate_ends_at_the_current_share_of_consent_and_stays_between_0_and_100(households, steps):
    """Property of the series: one point per change day in date order, each rate in [0, 100], and the
    last point counts exactly the households whose latest status is "consented"."""
    start = dt.date(2022, 3, 1)
    day, current, changes = start, {}, []
    for index, gap, status in steps:
        household = index % households
        day += dt.timedelta(days=gap)
        current[household] = status
        changes.append((household, status, day))
    series = selectors.rate_series(start, households, changes)
    assert series[0].day == start
    assert [p.day for p in series] == sorted({p.day for p in series})
    assert all(0 <= p.rate <= 100 and p.households == households for p in series)
    assert series[-1].consented == sum(1 for s in current.values() if s == ConsentStatus.CONSENTED)
