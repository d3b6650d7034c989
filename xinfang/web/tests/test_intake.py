"""Fast intake: one keyboard-friendly form, each error beside its field, nothing typed lost."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Channel, PetitionType
from xinfang.petitions.tests.factories import valid_id

from .helpers import register

pytestmark = pytest.mark.django_db

INTAKE = reverse("web:petition_intake")
DUPLICATES = reverse("web:intake_duplicates")


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "channel": Channel.VISIT,
        "principal_name": "吴某某",
        "principal_id_number": valid_id(5),
        "principal_phone": "13855020005",
        "principal_address": "南屏苑小区3栋",
        "place": "南屏苑社区",
        "people_count": "1",
        "representative_count": "0",
        "subject": "楼上漏水多次协调无果",
        "request": "请求协调维修",
        "facts": "",
        "petition_type": "",
        "accused_description": "",
    }
    data.update(overrides)
    return data


def test_the_form_starts_on_the_first_field_in_reading_order(client_for):
    html = client_for("town").get(INTAKE).content.decode()
    names = re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', html)
    order = [n for n in names if n not in {"csrfmiddlewaretoken", "next", "language"}]
    assert order[:5] == [
        "channel",
        "principal_name",
        "principal_id_number",
        "principal_phone",
        "principal_address",
    ]
    assert order.index("place") < order.index("subject") < order.index("request") < order.index("attachments")
    assert re.search(r'<select name="channel"[^>]*autofocus', html)
    assert html.count('type="submit"') - html.count('name="language"') == 2  # register + log out


def test_a_registration_redirects_to_the_petition_with_its_number_and_query_code(client_for):
    town = client_for("town")
    response = town.post(INTAKE, form_data(), follow=True)
    petition = Petition.objects.get(subject="楼上漏水多次协调无果")
    assert response.redirect_chain[-1][0] == reverse("web:petition_detail", args=[petition.pk])
    html = response.content.decode()
    assert petition.number in html and petition.query_code in html
    assert petition.place == Unit.objects.get(code="ah-la-ja-wc-npy")
    assert petition.registered_by == User.objects.get(username="town")


def test_a_bad_id_number_shows_the_translated_error_beside_the_field_and_keeps_the_typing(client_for):
    town = client_for("town")
    bad = valid_id(5)[:-1] + ("0" if valid_id(5)[-1] != "0" else "1")
    response = town.post(INTAKE, form_data(principal_id_number=bad), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The last character of this ID number does not match the others; please check for a typo."
        )
    form = response.context["form"]
    assert form.errors["principal_id_number"] == [expected]
    html = response.content.decode()
    assert re.search(r'id="id_principal_id_number_error"[^>]*>' + re.escape(expected), html)
    assert 'value="楼上漏水多次协调无果"' in html and f'value="{bad}"' in html
    assert re.search(r'<input[^>]*name="principal_id_number"[^>]*autofocus', html)
    assert not re.search(r'<select name="channel"[^>]*autofocus', html)
    assert not Petition.objects.exists()


def test_missing_subject_and_request_are_each_reported_beside_their_field(client_for):
    response = client_for("town").post(INTAKE, form_data(subject="", request=""))
    errors = response.context["form"].errors
    assert "subject" in errors and "request" in errors
    assert not Petition.objects.exists()


def test_an_unknown_place_is_refused_beside_the_field(client_for):
    response = client_for("town").post(INTAKE, form_data(place="和平村"))  # in 叶集区, not the town's
    assert "place" in response.context["form"].errors
    assert not Petition.objects.exists()


def test_files_chosen_before_an_error_must_be_chosen_again_and_the_page_says_so(client_for):
    upload = SimpleUploadedFile("材料.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client_for("town").post(INTAKE, {**form_data(subject=""), "attachments": [upload]})
    assert response.context["files_dropped"] is True
    assert "Choose the attachments again" in response.content.decode()


def test_attachments_are_stored_with_the_petition(client_for):
    files = [
        SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\nxxxx", content_type="image/png"),
        SimpleUploadedFile("说明.txt", "情况说明".encode(), content_type="text/plain"),
    ]
    client_for("town").post(INTAKE, {**form_data(), "attachments": files})
    petition = Petition.objects.get()
    assert sorted(a.original_name for a in petition.attachments.all()) == ["照片.png", "说明.txt"]


def test_accused_fields_are_kept_only_for_an_accusation(client_for):
    wc = Unit.objects.get(code="ah-la-ja-wc-npy")
    county = client_for("county")
    county.post(INTAKE, form_data(subject="普通诉求", accused_unit=wc.pk, accused_description="某某"))
    assert Petition.objects.get(subject="普通诉求").accused_unit is None
    county.post(
        INTAKE,
        form_data(
            subject="举报社区干部",
            petition_type=PetitionType.ACCUSATION,
            accused_unit=wc.pk,
            accused_description="社区某干部",
            principal_id_number=valid_id(6),
            principal_phone="13855020006",
        ),
    )
    accusation = Petition.objects.get(subject="举报社区干部")
    assert accusation.accused_unit == wc and accusation.accused_description == "社区某干部"


def test_an_accusation_against_the_registering_town_itself_is_registered_but_not_shown(client_for):
    town = client_for("town")
    response = town.post(
        INTAKE,
        form_data(
            subject="举报街道",
            petition_type=PetitionType.ACCUSATION,
            accused_unit=Unit.objects.get(code="ah-la-ja-wc").pk,
        ),
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:petition_list")
    assert Petition.objects.filter(subject="举报街道").exists()


def test_a_role_that_does_not_register_gets_no_intake_form(client_for):
    assert client_for("leader").get(INTAKE).status_code == 403
    assert client_for("inspector").get(INTAKE).status_code == 403


def test_a_village_cadre_starts_with_the_own_village_as_place(client_for):
    html = client_for("cadre").get(INTAKE).content.decode()
    assert re.search(r'name="place" value="和平村"', html)


def test_typing_a_known_phone_warns_of_earlier_petitions_of_the_same_person(client_for):
    earlier = register(by="town", subject="楼上漏水", id_seed=5)
    town = client_for("town")
    response = town.post(
        DUPLICATES, {"principal_phone": "138 5502 0005", "subject": "楼上漏水"}, HTTP_HX_REQUEST="true"
    )
    assert earlier.number in response.content.decode()
    by_name = town.post(
        DUPLICATES, {"principal_name": "王某某", "place": "南屏苑社区"}, HTTP_HX_REQUEST="true"
    )
    assert earlier.number in by_name.content.decode()
    nothing = town.post(DUPLICATES, {"principal_phone": "13900000000"}, HTTP_HX_REQUEST="true")
    assert earlier.number not in nothing.content.decode()


def test_the_duplicate_warning_never_shows_petitions_outside_the_jurisdiction(client_for):
    theirs = register(by="town2", place="ah-la-yj-pg-hp", id_seed=5)
    response = client_for("town").post(
        DUPLICATES, {"principal_id_number": valid_id(5)}, HTTP_HX_REQUEST="true"
    )
    assert theirs.number not in response.content.decode()


def test_the_duplicate_check_needs_a_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="town"), backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(DUPLICATES, {"principal_phone": "13855020005"}).status_code == 403
