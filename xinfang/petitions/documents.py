"""Official documents filled from a petition, as DOCX (python-docx) and PDF (WeasyPrint).

The documents (公文) a petition produces for the petitioner:

* 受理告知书 (acceptance notice, Art. 23),
* 不予受理告知书 (non-acceptance notice: another procedure, Art. 23 ¶1 and 31 (1)-(4); outside the
  system, Art. 23 ¶1; already handled below, Art. 19 ¶3; already final, Art. 36 ¶3),
* 延期告知书 (extension notice, Art. 34),
* 信访处理意见书 (handling opinion, Art. 32, with the right to a 复查 under Art. 35),
* 复查意见书 (review opinion, Art. 35, with the right to a 复核 under Art. 36),
* 复核意见书 (re-review opinion, Art. 36, final: not accepted again on the same facts and reasons).

One builder, :func:`build_content`, turns a petition into a :class:`DocumentContent` (header, number,
title, blocks of text, seal line); :func:`render_docx` and :func:`render_pdf` only lay that content
out, so the two formats never say different things. Nothing here writes to the database.

The document text itself is Chinese, as official documents are issued in Chinese; only the messages
for staff (errors, labels) are translatable. The petitioner appears by name only: never an ID number
or a phone number.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import shutil
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.core.errors import DomainError
from xinfang.core.models import Limit
from xinfang.orgs.models import Unit, UnitKind

from .intake import numbering_scope
from .models import Appeal, Clock, ClockStatus, Extension, Opinion, Petition, PetitionEvent
from .states import Decision, PartyRole, PetitionType, Procedure

__all__ = [
    "Block",
    "BlockStyle",
    "DocumentContent",
    "DocumentKind",
    "article",
    "available_documents",
    "build_content",
    "chinese_date",
    "cite",
    "document_number",
    "render_content_docx",
    "render_content_pdf",
    "render_docx",
    "render_html",
    "render_pdf",
]


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", gettext_lazy("Acceptance notice")  # 受理告知书
    NON_ACCEPTANCE = "non_acceptance", gettext_lazy("Non-acceptance notice")  # 不予受理告知书
    EXTENSION = "extension", gettext_lazy("Extension notice")  # 延期告知书
    OPINION = "opinion", gettext_lazy("Handling opinion")  # 信访处理意见书
    REVIEW_OPINION = "review_opinion", gettext_lazy("Review opinion")  # 复查意见书
    RE_REVIEW_OPINION = "re_review_opinion", gettext_lazy("Re-review opinion")  # 复核意见书


# Official title and the abbreviation used in the document number (发文字号) of each kind.
TITLES = {
    DocumentKind.ACCEPTANCE: "信访事项受理告知书",
    DocumentKind.NON_ACCEPTANCE: "信访事项不予受理告知书",
    DocumentKind.EXTENSION: "信访事项延期办理告知书",
    DocumentKind.OPINION: "信访处理意见书",
    DocumentKind.REVIEW_OPINION: "信访事项复查意见书",
    DocumentKind.RE_REVIEW_OPINION: "信访事项复核意见书",
}
NUMBER_CODES = {
    DocumentKind.ACCEPTANCE: "受告",
    DocumentKind.NON_ACCEPTANCE: "不受告",
    DocumentKind.EXTENSION: "延告",
    DocumentKind.OPINION: "处意",
    DocumentKind.REVIEW_OPINION: "复查",
    DocumentKind.RE_REVIEW_OPINION: "复核",
}
# Timeline actions after which the petitioner is told the matter is not accepted here.
NON_ACCEPTANCE_ACTIONS = ("divert", "redirect", "decline_upper", "decline_final")
ROUTE_ACTIONS = ("start_study", "start_duty", "start_handling")
HANDLING_CLOCK_KINDS = (Limit.HANDLING.value, Limit.DUTY_PERFORMANCE.value, Limit.SUGGESTION_STUDY.value)

REGULATION = "《信访工作条例》"
# Art. 31 item of each procedure a matter may be diverted to, the situation, and what the petitioner should
# do (after 请你).
PROCEDURE_ITEMS = {
    Procedure.LITIGATION: (
        1,
        "应当通过审判机关诉讼程序或者复议程序、检察机关刑事立案程序或者法律监督程序、公安机关法律程序处理",
        "依照法律法规规定的程序向有关政法机关提出",
    ),
    Procedure.ARBITRATION: (2, "应当通过仲裁解决", "依法向有关仲裁机构申请仲裁"),
    Procedure.PARTY_APPEAL: (3, "可以通过党员申诉、申请复审等解决", "通过党员申诉、申请复审等程序提出"),
    Procedure.ADMINISTRATIVE: (
        4,
        "可以通过行政复议、行政裁决、行政确认、行政许可、行政处罚等行政程序解决",
        "通过相应的行政程序向有关行政机关提出",
    ),
}
# Art. 32 ¶1 item of each decision.
DECISION_ITEMS = {Decision.SUPPORT: 1, Decision.EXPLAIN: 2, Decision.NOT_SUPPORT: 3}
DECISION_TEXT = {
    Decision.SUPPORT: "予以支持",
    Decision.EXPLAIN: "作出解释说明",
    Decision.NOT_SUPPORT: "不予支持",
}
# Art. 32 (1)-(3): the standard the decision applies.
DECISION_STANDARD = {
    Decision.SUPPORT: "请求事实清楚，符合法律、法规、规章或者其他有关规定",
    Decision.EXPLAIN: "请求事由合理但缺乏法律依据",
    Decision.NOT_SUPPORT: "请求缺乏事实根据或者不符合法律、法规、规章或者其他有关规定",
}
CHANNEL_TEXT = {
    "online": "网上信访",
    "letter": "来信",
    "phone": "来电",
    "fax": "传真",
    "visit": "走访",
    "hotline": "12345热线",
    "agent": "委托代理",
    "grid": "网格员代为反映",
    "station": "接待站点走访",
}

# --- small formatting helpers ---------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1..99 in Chinese numerals as used for article numbers: 23 -> 二十三, 10 -> 十."""
    if not 0 < n < 100:
        raise ValueError("article numbers run from 1 to 99")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def article(number: int, paragraph: int | None = None, item: int | None = None) -> str:
    """A provision of the regulation: ``article(31, item=2)`` -> 第三十一条第（二）项."""
    text = f"第{chinese_numeral(number)}条"
    if paragraph:
        text += f"第{chinese_numeral(paragraph)}款"
    if item:
        text += f"第（{chinese_numeral(item)}）项"
    return text


