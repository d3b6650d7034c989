"""The petition page: facts, people with masked data, clocks, checks, and exactly the actions allowed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.models import PersonalDataAccess
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.intake import attachment_store
from xinfang.petitions.models import Petition, Suggestion
from xinfang.petitions.states import PetitionType, State
from xinfang.petitions.tests.factories import valid_id
from xinfang.web.petitions import actions

from .helpers import accepted_by_handler, force_due, register

pytestmark = pytest.mark.django_db


def page(client: Any, petition: Petition) -> str:
    response = client.get(reverse("web:petition_detail", args=[petition.pk]))
    assert response.status_code == 200
    return response.content.decode()


def act(
    client: Any,
    petition: Petition,
    action: str,
    data: dict[str, Any] | None = None,
    version: int | None = None,
) -> Any:
    fields = {f"{action}-expected_version": petition.version if version is None else version}
    fields.update({f"{action}-{k}": v for k, v in (data or {}).items()})
    return client.post(reverse("web:petition_act", args=[petition.pk, action]), fields)


def offered_actions(html: str) -> set[str]:
    return set(re.findall(r'id="act-([a-z_]+)"', html))


def test_the_page_shows_facts_masked_people_and_the_timeline(client_for):
    petition = register(by="town", subject="小区雨污管道堵塞", person="王某某", id_seed=3, facts="已持续两周")
    html = page(client_for("town"), petition)
    assert "小区雨污管道堵塞" in html and "已持续两周" in html and "王某某" in html
    assert valid_id(3) not in html and "13855020003" not in html
    assert "138****0003" in html
    assert 'id="timeline"' in html


def test_a_running_clock_shows_days_left_and_is_coloured_when_close_or_late(client_for):
    petition = register(by="town")
    force_due(petition, 2)
    html = page(client_for("town"), petition)
    assert re.search(r'class="clock soon"', html)
    assert "2 days left" in html
    force_due(petition, -4)
    html = page(client_for("town"), petition)
    assert 'class="clock overdue"' in html and "4 days overdue" in html


def test_a_department_handler_sees_only_the_actions_its_role_allows(client_for):
    county = User.objects.get(username="county")
    petition = register(by="county")
    petition = services.petition_forward(
        petition_id=petition.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
    )
    handler_actions = offered_actions(page(client_for("handler"), petition))
    assert "accept" in handler_actions and "raise_objection" in handler_actions
    # Routing and refusing upward belong to the petition department.
    assert not handler_actions & {"forward", "assign", "triage", "decline_upper", "decline_final"}
    assert handler_actions == set(actions.available(petition, User.objects.get(username="handler")))


def test_the_handler_may_close_a_replied_matter_but_not_record_the_rating(client_for):
    petition = accepted_by_handler()
    Petition.objects.filter(pk=petition.pk).update(state=State.REPLIED)
    handler_actions = offered_actions(page(client_for("handler"), Petition.objects.get(pk=petition.pk)))
    assert "close" in handler_actions
    assert "evaluate" not in handler_actions and "request_review" not in handler_actions
    county_actions = offered_actions(page(client_for("county"), Petition.objects.get(pk=petition.pk)))
    assert {"evaluate", "request_review"} <= county_actions


def test_a_leader_gets_no_action_on_a_freshly_registered_petition(client_for):
    petition = register(by="county")
    assert offered_actions(page(client_for("leader"), petition)) == set()


def test_an_action_form_runs_the_service_and_the_timeline_shows_it(client_for):
    petition = register(by="county")
    county = client_for("county")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    response = act(county, petition, "forward", {"to_unit": rsj.pk, "note": "请依法处理"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.state == State.FORWARDED and petition.current_unit == rsj
    html = page(county, petition)
    assert "请依法处理" in html and rsj.name in html


def test_a_stale_expected_version_shows_the_conflict_and_changes_nothing(client_for):
    petition = register(by="county")
    county_user = User.objects.get(username="county")
    stale_version = petition.version
    services.petition_triage(petition_id=petition.pk, user=county_user)  # someone else, a moment ago
    petition.refresh_from_db()
    before = (petition.state, petition.version, petition.events.count())
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    response = act(
        client_for("county"),
        petition,
        "forward",
        {"to_unit": rsj.pk, "note": "我的备注"},
        version=stale_version,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this petition a moment ago" in html
    assert "我的备注" in html  # what was typed is still in the form
    petition.refresh_from_db()
    assert (petition.state, petition.version, petition.events.count()) == before


def test_a_refusal_by_the_service_is_shown_in_the_form_with_the_input_kept(client_for):
    county = User.objects.get(username="county")
    petition = register(by="county")
    petition = services.petition_forward(
        petition_id=petition.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
    )
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = act(
        client_for("handler"),
        petition,
        "accept",
        {"petition_type": PetitionType.GRIEVANCE, "notice_sent_on": future},
    )
    html = response.content.decode()
    assert "The notice date cannot be in the future." in html
    assert f'value="{future}"' in html
    petition.refresh_from_db()
    assert petition.state == State.FORWARDED


def test_a_missing_required_field_is_shown_beside_it(client_for):
    petition = register(by="county")
    response = act(client_for("county"), petition, "redirect", {"reason": ""})
    assert response.status_code == 200
    form = next(item.form for item in response.context["offered"] if item.action == "redirect")
    assert form.errors["reason"]
    assert 'id="act-redirect" open' in response.content.decode()
    assert re.search(r'<textarea name="redirect-reason"[^>]*autofocus', response.content.decode())
    petition.refresh_from_db()
    assert petition.state == State.REGISTERED


def test_an_action_the_role_does_not_allow_is_refused_and_changes_nothing(client_for):
    petition = register(by="county")
    response = act(client_for("handler"), petition, "triage")
    assert response.status_code == 404  # a county petition not at the department is not even visible
    response = act(client_for("leader"), petition, "triage")
    assert "Your role does not allow" in response.content.decode()
    petition.refresh_from_db()
    assert petition.state == State.REGISTERED


def test_revealing_an_id_number_requires_a_reason_and_is_logged(client_for):
    petition = register(by="town", id_seed=9)
    town = client_for("town")
    url = reverse("web:petitioner_reveal", args=[petition.pk, petition.principal_id])
    refused = town.post(url, {"field": "id_number", "reason": "  "}, HTTP_HX_REQUEST="true")
    assert "Give a reason for opening the full value." in refused.content.decode()
    assert valid_id(9) not in refused.content.decode()
    assert PersonalDataAccess.objects.count() == 0

    shown = town.post(url, {"field": "id_number", "reason": "电话回访核对身份"}, HTTP_HX_REQUEST="true")
    assert valid_id(9) in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    access = PersonalDataAccess.objects.get()
    assert access.user.username == "town" and access.field_name == "id_number"
    assert access.reason == "电话回访核对身份" and access.object_id == petition.principal_id


def test_a_petitioner_of_another_towns_petition_cannot_be_revealed(client_for):
    theirs = register(by="town2", place="ah-la-yj-pg-hp", id_seed=10)
    url = reverse("web:petitioner_reveal", args=[theirs.pk, theirs.principal_id])
    response = client_for("town").post(url, {"field": "phone", "reason": "想看看"})
    assert response.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_confirming_a_suggestion_by_htmx_records_it_and_redraws_the_checks(client_for):
    register(by="town", subject="噪音扰民", request="夜间施工噪音扰民", id_seed=12)
    again = register(by="town", subject="噪音扰民", request="夜间施工噪音扰民", id_seed=12)
    suggestion = Suggestion.objects.get(petition=again, kind=Suggestion.Kind.REPEAT)
    url = reverse("web:suggestion_decide", args=[again.pk, suggestion.pk, "confirm"])
    response = client_for("town").post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="suggestions"' in html and 'hx-swap-oob="true"' in html
    suggestion.refresh_from_db()
    again.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CONFIRMED and again.is_repeat
    # The redrawn action forms carry the new version, so the next action is not a false conflict.
    assert f'name="triage-expected_version" value="{again.version}"' in html


def test_an_attachment_downloads_only_inside_the_jurisdiction(client_for):
    petition = register(by="town")
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = attachment_store(petition=petition, upload=pdf, user=User.objects.get(username="town"))
    url = reverse("web:attachment_download", args=[petition.pk, attachment.pk])
    response = client_for("town").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for("town2").get(url).status_code == 404


def test_a_stale_form_for_an_action_no_longer_possible_still_comes_back_with_the_typing(client_for):
    petition = register(by="county")
    stale_version = petition.version
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    services.petition_forward(petition_id=petition.pk, user=User.objects.get(username="county"), to_unit=rsj)
    zjj = Unit.objects.get(code="ah-la-ja-zjj")
    response = act(
        client_for("county"),
        petition,
        "assign",
        {"to_unit": zjj.pk, "note": "限期十日反馈"},
        version=stale_version,
    )
    html = response.content.decode()
    assert "Someone else changed this petition a moment ago" in html
    assert "限期十日反馈" in html and 'id="act-assign" open' in html
    petition.refresh_from_db()
    assert petition.state == State.FORWARDED and petition.current_unit == rsj


def test_a_town_may_send_to_its_own_units_and_the_county_organs_but_not_further_up(user):
    from xinfang.web.forms import addressable_units

    codes = set(addressable_units(user("town")).values_list("code", flat=True))
    assert {"ah-la-ja-wc-npy", "ah-la-ja-xfj", "ah-la-ja-rsj", "ah-la-ja-jw"} <= codes
    assert not codes & {"ah-rsj", "ah-la-rsj", "ah-la-yj-xfj", "ah-la-ja-ssp"}
    county = set(addressable_units(user("county")).values_list("code", flat=True))
    assert "ah-la-xfj" in county and "ah-xfj" not in county


def test_the_petition_page_offers_its_documents_and_they_download(client_for):
    from xinfang.petitions.tests.factories import register

    p = register(by="county")
    services.petition_forward(
        petition_id=p.pk,
        user=User.objects.get(username="county"),
        to_unit=Unit.objects.get(code="ah-la-ja-rsj"),
    )
    services.petition_accept(
        petition_id=p.pk,
        user=User.objects.get(username="handler"),
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=dt.date.today(),
    )
    c = client_for("county")
    page = c.get(f"/petitions/{p.pk}/").content.decode()
    assert f"/petitions/{p.pk}/documents/acceptance.pdf" in page
    pdf = c.get(f"/petitions/{p.pk}/documents/acceptance.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = c.get(f"/petitions/{p.pk}/documents/acceptance.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert c.get(f"/petitions/{p.pk}/documents/opinion.pdf").status_code == 404
    assert client_for("town2").get(f"/petitions/{p.pk}/documents/acceptance.pdf").status_code == 404
