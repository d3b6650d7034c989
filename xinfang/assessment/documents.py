"""Exports: the league table of a run and one unit's assessment report, as XLSX (openpyxl) and PDF
(WeasyPrint, with a Chinese font found through fontconfig embedded so that Chinese always renders)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xinfang.core.errors import DomainError
from xinfang.petitions.documents import FALLBACK_FAMILIES, cjk_font_file

from .models import ScoreRun, SubjectScore
from .selectors import league

PDF_FONT_FAMILY = "XinfangAssessmentCJK"


def _listing(value: str) -> str:
    return {"red": _("Red list"), "black": _("Black list")}.get(value, "")


def _number(value: Any) -> Any:
    if value is None or value == "":
        return ""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _sheet(
    workbook: Workbook, title: str, headers: list[str], rows: list[list[Any]], *, first: bool = False
) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [max(8, len(str(h)) * 2) for h in headers]
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = min(70, max(widths[index], len(str(value)) * 2))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _league_rows(run: ScoreRun) -> list[list[Any]]:
    rows = []
    for score in league(run):
        rows.append(
            [
                score.rank or "",
                score.unit.name,
                score.person_name,
                _number(score.petition_score),
                _number(score.weighted),
                _listing(score.listing),
            ]
        )
    return rows


def _league_headers() -> list[str]:
    return [
        _("Rank"),
        _("Unit"),
        _("Secretary"),
        _("Petition work score"),
        _("Points in the whole assessment"),
        _("List"),
    ]


def _definition_rows(run: ScoreRun) -> list[list[Any]]:
    return [[d["label"], d["formula"], d.get("notes", "")] for d in run.definitions]


def league_xlsx(run: ScoreRun) -> bytes:
    workbook = Workbook()
    _sheet(workbook, _("League table"), _league_headers(), _league_rows(run), first=True)
    scheme = run.scheme
    _sheet(
        workbook,
        _("Scheme"),
        [_("Item"), _("Value")],
        [
            [_("Scheme"), scheme.name],
            [_("Organising area"), scheme.area.name],
            [_("Assessed"), str(scheme.get_subject_kind_display())],
            [_("Period"), f"{run.period_start:%Y-%m-%d} – {run.period_end:%Y-%m-%d}"],
            [_("Share of petition work (%)"), float(scheme.petition_share)],
            [_("Points of the whole assessment"), float(scheme.total_points)],
            [_("Figures as of"), run.as_of],
            [_("Computed at"), timezone.localtime(run.computed_at).strftime("%Y-%m-%d %H:%M")],
        ],
    )
    _sheet(
        workbook, _("Definitions"), [_("Indicator"), _("Definition"), _("Switches")], _definition_rows(run)
    )
    return _save(workbook)


def _item_rows(score: SubjectScore) -> list[list[Any]]:
    rows = []
    for item in score.items:
        rows.append(
            [
                item["label"],
                item["numerator"],
                "" if item["denominator"] is None else item["denominator"],
                "" if item["rate"] is None else f"{item['rate']}%",
                item["note"],
                _number(item["points"]) if item["points"] is not None else _("not scored"),
                _number(item["weight"]),
            ]
        )
    return rows


def _item_headers() -> list[str]:
    return [_("Indicator"), _("Counted"), _("Of"), _("Rate"), _("Rule"), _("Points"), _("Out of")]


def report_xlsx(score: SubjectScore) -> bytes:
    run = score.run
    workbook = Workbook()
    summary = [
        [_("Unit"), score.unit.name],
        [_("Secretary"), score.person_name],
        [_("Scheme"), run.scheme.name],
        [_("Period"), f"{run.period_start:%Y-%m-%d} – {run.period_end:%Y-%m-%d}"],
        [_("Petition work score"), _number(score.petition_score)],
        [_("Points in the whole assessment"), _number(score.weighted)],
        [_("Rank"), score.rank or ""],
        [_("List"), _listing(score.listing)],
        [_("Figures as of"), run.as_of],
    ]
    _sheet(workbook, _("Report"), [_("Item"), _("Value")], summary, first=True)
    _sheet(workbook, _("Indicators"), _item_headers(), _item_rows(score))
    _sheet(
        workbook, _("Definitions"), [_("Indicator"), _("Definition"), _("Switches")], _definition_rows(run)
    )
    return _save(workbook)


# --- PDF ----------------------------------------------------------------------------------------------


def _font_css() -> str:
    file = cjk_font_file("sans-serif:lang=zh-cn") or cjk_font_file("serif:lang=zh-cn")
    if not file:
        return ""
    return f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; src: url("{Path(file).as_uri()}"); }}'


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = ", ".join(f'"{name}"' for name in (PDF_FONT_FAMILY, *FALLBACK_FAMILIES)) + ", sans-serif"
    html = render_to_string(template, {**context, "fonts": fonts})
    font_config = FontConfiguration()
    faces = _font_css()
    stylesheets = [CSS(string=faces, font_config=font_config)] if faces else []
    pdf = HTML(string=html).write_pdf(stylesheets=stylesheets, font_config=font_config)
    if pdf is None:
        raise DomainError(_("The PDF could not be produced."), code="document_failed")
    return bytes(pdf)


def league_pdf(run: ScoreRun) -> bytes:
    return _pdf(
        "assessment/pdf/league.html",
        {"run": run, "scheme": run.scheme, "league": league(run), "generated": timezone.localtime()},
    )


def report_pdf(score: SubjectScore) -> bytes:
    return _pdf(
        "assessment/pdf/report.html",
        {"score": score, "run": score.run, "scheme": score.run.scheme, "generated": timezone.localtime()},
    )