def cite(*provisions: str) -> str:
    """Provisions with the regulation's name once.

    ``cite("第二十三条第一款", "第三十一条第（二）项")``
    -> 《信访工作条例》第二十三条第一款、第三十一条第（二）项.
    """
    return REGULATION + "、".join(provisions)


def chinese_date(day: dt.date | dt.datetime) -> str:
    """2026-03-05 -> 2026年3月5日 (Arabic numerals, as GB/T 9704-2012 writes the date)."""
    if isinstance(day, dt.datetime):
        day = timezone.localdate(day)
    return f"{day.year}年{day.month}月{day.day}日"


AREA_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "街道",
    "社区",
    "省",
    "市",
    "区",
    "县",
    "镇",
    "乡",
    "村",
)


def area_short_name(unit: Unit) -> str:
    """The short name of a unit's area for the document number: 金安区 -> 金安, 望城街道 -> 望城."""
    name = unit.area().name
    for suffix in AREA_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def official_name(unit: Unit) -> str:
    """The name an issuing body signs with: organs as named; an area by its government or office.

    (design choice) An area unit acting as a decider stands for its people's government: 金安区 ->
    金安区人民政府, 望城街道 -> 望城街道办事处, 南屏苑社区 -> 南屏苑社区居民委员会.
    """
    name = unit.name
    if unit.is_organ:
        return name
    if unit.kind in (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY):
        return name if name.endswith("人民政府") else f"{name}人民政府"
    if unit.kind == UnitKind.TOWN:
        return f"{name}办事处" if name.endswith("街道") else f"{name}人民政府"
    if unit.kind == UnitKind.VILLAGE:
        if name.endswith("社区"):
            return f"{name}居民委员会"
        if name.endswith("村"):
            return f"{name}村民委员会"
    return name


def _number_parts(petition: Petition) -> tuple[str, str, str]:
    """(scope, year, sequence) of a petition number like 341502-2026-000123 (see intake.next_number)."""
    parts = petition.number.rsplit("-", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], parts[1], str(int(parts[2]))
    return "", str(timezone.localdate(petition.received_at).year), petition.number


def document_number(petition: Petition, kind: DocumentKind, issuer: Unit) -> str:
    """发文字号 derived from the issuing unit, the year and the petition number, e.g. 金安信受告〔2026〕12号.

    Deterministic: the same petition, kind and issuer always give the same number. The year and the
    sequence are the petition number's. Petition numbers are counted per registering area, so when the
    issuer sits in another area the registering area's short name is put before the sequence
    (金安信受告〔2026〕望城12号) to keep numbers of different matters apart.
    """
    scope, year, sequence = _number_parts(petition)
    issuer_scope = numbering_scope(issuer)
    if scope and scope != issuer_scope:
        registering = (
            Unit.objects.filter(division_code=scope).first() if scope.isdigit() else None
        ) or Unit.objects.filter(code=scope).first()
        sequence = (area_short_name(registering) if registering else scope) + sequence
    return f"{area_short_name(issuer)}信{NUMBER_CODES[kind]}〔{year}〕{sequence}号"


