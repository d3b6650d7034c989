"""会议纪要 (minutes) as DOCX and PDF, in the usual layout of Chinese government minutes.

版头: the red masthead "某某信访工作联席会议纪要" with the issue (第N期), then the issuing office on the
left and the date on the right above a red rule; the body (time, place, who chaired, attendance with
the reasons of absence, the summary, then each item with its decision: lead unit, cooperating units,
measures, funding, due date); 版记: the distribution list (分送) and the printing line (印发), between
rules. A draft carries "（讨论稿）" and no number.

As in ``petitions.documents``, one builder (:func:`build_content`) decides what the document says and
the two renderers only lay it out; the fonts, paragraph and rule helpers are that module's, so both
kinds of documents look alike. The text is Chinese, as the minutes are issued in Chinese. No personal
data of petitioners appears: items are named by their titles only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.core.errors import DomainError
from xinfang.petitions import documents as petition_documents
from xinfang.petitions.documents import (
    BODY_FAMILIES,
    DOCX_BODY_FONT,
    DOCX_TITLE_FONT,
    FALLBACK_FAMILIES,
    RED,
    TITLE_FAMILIES,
    chinese_date,
)

from .models import (
    Attendance,
    AttendanceStatus,
    Decision,
    Funding,
    ItemSource,
    MeetingKind,
    Minutes,
    MinutesStatus,
)

SOURCE_TEXT: dict[str, str] = {
    ItemSource.PETITION: "单位报请协调",
    ItemSource.COMMON_ISSUE: "群众反映的共性问题",
    ItemSource.DISPUTE: "单位之间职责争议（《信访工作条例》第二十四条）",
    ItemSource.ESCALATION: "下级联席会议报请研究",
}
FUNDING_TEXT: dict[str, str] = {
    Funding.UNIT_BUDGET: "牵头单位部门预算",
    Funding.LIVELIHOOD_PROJECT: "列入民生工程",
    Funding.SPECIAL_FUND: "专项资金",
    Funding.NONE: "无需资金",
}
KIND_TEXT: dict[str, str] = {MeetingKind.PLENARY: "全体会议", MeetingKind.WORKING: "工作会议"}
_NUMERALS = "一二三四五六七八九十"


def item_numeral(index: int) -> str:
    """1 -> 一, 12 -> 十二 (item headings 一、二、…)."""
    if index <= 10:
        return _NUMERALS[index - 1]
    return petition_documents.chinese_numeral(index)


@dataclass(frozen=True)
class Line:
    text: str
    label: str = ""
    style: str = "body"  # body (indented), heading (bold, indented), plain (flush left)


@dataclass(frozen=True)
class MinutesContent:
    masthead: str
    issue: str
    number: str
    issuer: str
    date_text: str
    lines: tuple[Line, ...]
    distribution: str
    printed: str
    is_draft: bool
    texts_extra: tuple[str, ...] = field(default=())

    def texts(self) -> list[str]:
        """Every piece of text in reading order, as both renderers print it."""
        head = [self.masthead, self.issue, self.number, self.issuer, self.date_text]
        body = [f"{line.label}{line.text}" for line in self.lines]
        return [t for t in head if t] + body + [f"分送：{self.distribution}", self.printed]


def _attendance_lines(rows: list[Attendance]) -> list[Line]:
    def names(status: str) -> list[str]:
        return [
            f"{row.unit.name}{row.attendee}" if row.attendee else row.unit.name
            for row in rows
            if row.status == status
        ]

    lines = []
    for status, label in (
        (AttendanceStatus.PRESENT, "出席："),
        (AttendanceStatus.DEPUTY, "委托出席："),
        (AttendanceStatus.OBSERVER, "列席："),
    ):
        if names(status):
            lines.append(Line("、".join(names(status)), label))
    absent = [
        f"{row.unit.name}（{row.absence_reason}）" for row in rows if row.status == AttendanceStatus.ABSENT
    ]
    if absent:
        lines.append(Line("、".join(absent), "缺席："))
    return lines


def _funding(decision: Decision) -> str:
    text = FUNDING_TEXT.get(decision.funding, "")
    if decision.funding_reference:
        text += f"（{decision.funding_reference}）"
    if decision.budget_amount is not None:
        text += f"，预算{decision.budget_amount:,.2f}元"
    return text


def _decision_lines(index: int, decision: Decision) -> list[Line]:
    item = decision.item
    cooperating = "、".join(unit.name for unit in decision.cooperating_units.order_by("path"))
    return [
        Line(f"{item_numeral(index)}、{item.title}", style="heading"),
        Line(f"{SOURCE_TEXT.get(item.source, '')}，由{item.proposing_unit.name}提出。", "议题来源："),
        Line(decision.statement, "会议议定："),
        Line(decision.lead_unit.name, "牵头单位："),
        Line(cooperating or "无", "配合单位："),
        Line(decision.measures, "工作措施："),
        Line(_funding(decision), "资金渠道："),
        Line(chinese_date(decision.due_on), "完成时限："),
    ]


def build_content(minutes: Minutes) -> MinutesContent:
    meeting = minutes.meeting
    conference = minutes.conference
    if meeting.held_at is None:
        raise DomainError(_("The meeting has not been held."), code="not_held")
    held = timezone.localtime(meeting.held_at)
    half = "上午" if held.hour < 12 else "下午"
    chair = meeting.chair
    chair_title = ""
    if chair is not None:
        seat = conference.participants.filter(user=chair).exclude(title="").first()
        chair_title = seat.title if seat else ""
    opening = (
        f"{chinese_date(held)}{half}，{conference.name}在{meeting.place or '会议室'}召开"
        f"{KIND_TEXT.get(meeting.kind, '会议')}"
        + (f"，会议由{chair_title}{chair.display_name()}主持" if chair is not None else "")
        + "。"
    )
    lines = [Line(opening)]
    lines += [Line(paragraph.strip()) for paragraph in minutes.summary.splitlines() if paragraph.strip()]
    lines += _attendance_lines(list(meeting.attendance.select_related("unit").order_by("unit__path")))
    decisions = list(
        minutes.decisions.select_related("item__proposing_unit", "lead_unit").order_by("item__position", "pk")
    )
    if decisions:
        lines.append(Line("现将会议议定事项纪要如下："))
        for index, decision in enumerate(decisions, start=1):
            lines += _decision_lines(index, decision)
    draft = minutes.status != MinutesStatus.APPROVED
    day = minutes.approved_at or minutes.drafted_at
    issuer = conference.office_unit.name if conference.office_unit else f"{conference.name}办公室"
    distribution = minutes.distribution or "、".join(
        m.unit.name for m in conference.members.filter(left_on__isnull=True).select_related("unit")
    )
    return MinutesContent(
        masthead=f"{conference.name}纪要",
        issue="（讨论稿）" if draft else f"第{minutes.sequence}期",
        number="" if draft else minutes.number,
        issuer=issuer,
        date_text=chinese_date(day),
        lines=tuple(lines),
        distribution=distribution or "各成员单位",
        printed=f"{issuer}　　{chinese_date(day)}印发",
        is_draft=draft,
    )


# --- DOCX -----------------------------------------------------------------------------------------


def _para(document: Any, **options: Any) -> Any:
    return petition_documents._docx_paragraph(document, **options)


def _run(paragraph: Any, text: str, font: str = DOCX_BODY_FONT, size: float = 16, **options: Any) -> None:
    petition_documents._docx_fonts(paragraph.add_run(text), font, size, **options)


def render_docx(minutes: Minutes) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    content = build_content(minutes)
    document = Document()
    petition_documents._docx_defaults(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    petition_documents._docx_page_number(section)
    core = document.core_properties
    core.title = content.masthead
    core.author = content.issuer
    core.subject = content.number or content.issue
    core.created = core.modified = timezone.now()

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    _run(
        _para(document, align=center, line=40, after=6),
        content.masthead,
        DOCX_TITLE_FONT,
        26,
        bold=True,
        color=RED,
    )
    _run(_para(document, align=center), content.issue)
    if content.number:
        _run(_para(document, align=center), content.number)
    issued = _para(document, align=WD_ALIGN_PARAGRAPH.LEFT, before=6, after=12)
    issued.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    _run(issued, f"{content.issuer}\t{content.date_text}")
    petition_documents._docx_bottom_rule(issued, RED)
    for line in content.lines:
        paragraph = _para(document, align=justify, first_indent=0 if line.style == "plain" else 32)
        if line.style == "heading":
            _run(paragraph, line.text, bold=True)
            continue
        if line.label:
            _run(paragraph, line.label, bold=True)
        _run(paragraph, line.text)
    # 版记: distribution and printing line between rules, kept together at the end.
    record = _para(document, align=justify, before=24)
    record.paragraph_format.keep_with_next = True
    petition_documents._docx_bottom_rule(record, "000000")
    distribution = _para(document, align=justify, line=24)
    distribution.paragraph_format.keep_with_next = True
    _run(distribution, "分送：", size=14, bold=True)
    _run(distribution, content.distribution, size=14)
    printed = _para(document, align=justify, line=24)
    printed.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    _run(printed, content.printed.replace("　　", "\t"), size=14)
    petition_documents._docx_bottom_rule(printed, "000000")
    printed.paragraph_format.space_after = Pt(0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------------


def render_html(minutes: Minutes) -> str:
    content = build_content(minutes)
    families = petition_documents._css_families
    return render_to_string(
        "conferences/documents/minutes.html",
        {
            "doc": content,
            "title_fonts": families(TITLE_FAMILIES, ("XinfangTitleCJK",), FALLBACK_FAMILIES, generic="serif"),
            "body_fonts": families(BODY_FAMILIES, ("XinfangBodyCJK",), FALLBACK_FAMILIES, generic="serif"),
            "red": f"#{RED}",
        },
    )


def render_pdf(minutes: Minutes) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    faces = petition_documents._font_face_css()
    stylesheets = [CSS(string=faces, font_config=font_config)] if faces else []
    pdf = HTML(string=render_html(minutes)).write_pdf(stylesheets=stylesheets, font_config=font_config)
    if pdf is None:
        raise DomainError(_("The PDF could not be produced."), code="document_failed")
    return bytes(pdf)
