"""Official documents (受理告知书, 不予受理告知书, 延期告知书, 意见书) rendered as DOCX and PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
import time_machine

from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.documents import (
    DocumentKind,
    available_documents,
    build_content,
    render_docx,
    render_pdf,
)
from xinfang.petitions.intake import PersonData
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Decision, DeliveryMethod, PetitionType, Procedure, State

from .factories import register, valid_id

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
K = DocumentKind


def at(day: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TZ), tick=False)


def squash(text: str) -> str:
    """Line breaks and spaces differ between DOCX paragraphs and PDF lines; Chinese text needs none."""
    return re.sub(r"\s+", "", text)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def docx_all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def pdf_text(data: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        [pdftotext, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def assert_rendered(petition: Petition, kind: DocumentKind, *expected: str) -> None:
    """Both formats open, carry every expected string and the whole built content, and no personal data."""
    principal = petition.principal
    assert principal.id_number and principal.phone  # the check below would be empty otherwise
    secrets = [principal.id_number, principal.phone]
    content = build_content(petition, kind)
    wanted = [
        principal.name,
        petition.number,
        content.issuer,
        content.date_text,
        *content.legal_basis,
        *expected,
    ]

    data = render_docx(petition, kind)
    text = squash(docx_text(data))
    for needle in wanted + content.texts():
        assert squash(needle) in text, f"DOCX {kind} lacks {needle!r}"
    raw = docx_all_xml(data)
    assert 'w:eastAsia="仿宋"' in raw  # Chinese runs name an East Asian font, not only a Latin one
    for secret in secrets:
        assert secret not in raw

    pdf = render_pdf(petition, kind)
    assert pdf.startswith(b"%PDF")
    # Page footers ("— 1 —") land between the lines of a paragraph that runs onto the next page.
    text = re.sub(r"—\d+—", "", squash(pdf_text(pdf)))
    for needle in wanted + content.texts():
        assert squash(needle) in text, f"PDF {kind} lacks {needle!r}"
    for secret in secrets:
        assert secret not in text


def assert_not_available(petition: Petition, *kinds: DocumentKind) -> None:
    for kind in kinds:
        assert kind not in available_documents(petition)
        with pytest.raises(DomainError) as refused:
            render_docx(petition, kind)
        assert refused.value.code == "document_not_available"
        with pytest.raises(DomainError):
            render_pdf(petition, kind)


def refresh(petition: Petition) -> Petition:
    return Petition.objects.get(pk=petition.pk)


def test_documents_follow_a_grievance_from_acceptance_to_final_re_review(demo):
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    leader = User.objects.get(username="leader")
    admin = User.objects.get(username="admin")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")

    with at("2026-03-02"):
        p = register(by="county", person="王某某", id_seed=7)
        services.petition_forward(petition_id=p.pk, user=county, to_unit=rsj)
    assert available_documents(refresh(p)) == []
    assert_not_available(refresh(p), K.ACCEPTANCE, K.NON_ACCEPTANCE, K.EXTENSION, K.OPINION)

    with at("2026-03-05"):
        services.petition_accept(
            petition_id=p.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date(2026, 3, 5),
            route="start_handling",
        )
    p = refresh(p)
    assert available_documents(p) == [K.ACCEPTANCE]
    assert_rendered(
        p,
        K.ACCEPTANCE,
        "金安区人力资源和社会保障局",
        "2026年3月5日",
        "第二十三条",
        "予以受理",
        "15日内",
        "60日内",
    )
    assert_not_available(p, K.EXTENSION, K.OPINION, K.REVIEW_OPINION)
    number = build_content(p, K.ACCEPTANCE).number
    sequence = int(p.number.rsplit("-", 1)[1])
    assert number == f"金安信受告〔2026〕{sequence}号"
    assert build_content(refresh(p), K.ACCEPTANCE).number == number  # deterministic

    with at("2026-04-20"):
        services.petition_extend(
            petition_id=p.pk,
            user=handler,
            days=30,
            reason="涉及多家用人单位，需调取工资发放记录",
            approved_by=leader,
            notice_sent_on=dt.date(2026, 4, 20),
        )
    p = refresh(p)
    assert available_documents(p) == [K.ACCEPTANCE, K.EXTENSION]
    due = p.clocks.get(kind="handling").due_on
    extension = build_content(p, K.EXTENSION)
    assert f"{due.year}年{due.month}月{due.day}日前办结" in "".join(extension.texts())
    assert_rendered(p, K.EXTENSION, "2026年4月20日", "第三十四条", "延长30日", "涉及多家用人单位")

    with at("2026-05-20"):
        services.petition_issue_opinion(
            petition_id=p.pk,
            user=handler,
            decision=Decision.SUPPORT,
            facts_found="经核查，用人单位拖欠工资属实",
            reasons="用人单位未按约定支付劳动报酬",
            legal_basis="《中华人民共和国劳动合同法》第三十条",
        )
        services.petition_deliver_reply(
            petition_id=p.pk, user=handler, delivered_on=dt.date(2026, 5, 20), method=DeliveryMethod.IN_PERSON
        )
    p = refresh(p)
    assert available_documents(p) == [K.ACCEPTANCE, K.EXTENSION, K.OPINION]
    # The extension notice still shows the extended due date once the handling clock has stopped.
    assert build_content(p, K.EXTENSION).texts() == extension.texts()
    assert_rendered(
        p,
        K.OPINION,
        "2026年5月20日",
        "第三十二条",
        "第三十五条",
        "予以支持",
        "劳动合同法",
        "用人单位拖欠工资属实",
        "30日内",
        "金安区人民政府请求复查",
    )
    assert_not_available(p, K.REVIEW_OPINION, K.RE_REVIEW_OPINION)

    with at("2026-06-01"):
        services.petition_request_review(
            petition_id=p.pk, user=county, requested_on=dt.date(2026, 6, 1), grounds="认为补发金额计算有误"
        )
    with at("2026-06-20"):
        services.petition_decide_review(
            petition_id=p.pk,
            user=leader,
            decision=Decision.EXPLAIN,
            facts_found="补发金额按劳动合同约定计算",
            reasons="计算依据已向信访人说明",
            legal_basis="《工资支付暂行规定》",
            delivered_on=dt.date(2026, 6, 20),
        )
    p = refresh(p)
    assert p.state == State.REVIEW_DECIDED
    assert available_documents(p)[-1] == K.REVIEW_OPINION
    assert_rendered(
        p,
        K.REVIEW_OPINION,
        "金安区人民政府",
        "2026年6月20日",
        "第三十五条",
        "作出解释说明",
        "认为补发金额计算有误",
        "六安市人民政府请求复核",
        f"金安信处意〔2026〕{sequence}号",
    )
    assert build_content(p, K.REVIEW_OPINION).number == f"金安信复查〔2026〕{sequence}号"
    assert_not_available(p, K.RE_REVIEW_OPINION)

    with at("2026-07-01"):
        services.petition_request_re_review(
            petition_id=p.pk, user=county, requested_on=dt.date(2026, 7, 1), grounds="仍不服复查意见"
        )
    with at("2026-07-25"):
        services.petition_decide_re_review(
            petition_id=p.pk,
            user=admin,
            decision=Decision.NOT_SUPPORT,
            facts_found="复查意见认定事实清楚",
            reasons="请求缺乏事实根据",
            legal_basis="《工资支付暂行规定》",
            delivered_on=dt.date(2026, 7, 25),
        )
    p = refresh(p)
    assert p.state == State.FINAL
    assert available_documents(p) == [
        K.ACCEPTANCE,
        K.EXTENSION,
        K.OPINION,
        K.REVIEW_OPINION,
        K.RE_REVIEW_OPINION,
    ]
    assert_rendered(
        p,
        K.RE_REVIEW_OPINION,
        "六安市人民政府",
        "2026年7月25日",
        "第三十六条第三款",
        "不予支持",
        "同一事实和理由",
        "不再受理",
        "最终处理意见",
    )
    # The re-reviewer sits in another area than the one that numbered the petition.
    assert build_content(p, K.RE_REVIEW_OPINION).number == f"六安信复核〔2026〕金安{sequence}号"

    # The same matter raised again after finality gets a non-acceptance notice (Art. 36 ¶3).
    with at("2026-08-03"):
        again = register(by="county", person="王某某", id_seed=7)
        services.petition_decline_final(petition_id=again.pk, user=county, final_case=p)
    again = refresh(again)
    assert available_documents(again) == [K.NON_ACCEPTANCE]
    assert_rendered(
        again, K.NON_ACCEPTANCE, "金安区信访局", "2026年8月3日", "第三十六条第三款", p.number, "不再受理"
    )


def test_diverted_grievance_gets_a_non_acceptance_notice_naming_the_procedure(demo):
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    with at("2026-03-02"):
        p = register(by="county", person="李某", id_seed=11, subject="公司拖欠三个月工资")
        services.petition_forward(
            petition_id=p.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
        )
    with at("2026-03-06"):
        services.petition_divert(
            petition_id=p.pk,
            user=handler,
            procedure=Procedure.ARBITRATION,
            reason="请向六安市劳动人事争议仲裁委员会申请劳动仲裁",
        )
    p = refresh(p)
    assert p.state == State.DIVERTED_PROCEDURE
    assert available_documents(p) == [K.NON_ACCEPTANCE]
    assert_rendered(
        p,
        K.NON_ACCEPTANCE,
        "金安区人力资源和社会保障局",
        "2026年3月6日",
        "第二十三条第一款",
        "第三十一条第（二）项",
        "应当通过仲裁解决",
        "本机关不予受理，请你依法向有关仲裁机构申请仲裁。",
        "不予受理",
        "劳动人事争议仲裁委员会",
        "2026年3月2日",
    )
    assert_not_available(p, K.ACCEPTANCE, K.EXTENSION, K.OPINION)


def test_redirected_and_declined_upper_petitions_get_their_own_reasons(demo):
    county = User.objects.get(username="county")
    town = User.objects.get(username="town")
    with at("2026-03-02"):
        outside = register(by="county", person="赵某", id_seed=12, subject="反映外省企业合同纠纷")
        services.petition_redirect(petition_id=outside.pk, user=county, reason="请向江苏省南京市有关部门提出")
        below = register(by="town", person="钱某", id_seed=13)
        services.petition_accept(
            petition_id=below.pk,
            user=town,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date(2026, 3, 2),
            route="start_handling",
        )
    with at("2026-03-09"):
        upper = register(by="county", person="钱某", id_seed=13)
        services.petition_decline_upper(petition_id=upper.pk, user=county, open_case=below)
    assert_rendered(
        refresh(outside),
        K.NON_ACCEPTANCE,
        "金安区信访局",
        "2026年3月2日",
        "第二十三条第一款",
        "不属于本机关或者本系统职权范围",
        "江苏省南京市",
    )
    assert_rendered(
        refresh(upper), K.NON_ACCEPTANCE, "2026年3月9日", "第十九条第三款", below.number, "望城街道办事处"
    )
    # A town officer's own acceptance is issued by the street office; its number is the town's own.
    below = refresh(below)
    accepted = build_content(below, K.ACCEPTANCE)
    assert accepted.issuer == "望城街道办事处"
    assert re.fullmatch(r"望城信受告〔2026〕\d+号", accepted.number)


def test_unknown_document_kind_is_refused(demo):
    with at("2026-03-02"):
        p = register(by="county")
    with pytest.raises(DomainError) as refused:
        render_docx(p, "minutes")
    assert refused.value.code == "document_unknown"


def test_acceptance_of_a_joint_accusation_addresses_all_and_promises_confidentiality(demo):
    county = User.objects.get(username="county")
    with at("2026-03-02"):
        p = register(
            by="county",
            person="周某",
            id_seed=21,
            subject="反映某社区干部优亲厚友",
            petition_type=PetitionType.ACCUSATION,
            accused_description="某社区工作人员",
            co_petitioners=[PersonData(name="吴某", id_number=valid_id(22), phone="13855020022")],
        )
        services.petition_accept(
            petition_id=p.pk,
            user=county,
            petition_type=PetitionType.ACCUSATION,
            notice_sent_on=dt.date(2026, 3, 2),
            route="start_handling",
        )
    p = refresh(p)
    assert_rendered(p, K.ACCEPTANCE, "周某等2人：", "你们", "第三十条第三款", "不会将你们的检举、揭发材料")
    assert "13855020022" not in docx_all_xml(render_docx(p, K.ACCEPTANCE))


def test_acceptance_of_a_suggestion_promises_study_and_a_reply(demo):
    town = User.objects.get(username="town")
    with at("2026-03-02"):
        p = register(by="town", person="郑某", id_seed=23, subject="建议在小区增设充电桩")
    with at("2026-03-03"):
        services.petition_accept(
            petition_id=p.pk,
            user=town,
            petition_type=PetitionType.SUGGESTION,
            notice_sent_on=dt.date(2026, 3, 3),
            route="start_study",
        )
    p = refresh(p)
    content = build_content(p, K.ACCEPTANCE)
    assert "第二十九条第一款" in content.legal_basis
    assert "第三十四条" not in content.legal_basis  # no 60-day promise for a suggestion
    assert_rendered(p, K.ACCEPTANCE, "望城街道办事处", "2026年3月3日", "研究论证", "予以回复")