# --- the content shared by both formats -------------------------------------------------------------


class BlockStyle(StrEnum):
    PLAIN = "plain"  # flush left: the salutation
    BODY = "body"  # first line indented two characters
    FIELD = "field"  # bold label, then the value; indented like the body


@dataclass(frozen=True)
class Block:
    text: str
    style: BlockStyle = BlockStyle.BODY
    label: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.label}{self.text}"


@dataclass(frozen=True)
class DocumentContent:
    """Everything a document says, in reading order; renderers add layout only."""

    kind: DocumentKind | str
    issuer: str  # header (发文机关标志) and seal line
    number: str  # 发文字号
    title: str
    blocks: tuple[Block, ...]
    issued_on: dt.date
    legal_basis: tuple[str, ...]  # provisions of 《信访工作条例》 the document rests on, e.g. 第二十三条

    @property
    def legal_basis_text(self) -> str:
        return cite(*self.legal_basis)

    @property
    def date_text(self) -> str:
        return chinese_date(self.issued_on)

    @property
    def seal_text(self) -> str:
        return "（印章）"

    def seal_indents(self) -> tuple[float, float, float]:
        """Right indents, in em, of the seal mark, the issuer and the date (GB/T 9704 7.3.5.1).

        The date stands four characters from the right margin; the issuer and the seal mark are centred
        over it. A long issuer that would cross the margin pushes the whole block left.
        """
        date_width, issuer_width, seal_width = (
            _em_width(t) for t in (self.date_text, self.issuer, self.seal_text)
        )
        date = 4.0
        issuer = date + (date_width - issuer_width) / 2
        if issuer < 0:
            date, issuer = date - issuer, 0.0
        seal = date + (date_width - seal_width) / 2
        return seal, issuer, date

    def texts(self) -> list[str]:
        """Every line of text in reading order, as both renderers print it."""
        lines = [self.issuer, self.number, self.title]
        lines += [block.full_text for block in self.blocks]
        lines += [self.seal_text, self.issuer, self.date_text]
        return lines


def _em_width(text: str) -> float:
    """Approximate width in em: CJK characters and full-width punctuation 1, ASCII half."""
    return sum(0.5 if ord(char) < 0x2E80 else 1.0 for char in text)


def _user_paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _labelled(label: str, text: str) -> list[Block]:
    """A labelled field; further lines of a multi-line value follow as indented paragraphs."""
    lines = _user_paragraphs(text) or ["无"]
    return [Block(lines[0], BlockStyle.FIELD, label)] + [Block(line) for line in lines[1:]]


def _other_petitioners(petition: Petition) -> int:
    """Co-petitioners and representatives besides the principal."""
    return (
        petition.parties.filter(role__in=[PartyRole.CO_PETITIONER, PartyRole.REPRESENTATIVE])
        .exclude(petitioner_id=petition.principal_id)
        .values("petitioner_id")
        .distinct()
        .count()
    )


def _addressee(petition: Petition) -> str:
    """The petitioner's name (never the ID number or phone); ``王某某等3人`` for several petitioners."""
    others = _other_petitioners(petition)
    name = petition.principal.name
    return f"{name}等{others + 1}人" if others else name


def _you(petition: Petition) -> str:
    """你, or 你们 when the document goes to several petitioners."""
    return "你们" if _other_petitioners(petition) else "你"


def _matter(petition: Petition) -> str:
    """How the petition is referred to in running text."""
    return f"“{petition.subject}”信访事项（信访事项编号：{petition.number}）"


def _last_event(petition: Petition, actions: tuple[str, ...]) -> PetitionEvent | None:
    return petition.events.filter(action__in=actions).order_by("-sequence").first()


def _receipt_date(petition: Petition, unit: Unit, before: int | None) -> dt.date:
    """When ``unit`` received the matter: the forwarding or assignment to it, else the original receipt."""
    routed = petition.events.filter(action__in=["forward", "assign"]).order_by("-sequence")
    if before is not None:
        routed = routed.filter(sequence__lt=before)
    for event in routed:
        if event.payload.get("to_unit") == unit.pk:
            return timezone.localdate(event.at)
    return timezone.localdate(petition.received_at)


def _opinion(petition: Petition, stage: str) -> Opinion | None:
    return petition.opinions.filter(stage=stage).select_related("unit").order_by("-pk").first()


