"""Social forces in the browser: a mediation referral from checklist to signed agreement, and a consent
campaign passing its 95% threshold.

Preconditions through the services: the street mediation committee and its mediator, a grievance under
investigation at 金安区人社局; the shanty-town self-help committee and its campaign with 18 of 20
households consenting. What the tests are about happens in the pages.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from xinfang.community import services
from xinfang.community.models import ConsentStatus, ForceKind, ReferralStatus
from xinfang.petitions.models import Petition
from xinfang.petitions.states import State

from . import seed
from .support import flash, login, screenshot, zh

SHANTY = "ah-hf-yh-hpl-hqs"


def _committee() -> str:
    force = services.social_force_register(
        user=seed.user("town"),
        kind=ForceKind.MEDIATION_COMMITTEE,
        name="望城街道人民调解委员会",
        area=seed.unit("ah-la-ja-wc"),
    )
    return services.member_add(user=seed.user("town"), force_id=force.pk, name="罗调解员").name


def test_a_handler_refers_a_grievance_to_mediation_records_consent_and_the_agreement(
    page: Page, demo_data
) -> None:
    mediator = _committee()
    petition = seed.accept(seed.forward(seed.walk_in(subject="楼上住户装修致楼下渗水", seed=41)))
    login(page, "handler")
    page.goto(f"/petitions/{petition.pk}/")
    page.get_by_role("link", name=zh("Social forces and mediation for this petition")).click()
    page.get_by_role("link", name=zh("Refer to people's mediation")).click()

    # The checklist: a civil dispute, nothing that excludes it.
    for question, answer in [
        (
            "Is it a civil dispute: between citizens, with a legal person, or about civil rights against an "
            "administrative organ?",
            "Yes",
        ),
        ("Is the matter reserved by law to special organs (courts, procuratorates, police)?", "No"),
        ("Is a lawsuit, arbitration or other legal procedure on it under way and unfinished?", "No"),
        ("Is it an administrative dispute (about an administrative act)?", "No"),
        ("Has any party refused mediation?", "No"),
    ]:
        page.get_by_role("group", name=zh(question)).get_by_label(zh(answer), exact=True).check()
    page.get_by_label(zh("The other side of the dispute")).fill("楼上住户")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Refer"), exact=True).click()
    expect(flash(page)).to_contain_text(zh("Referred to mediation."))
    expect(page.get_by_test_id("referral-status")).to_have_text(zh("Waiting for consent"))

    # Each party consents in writing; then the mediator is assigned and calls within the 24 hours.
    for party in ("王某某", "楼上住户"):
        form = page.get_by_role("form", name=zh("Consent of %(name)s") % {"name": party})
        form.get_by_label(zh("Consents"), exact=True).check()
        with page.expect_navigation():
            form.get_by_role("button", name=zh("Record")).click()
    expect(page.get_by_test_id("referral-status")).to_have_text(zh("In mediation"))
    page.locator("#mediator").get_by_label(zh("Mediator")).select_option(
        label=f"{mediator} · 望城街道人民调解委员会"
    )
    with page.expect_navigation():
        page.locator("#mediator").get_by_role("button", name=zh("Assign")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Record the first contact")).click()
    expect(page.locator("#contact")).to_contain_text(zh("on time"))

    # The agreement is signed: the petition is settled and the 调解协议书 downloads.
    outcome = page.locator("#outcome")
    outcome.get_by_role("textbox", name=zh("Facts of the dispute and the issues"), exact=True).fill(
        "楼上装修破坏防水层致楼下渗水"
    )
    outcome.get_by_role("textbox", name=zh("Terms agreed"), exact=True).fill(
        "楼上住户十五日内重做防水并赔偿修复费3000元"
    )
    outcome.get_by_role("textbox", name=zh("How and by when it is performed"), exact=True).fill(
        "签订后十五日内履行完毕"
    )
    with page.expect_navigation():
        outcome.get_by_role("button", name=zh("Record the agreement")).click()
    expect(page.get_by_test_id("referral-status")).to_have_text(zh("Agreement signed"))
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith("mediation-agreement.pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    petition = Petition.objects.get(pk=petition.pk)
    assert petition.state == State.SETTLED
    assert petition.mediation_referrals.get().status == ReferralStatus.AGREED
    screenshot(page, "community-mediation")


def test_a_campaign_passes_95_percent_when_the_street_records_the_19th_household(
    page: Page, demo_data
) -> None:
    user = seed.user("town_hpl")
    force = services.social_force_register(
        user=user,
        kind=ForceKind.SELF_HELP_COMMITTEE,
        name="和平路棚户区群众自助委员会",
        area=seed.unit(SHANTY),
    )
    members = [
        services.member_add(
            user=user, force_id=force.pk, name=name, joined_on=timezone.localdate() - dt.timedelta(days=90)
        )
        for name in ("委员甲", "委员乙", "委员丙")
    ]
    start = timezone.localdate() - dt.timedelta(days=40)
    campaign = services.campaign_create(
        user=user,
        name="棚户区改造征收意愿征询",
        area=seed.unit(SHANTY),
        goal="同意率超过95%后启动改造",
        social_force_id=force.pk,
        starts_on=start,
    )
    households = services.households_add(
        user=user, campaign_id=campaign.pk, households=[(f"宿舍1栋{n:02d}户", "王建国") for n in range(1, 21)]
    )
    for index, household in enumerate(households[:18]):
        services.household_consent_record(
            user=user,
            household_id=household.pk,
            status=ConsentStatus.CONSENTED,
            on=start + dt.timedelta(days=2 + index),
            worked_by_id=members[index % 3].pk,
        )

    login(page, "town_hpl")
    page.locator("header .mainnav").get_by_role("link", name=zh("Social forces")).click()
    page.get_by_role("link", name=zh("Consent campaigns")).click()
    page.get_by_role("link", name="棚户区改造征收意愿征询").click()
    expect(page.get_by_test_id("consent-rate")).to_have_text("90.0%")
    expect(page.get_by_test_id("threshold-reached")).to_have_text("—")

    record = page.locator("#record")
    record.get_by_label(zh("Household")).select_option(label=f"宿舍1栋19户 王** · {zh('Not visited')}")
    record.get_by_label(zh("Answer")).select_option(label=zh("Consented"))
    record.get_by_label(zh("Member who did the work")).select_option(label="委员乙")
    with page.expect_navigation():
        record.get_by_role("button", name=zh("Record")).click()
    expect(flash(page)).to_contain_text(zh("Recorded."))
    expect(page.get_by_test_id("consent-rate")).to_have_text("95.0%")
    expect(page.get_by_test_id("threshold-reached")).to_have_text(timezone.localdate().isoformat())
    expect(page.locator("#consent-chart canvas")).to_be_visible()
    screenshot(page, "community-campaign")
