"""The leader dashboard: indicators with their definitions, drill-down to exactly the petitions counted,
jurisdiction, the satisfaction switches."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from xinfang.assessment.tests.scenarios import NANPINGYUAN, SANSHIPU, accepted, at, rated, replied
from xinfang.orgs.models import Unit
from xinfang.petitions.states import Rating
from xinfang.petitions.tests.factories import register

pytestmark = pytest.mark.django_db

INDEX = reverse("dashboard:index")
DRILL = reverse("dashboard:drill")
MAY = {"period": "custom", "from": "2025-05-01", "to": "2025-05-31"}
MARCH = {"period": "custom", "from": "2025-03-01", "to": "2025-03-31"}
# Ratings count in the month they were given (assessment.indicators: a window ends when rated).
APRIL = {"period": "custom", "from": "2025-04-01", "to": "2025-04-30"}


def numbers(html: str) -> set[str]:
    return set(re.findall(r'<td class="mono nowrap"><a href="[^"]+">([^<]+)</a>', html))


def get(client: Any, url: str, params: dict[str, Any], day: str = "2025-06-15") -> str:
    with at(day):
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_dashboard_needs_a_login(client, demo):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_drill_down_lists_exactly_the_petitions_counted(client_for, demo):
    on_time = [accepted(seed=seed, on="2025-03-03") for seed in (91, 92, 93)]
    late = accepted(seed=94, on="2025-03-03")
    for petition in on_time:
        replied(petition, on="2025-04-20")
    replied(late, on="2025-05-20")
    leader = client_for("leader")

    page = get(leader, INDEX, MAY)
    assert "75.0%" in page
    assert "Handling deadlines met" in page  # the definition is printed beside the figure

    counted = numbers(get(leader, DRILL, {**MAY, "code": "on_time", "part": "num"}))
    assert counted == {p.number for p in on_time}
    due = numbers(get(leader, DRILL, {**MAY, "code": "on_time", "part": "den"}))
    assert due == {p.number for p in [*on_time, late]}
    assert "Met late" in get(leader, DRILL, {**MAY, "code": "on_time", "part": "den"})


def test_every_figure_on_the_page_links_to_a_drill_down_that_agrees_with_it(client_for, demo):
    for seed in (95, 96):
        replied(accepted(seed=seed, on="2025-03-03"), on="2025-04-20")
    leader = client_for("leader")
    page = get(leader, INDEX, MAY)
    links = re.findall(r'<a href="(/dashboard/petitions/\?[^"]+)">(\d+)</a>', page)
    assert links
    for href, shown in links[:25]:
        with at("2025-06-15"):
            drill = leader.get(href.replace("&amp;", "&")).content.decode()
        assert re.search(rf"<strong>{shown} petitions?</strong>", drill), href


def test_a_town_officer_sees_only_the_towns_places(client_for, demo):
    ours = accepted(seed=101, on="2025-03-03", place=NANPINGYUAN)
    theirs = accepted(seed=102, on="2025-03-03", place=SANSHIPU)
    with at("2025-03-04"):
        elsewhere = register(by="town", place=SANSHIPU, id_seed=103, subject="三十铺道路破损")
    town = client_for("town")
    page = get(town, INDEX, MARCH, day="2025-04-01")
    assert "望城街道" in page
    listed = numbers(get(town, DRILL, {**MARCH, "code": "received", "part": "num"}, day="2025-04-01"))
    assert listed == {ours.number}
    assert theirs.number not in listed and elsewhere.number not in listed
    # Another town's area cannot be asked for.
    other = Unit.objects.get(code="ah-la-ja-ssp")
    with at("2025-04-01"):
        assert town.get(INDEX, {"area": other.pk}).status_code == 404
        assert town.get(DRILL, {"area": other.pk, "code": "received", "part": "num"}).status_code == 404


def test_the_leader_ranks_the_towns_below_and_can_open_one(client_for, demo):
    replied(accepted(seed=104, on="2025-03-03", place=NANPINGYUAN), on="2025-04-20")
    replied(accepted(seed=105, on="2025-03-03", place=SANSHIPU), on="2025-05-25")
    leader = client_for("leader")
    page = get(leader, INDEX, MAY)
    ranking = page[page.index('id="rank-title"') :]
    assert ranking.index("望城街道") < ranking.index("三十铺镇")
    town = Unit.objects.get(code="ah-la-ja-wc")
    assert "Dashboard · 望城街道" in get(leader, INDEX, {**MAY, "area": town.pk})


def test_the_basically_satisfied_switch_changes_satisfaction(client_for, demo):
    petitions = [accepted(seed=110 + i, on="2025-03-03") for i in range(3)]
    for petition in petitions:
        replied(petition, on="2025-04-20")
    for petition, rating in zip(
        petitions, (Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED), strict=True
    ):
        rated(petition, rating=rating, on="2025-04-21")
    leader = client_for("leader")

    def satisfaction(**switches: str) -> str:
        page = get(leader, INDEX, {**APRIL, **switches})
        card = page[page.index("<h2>Satisfaction</h2>") :]
        match = re.search(r'<p class="dash-big"><a href="[^"]+">([^<]+)</a>', card)
        assert match is not None
        return match.group(1)

    assert satisfaction() == "66.7%"
    assert satisfaction(basic="0") == "33.3%"
    assert satisfaction(basic="1", unrated="1") == "66.7%"  # nobody left unrated
    strict = numbers(get(leader, DRILL, {**APRIL, "basic": "0", "code": "satisfaction", "part": "num"}))
    assert strict == {petitions[0].number}


def test_trends_carry_twelve_months_for_the_charts(client_for, demo):
    replied(accepted(seed=120, on="2025-03-03"), on="2025-04-20")
    page = get(client_for("leader"), INDEX, {"period": "year"})
    match = re.search(r'<script id="dash-charts" type="application/json">(.+?)</script>', page, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert [chart["key"] for chart in data] == ["timeliness", "evaluation", "resolution"]
    on_time = next(s for s in data[0]["series"] if s["code"] == "on_time")
    assert len(on_time["points"]) == 12 and on_time["points"][-1]["month"] == "2025-06"
    may = next(p for p in on_time["points"] if p["month"] == "2025-05")
    assert (may["num"], may["den"], may["value"]) == (1, 1, 100.0)


def test_a_bad_custom_period_falls_back_to_this_month_with_a_message(client_for, demo):
    page = get(client_for("leader"), INDEX, {"period": "custom", "from": "2025-05-31", "to": "2025-05-01"})
    assert "Give a custom period as two dates" in page
    assert "2025-06-01 – 2025-06-30" in page


def test_the_drill_down_downloads_as_a_spreadsheet(client_for, demo):
    replied(accepted(seed=121, on="2025-03-03"), on="2025-04-20")
    with at("2025-06-15"):
        response = client_for("leader").get(
            DRILL, {**MAY, "code": "on_time", "part": "den", "format": "xlsx"}
        )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