def _handling_clock(petition: Petition) -> Clock | None:
    """The handling clock an extension moved: the running one, else the last one that was extended."""
    clocks = petition.clocks.filter(kind__in=HANDLING_CLOCK_KINDS).select_related("unit")
    running = clocks.filter(status=ClockStatus.RUNNING).order_by("-started_on", "-pk").first()
    if running is not None and running.extended_days:
        return running
    return clocks.filter(extended_days__gt=0).order_by("-started_on", "-pk").first()


def _extension(petition: Petition) -> Extension | None:
    return Extension.objects.filter(petition=petition).first()


def _upper_unit_name(unit: Unit) -> str | None:
    from .services import review_unit_for

    try:
        return official_name(review_unit_for(unit))
    except DomainError:
        return None


def _not_available(kind: DocumentKind) -> DomainError:
    return DomainError(
        _("“%(document)s” cannot be produced for this petition yet.") % {"document": kind.label},
        code="document_not_available",
    )


def available_documents(petition: Petition) -> list[DocumentKind]:
    """The documents the petition's recorded data supports now, in the order they arise."""
    kinds: list[DocumentKind] = []
    if petition.accepted_at is not None:
        kinds.append(DocumentKind.ACCEPTANCE)
    if _last_event(petition, NON_ACCEPTANCE_ACTIONS) is not None:
        kinds.append(DocumentKind.NON_ACCEPTANCE)
    if _extension(petition) is not None and _handling_clock(petition) is not None:
        kinds.append(DocumentKind.EXTENSION)
    stages = set(petition.opinions.values_list("stage", flat=True))
    if Opinion.Stage.HANDLING in stages:
        kinds.append(DocumentKind.OPINION)
    if Opinion.Stage.REVIEW in stages:
        kinds.append(DocumentKind.REVIEW_OPINION)
    if Opinion.Stage.RE_REVIEW in stages:
        kinds.append(DocumentKind.RE_REVIEW_OPINION)
    return kinds


