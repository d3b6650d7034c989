"""人民调解协议书: the written agreement of a mediation referral, as DOCX and PDF.

Laid out like the petition notices (``xinfang.petitions.documents``): the mediating committee's name as
header, the document number, the title, the parties by name (never an ID number or phone), the facts of
the dispute, the terms, how and by when they are performed, signature lines, the committee's seal line.
The content follows Art. 29 of the 人民调解法 (parties, facts and issues, terms, performance); the text is
Chinese as the document is issued in Chinese.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xinfang.core.errors import DomainError
from xinfang.petitions.documents import (
    Block,
    BlockStyle,
    DocumentContent,
    render_content_docx,
    render_content_pdf,
)

from .models import MediationAgreement, MediationReferral, PartySide

KIND = "mediation_agreement"
TITLE = "人民调解协议书"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()] or ["无"]


def _labelled(label: str, text: str) -> list[Block]:
    lines = _paragraphs(text)
    return [Block(lines[0], BlockStyle.FIELD, label)] + [Block(line) for line in lines[1:]]


def agreement_content(referral: MediationReferral) -> DocumentContent:
    agreement: MediationAgreement | None = getattr(referral, "agreement", None)
    if agreement is None or referral.mediator is None:
        raise DomainError(
            _("There is no signed agreement for this referral yet."), code="document_not_available"
        )
    force = referral.mediator.force
    parties = list(referral.parties.order_by("side", "pk"))
    applicants = "、".join(p.name for p in parties if p.side == PartySide.APPLICANT)
    respondents = "、".join(p.name for p in parties if p.side == PartySide.RESPONDENT)
    blocks = [
        Block(applicants, BlockStyle.FIELD, "当事人（申请方）："),
        Block(respondents, BlockStyle.FIELD, "当事人（对方）："),
        Block(
            f"本纠纷系信访事项“{referral.petition.subject}”（信访事项编号：{referral.petition.number}），"
            f"经{referral.unit.name}征得各方当事人同意，依照《信访工作条例》第三十三条、第三十七条"
            f"转交{force.name}调解。"
        ),
        *_labelled("纠纷主要事实、争议事项：", agreement.dispute),
        Block("经调解，各方当事人自愿达成如下协议：", BlockStyle.BODY),
        *[Block(line) for line in _paragraphs(agreement.terms)],
        *_labelled("履行方式、时限：", agreement.performance),
        Block(
            "本协议经各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章后生效，"
            "各方当事人应当按照约定履行。本协议一式三份，当事人各执一份，人民调解委员会留存一份。"
        ),
        Block("", BlockStyle.FIELD, "当事人（签名）："),
        Block(referral.mediator.name, BlockStyle.FIELD, "人民调解员（签名）："),
    ]
    return DocumentContent(
        kind=KIND,
        issuer=force.name,
        number=agreement.number,
        title=TITLE,
        blocks=tuple(blocks),
        issued_on=agreement.signed_on,
        legal_basis=("第三十三条", "第三十七条"),
    )


def agreement_docx(referral: MediationReferral) -> bytes:
    return render_content_docx(agreement_content(referral), subject=referral.petition.number)


def agreement_pdf(referral: MediationReferral) -> bytes:
    return render_content_pdf(agreement_content(referral))