def build_content(petition: Petition, kind: DocumentKind | str) -> DocumentContent:
    """The text of one document. Raises DomainError when the petition does not support it yet."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise DomainError(_("Unknown document."), code="document_unknown") from None
    builders = {
        DocumentKind.ACCEPTANCE: _acceptance,
        DocumentKind.NON_ACCEPTANCE: _non_acceptance,
        DocumentKind.EXTENSION: _extension_notice,
        DocumentKind.OPINION: _handling_opinion,
        DocumentKind.REVIEW_OPINION: _review_opinion,
        DocumentKind.RE_REVIEW_OPINION: _re_review_opinion,
    }
    content = builders[kind](petition)
    if content is None:
        raise _not_available(kind)
    return content


def _make(
    petition: Petition,
    kind: DocumentKind,
    issuer: Unit,
    issued_on: dt.date,
    blocks: list[Block],
    legal_basis: list[str],
) -> DocumentContent:
    return DocumentContent(
        kind=kind,
        issuer=official_name(issuer),
        number=document_number(petition, kind, issuer),
        title=TITLES[kind],
        blocks=tuple(blocks),
        issued_on=issued_on,
        legal_basis=tuple(dict.fromkeys(legal_basis)),
    )


def _acceptance(petition: Petition) -> DocumentContent | None:
    if petition.accepted_at is None:
        return None
    you = _you(petition)
    accept = _last_event(petition, ("accept",))
    issuer = petition.handling_unit or petition.current_unit
    received = _receipt_date(petition, issuer, accept.sequence if accept else None)
    accepted_on = timezone.localdate(petition.accepted_at)
    issued_on = petition.notice_sent_on or accepted_on
    later = petition.events.filter(action__in=ROUTE_ACTIONS)
    if accept is not None:
        later = later.filter(sequence__gt=accept.sequence)
    route_event = later.order_by("sequence").first()
    route = route_event.action if route_event else _default_route(petition.petition_type)
    basis = [article(23)]
    blocks = [
        Block(f"{_addressee(petition)}：", BlockStyle.PLAIN),
        Block(
            f"{you}以{CHANNEL_TEXT.get(petition.channel, '其他')}形式反映的{_matter(petition)}，"
            f"本机关于{chinese_date(received)}收到。依照{cite(article(23))}关于自收到信访事项之日起15日内"
            f"书面告知信访人接收情况以及处理途径和程序的规定，现告知如下："
        ),
        Block(
            f"经审查，该信访事项属于本机关职权范围，本机关决定予以受理，受理日期为{chinese_date(accepted_on)}。"
        ),
    ]
    if route == "start_study":
        basis.append(article(29, 1))
        blocks.append(
            Block(
                f"本机关将依照{cite(article(29, 1))}的规定，对{you}提出的建议意见认真研究论证；对科学合理、"
                f"具有现实可行性的，予以采纳或者部分采纳，并予以回复。"
            )
        )
    elif route == "start_duty":
        basis.append(article(31, item=5))
        blocks.append(Block(f"本机关将依照{cite(article(31, item=5))}的规定，依法履行职责或者予以答复。"))
    else:
        basis += [article(31, item=6), article(34)]
        blocks.append(
            Block(
                f"本机关将依照{cite(article(31, item=6), article(34))}的规定，听取{you}陈述事实和理由，"
                "调查核实，自受理之日起60日内办结，出具信访处理意见书；情况复杂的，经本机关负责人批准，"
                f"可以适当延长办理期限，但延长期限不超过30日，并告知{you}延期理由。"
            )
        )
    if petition.petition_type == PetitionType.ACCUSATION:
        basis.append(article(30, 3))
        blocks.append(
            Block(
                f"依照{cite(article(30, 3))}的规定，本机关不会将{you}的检举、揭发材料以及有关情况透露或者转给"
                "被检举、揭发的人员或者单位。"
            )
        )
    blocks.append(Block("特此告知。"))
    return _make(petition, DocumentKind.ACCEPTANCE, issuer, issued_on, blocks, basis)


def _default_route(petition_type: str) -> str:
    from .services import default_route

    return default_route(petition_type) if petition_type in PetitionType.values else "start_handling"


def _non_acceptance(petition: Petition) -> DocumentContent | None:
    event = _last_event(petition, NON_ACCEPTANCE_ACTIONS)
    if event is None:
        return None
    you = _you(petition)
    # These terminal routes leave the matter where it was: the current unit is the one that refused it.
    issuer = petition.current_unit
    received = _receipt_date(petition, issuer, event.sequence)
    blocks = [
        Block(f"{_addressee(petition)}：", BlockStyle.PLAIN),
        Block(f"{you}反映的{_matter(petition)}，本机关于{chinese_date(received)}收到。经审查，现告知如下："),
    ]
    basis: list[str]
    if event.action == "divert":
        procedure = petition.diverted_procedure or event.payload.get("procedure", "")
        known = Procedure(procedure) if procedure in Procedure.values else Procedure.ADMINISTRATIVE
        item, situation, instruction = PROCEDURE_ITEMS[known]
        basis = [article(23, 1), article(31, item=item)]
        blocks.append(
            Block(
                f"{you}反映的事项{situation}。根据{cite(*basis)}的规定，本机关不予受理，"
                f"请{you}{instruction}。"
            )
        )
        blocks += _labelled("具体途径：", event.reason)
    elif event.action == "redirect":
        basis = [article(23, 1)]
        blocks.append(
            Block(
                f"{you}反映的事项不属于本机关或者本系统职权范围。根据{cite(*basis)}的规定，本机关不予受理，"
                f"请{you}向有权处理的机关、单位提出。"
            )
        )
        blocks += _labelled("有权处理的机关、单位：", event.reason)
    elif event.action == "decline_upper":
        basis = [article(19, 3)]
        open_case = (
            Petition.objects.filter(pk=event.payload.get("open_case")).select_related("current_unit").first()
        )
        where = (
            f"已由{official_name(open_case.current_unit)}受理或者正在办理（信访事项编号：{open_case.number}）"
            if open_case
            else "已经受理或者正在办理"
        )
        blocks.append(
            Block(
                f"{you}反映的事项{where}，尚在规定的办理期限内。根据{cite(*basis)}的规定，上级机关、单位"
                f"不予受理。请{you}等待原受理、办理机关、单位的处理结果。"
            )
        )
    else:  # decline_final
        basis = [article(36, 3)]
        final_case = Petition.objects.filter(pk=event.payload.get("final_case")).first()
        which = f"（信访事项编号：{final_case.number}）" if final_case else ""
        blocks.append(
            Block(
                f"{you}反映的事项与已经复核终结的信访事项{which}事实和理由相同。根据{cite(*basis)}的规定，"
                "信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，各级党委和政府信访部门和其他机关、"
                "单位不再受理。"
            )
        )
    blocks.append(Block("特此告知。"))
    return _make(petition, DocumentKind.NON_ACCEPTANCE, issuer, timezone.localdate(event.at), blocks, basis)


def _extension_notice(petition: Petition) -> DocumentContent | None:
    extension = _extension(petition)
    clock = _handling_clock(petition)
    if extension is None or clock is None:
        return None
    you = _you(petition)
    issuer = clock.unit
    accepted_on = timezone.localdate(petition.accepted_at) if petition.accepted_at else clock.started_on
    basis = [article(34)]
    blocks = [
        Block(f"{_addressee(petition)}：", BlockStyle.PLAIN),
        Block(f"{you}反映的{_matter(petition)}，本机关已于{chinese_date(accepted_on)}受理。"),
    ]
    blocks += _labelled("延期理由：", extension.reason)
    blocks.append(
        Block(
            f"因情况复杂，该信访事项不能在规定期限内办结。根据{cite(*basis)}的规定，经本机关负责人批准，"
            f"办理期限延长{extension.days}日，本机关将于{chinese_date(clock.due_on)}前办结并书面答复{you}。"
        )
    )
    blocks.append(Block("特此告知。"))
    return _make(petition, DocumentKind.EXTENSION, issuer, extension.notice_sent_on, blocks, basis)


def _opinion_blocks(petition: Petition, opinion: Opinion) -> tuple[list[Block], str]:
    """Facts found, reasons, the decision under Art. 32 ¶1 and the unit's legal basis."""
    you = _you(petition)
    decision = Decision(opinion.decision)
    item = DECISION_ITEMS[decision]
    blocks = _labelled("经调查核实：", opinion.facts_found)
    blocks += _labelled("处理理由：", opinion.reasons)
    blocks.append(
        Block(
            f"本机关认为，{you}的{DECISION_STANDARD[decision]}，根据{cite(article(32, 1, item))}的规定，"
            f"对{you}的投诉请求{DECISION_TEXT[decision]}。",
            BlockStyle.FIELD,
            "处理意见：",
        )
    )
    blocks += _labelled("法律法规依据：", opinion.legal_basis)
    return blocks, article(32, 1, item)


def _handling_opinion(petition: Petition) -> DocumentContent | None:
    opinion = _opinion(petition, Opinion.Stage.HANDLING)
    if opinion is None:
        return None
    you = _you(petition)
    upper = _upper_unit_name(opinion.unit) or "原办理机关、单位的上一级机关、单位"
    blocks = [
        Block(_addressee(petition), BlockStyle.FIELD, "信访人："),
        Block(petition.number, BlockStyle.FIELD, "信访事项编号："),
        Block(petition.subject, BlockStyle.FIELD, "信访事项："),
    ]
    blocks += _labelled("投诉请求：", petition.request)
    if _user_paragraphs(petition.facts):
        blocks += _labelled("事实和理由：", petition.facts)
    decided, decision_article = _opinion_blocks(petition, opinion)
    blocks += decided
    blocks.append(
        Block(
            f"{you}如不服本处理意见，可以依照{cite(article(35))}的规定，自收到本意见书之日起30日内，"
            f"向{upper}请求复查。"
        )
    )
    basis = [article(32), decision_article, article(35)]
    return _make(petition, DocumentKind.OPINION, opinion.unit, opinion.issued_on, blocks, basis)


def _previous_opinion_text(petition: Petition, stage: str, kind: DocumentKind) -> str:
    previous = _opinion(petition, stage)
    if previous is None:
        return ""
    number = document_number(petition, kind, previous.unit)
    return (
        f"{official_name(previous.unit)}于{chinese_date(previous.issued_on)}作出的{TITLES[kind]}（{number}）"
    )


def _appeal_opinion(
    petition: Petition,
    *,
    stage: str,
    level: str,
    kind: DocumentKind,
    previous_stage: str,
    previous_kind: DocumentKind,
) -> tuple[Opinion, Appeal | None, list[Block], str] | None:
    opinion = _opinion(petition, stage)
    if opinion is None:
        return None
    appeal = petition.appeals.filter(level=level).first()
    word = "复查" if kind == DocumentKind.REVIEW_OPINION else "复核"
    blocks = [
        Block(_addressee(petition), BlockStyle.FIELD, f"{word}请求人："),
        Block(petition.number, BlockStyle.FIELD, "信访事项编号："),
        Block(petition.subject, BlockStyle.FIELD, "信访事项："),
    ]
    previous = _previous_opinion_text(petition, previous_stage, previous_kind)
    if previous:
        blocks.append(Block(previous, BlockStyle.FIELD, f"{word}事项："))
    if appeal is not None:
        blocks.append(Block(chinese_date(appeal.requested_on), BlockStyle.FIELD, f"{word}请求日期："))
        blocks += _labelled(f"{word}请求及理由：", appeal.grounds)
    decided, decision_article = _opinion_blocks(petition, opinion)
    return opinion, appeal, blocks + decided, decision_article


def _review_opinion(petition: Petition) -> DocumentContent | None:
    built = _appeal_opinion(
        petition,
        stage=Opinion.Stage.REVIEW,
        level=Appeal.Level.REVIEW,
        kind=DocumentKind.REVIEW_OPINION,
        previous_stage=Opinion.Stage.HANDLING,
        previous_kind=DocumentKind.OPINION,
    )
    if built is None:
        return None
    opinion, _appeal, blocks, decision_article = built
    you = _you(petition)
    upper = _upper_unit_name(opinion.unit) or "复查机关、单位的上一级机关、单位"
    blocks.insert(
        0, Block(f"本机关依照{cite(article(35))}的规定，对下列信访事项进行了复查，现提出复查意见如下：")
    )
    blocks.append(
        Block(
            f"{you}如不服本复查意见，可以依照{cite(article(36, 1))}的规定，自收到本意见书之日起30日内，"
            f"向{upper}请求复核。"
        )
    )
    basis = [article(35), decision_article, article(36, 1)]
    return _make(petition, DocumentKind.REVIEW_OPINION, opinion.unit, opinion.issued_on, blocks, basis)


def _re_review_opinion(petition: Petition) -> DocumentContent | None:
    built = _appeal_opinion(
        petition,
        stage=Opinion.Stage.RE_REVIEW,
        level=Appeal.Level.RE_REVIEW,
        kind=DocumentKind.RE_REVIEW_OPINION,
        previous_stage=Opinion.Stage.REVIEW,
        previous_kind=DocumentKind.REVIEW_OPINION,
    )
    if built is None:
        return None
    opinion, appeal, blocks, decision_article = built
    you = _you(petition)
    basis = [article(36), decision_article]
    blocks.insert(
        0, Block(f"本机关依照{cite(article(36))}的规定，对下列信访事项进行了复核，现提出复核意见如下：")
    )
    if appeal is not None and appeal.hearing_days:
        basis.append(article(36, 2))
        blocks.append(
            Block(f"本机关依照{cite(article(36, 2))}的规定举行了听证，听证所需时间不计算在复核期限内。")
        )
    basis.append(article(36, 3))
    blocks.append(
        Block(
            f"本复核意见为该信访事项的最终处理意见，该信访事项终结。根据{cite(article(36, 3))}的规定，"
            f"{you}对本复核意见不服，仍然以同一事实和理由提出投诉请求的，各级党委和政府信访部门和其他机关、"
            "单位不再受理。"
        )
    )
    return _make(petition, DocumentKind.RE_REVIEW_OPINION, opinion.unit, opinion.issued_on, blocks, basis)


# --- fonts ---------------------------------------------------------------------------------------

# Preferred faces of GB/T 9704 official documents, then common substitutes. The DOCX names one face
# per role (the reader's word processor substitutes a missing one); the PDF gets a fallback list
# ending with a CJK font file found through fontconfig, so Chinese always renders and embeds.
DOCX_TITLE_FONT = "方正小标宋简体"
DOCX_BODY_FONT = "仿宋"
DOCX_LATIN_FONT = "Times New Roman"
TITLE_FAMILIES = (
    "FZXiaoBiaoSong-B05S",
    "方正小标宋简体",
    "Source Han Serif SC",
    "Noto Serif CJK SC",
    "SimSun",
    "宋体",
)
BODY_FAMILIES = ("FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong")
FALLBACK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC")
RED = "C00000"


@functools.cache
def cjk_font_file(pattern: str) -> str | None:
    """The font file fontconfig picks for ``pattern`` (e.g. ``serif:lang=zh-cn``) if it covers Chinese."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - fixed executable, pattern is a module constant
            [fc_match, "-f", "%{file}\n%{lang}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    file, _sep, langs = result.stdout.partition("\n")
    if result.returncode != 0 or not file or "zh-cn" not in langs.split("|"):
        return None
    return file if Path(file).is_file() else None


def _font_face_css() -> str:
    rules = []
    for family, pattern in (
        ("XinfangTitleCJK", "serif:lang=zh-cn"),
        ("XinfangBodyCJK", "FangSong:lang=zh-cn"),
    ):
        file = cjk_font_file(pattern)
        if file:
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{Path(file).as_uri()}"); }}')
    return "\n".join(rules)


def _css_families(*groups: tuple[str, ...], generic: str) -> str:
    names = [name for group in groups for name in group]
    return ", ".join(f'"{name}"' for name in names) + f", {generic}"


# --- DOCX -----------------------------------------------------------------------------------------


def _docx_fonts(
    run: Any, east_asia: str, size: float, *, bold: bool = False, color: str | None = None
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = DOCX_LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _docx_paragraph(
    document: Any,
    *,
    align: Any,
    line: float = 28,
    before: float = 0,
    after: float = 0,
    first_indent: float = 0,
    right_indent: float = 0,
) -> Any:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if first_indent:
        fmt.first_line_indent = Pt(first_indent)
    if right_indent:
        fmt.right_indent = Pt(right_indent)
    return paragraph


def _docx_bottom_rule(paragraph: Any, color: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", color)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _docx_page_number(section: Any) -> None:
    """Footer "— 1 —" with a PAGE field, centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_fonts(paragraph.add_run("— "), DOCX_BODY_FONT, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)
    number = paragraph.add_run("1")
    _docx_fonts(number, DOCX_BODY_FONT, 14)
    field.append(number._r)
    _docx_fonts(paragraph.add_run(" —"), DOCX_BODY_FONT, 14)


def _docx_defaults(document: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.name = DOCX_LATIN_FONT
    normal.font.size = Pt(16)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def render_docx(petition: Petition, kind: DocumentKind | str) -> bytes:
    """The document as a Word file (A4, GB/T 9704-like layout)."""
    return render_content_docx(build_content(petition, kind), subject=petition.number)


def render_content_docx(content: DocumentContent, *, subject: str) -> bytes:
    """Lay out any document content as a Word file; other apps' documents use the same layout."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    document = Document()
    _docx_defaults(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _docx_page_number(section)

    core = document.core_properties
    core.title = content.title
    core.author = content.issuer
    core.subject = subject
    core.comments = ""
    core.keywords = ""
    core.created = core.modified = timezone.now()

    center, left, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.RIGHT
    # Header (发文机关标志) in red, the number (发文字号) below it, a red rule.
    header = _docx_paragraph(document, align=center, line=36, after=6)
    _docx_fonts(header.add_run(content.issuer), DOCX_TITLE_FONT, 26, bold=True, color=RED)
    number = _docx_paragraph(document, align=center, after=0)
    _docx_fonts(number.add_run(content.number), DOCX_BODY_FONT, 16)
    _docx_bottom_rule(number, RED)
    title = _docx_paragraph(document, align=center, line=36, before=18, after=12)
    _docx_fonts(title.add_run(content.title), DOCX_TITLE_FONT, 22, bold=True)

    paragraph = None
    for block in content.blocks:
        indent = 0 if block.style == BlockStyle.PLAIN else 32
        paragraph = _docx_paragraph(document, align=left, first_indent=indent)
        if block.label:
            _docx_fonts(paragraph.add_run(block.label), DOCX_BODY_FONT, 16, bold=True)
        _docx_fonts(paragraph.add_run(block.text), DOCX_BODY_FONT, 16)
    if paragraph is not None:
        # The seal never stands alone on a page: the last paragraph goes along with it.
        paragraph.paragraph_format.keep_with_next = True

    # Seal line: the seal mark, the issuing unit and the date, centred over one another at the right.
    seal_indent, issuer_indent, date_indent = content.seal_indents()
    lines = [
        (content.seal_text, seal_indent, 14.0),
        (content.issuer, issuer_indent, 0.0),
        (content.date_text, date_indent, 0.0),
    ]
    for index, (text, right_em, before) in enumerate(lines):
        line = _docx_paragraph(document, align=right, before=before, right_indent=right_em * 16)
        line.paragraph_format.keep_with_next = index < len(lines) - 1
        _docx_fonts(line.add_run(text), DOCX_BODY_FONT, 16)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------------


def render_html(petition: Petition, kind: DocumentKind | str) -> str:
    """The HTML the PDF is printed from (same content as the DOCX)."""
    content = build_content(petition, kind)
    return _html(content)


def _html(content: DocumentContent) -> str:
    return render_to_string(
        "petitions/documents/document.html",
        {
            "doc": content,
            "title_fonts": _css_families(
                TITLE_FAMILIES, ("XinfangTitleCJK",), FALLBACK_FAMILIES, generic="serif"
            ),
            "body_fonts": _css_families(
                BODY_FAMILIES, ("XinfangBodyCJK",), FALLBACK_FAMILIES, generic="serif"
            ),
            "red": f"#{RED}",
            "seal_indents": content.seal_indents(),
        },
    )


def render_pdf(petition: Petition, kind: DocumentKind | str) -> bytes:
    """The document as a PDF with the Chinese font embedded."""
    return render_content_pdf(build_content(petition, kind))


def render_content_pdf(content: DocumentContent) -> bytes:
    """Print any document content as a PDF, with the same layout and fonts as the notices."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    stylesheets = []
    faces = _font_face_css()
    if faces:
        stylesheets.append(CSS(string=faces, font_config=font_config))
    html = HTML(string=_html(content))
    pdf = html.write_pdf(stylesheets=stylesheets, font_config=font_config)
    if pdf is None:  # only when a target is given; kept for the type checker
        raise DomainError(_("The PDF could not be produced."), code="document_failed")
    return bytes(pdf)
