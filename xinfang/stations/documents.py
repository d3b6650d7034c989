"""The duty table a station pins on the wall (值班表), as XLSX: one row per shift, one column per pool."""

from __future__ import annotations

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .models import Weekday
from .selectors import RotaView

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GAP_FILL = PatternFill("solid", fgColor="F8D7DA")


def rota_xlsx(view: RotaView) -> bytes:
    rota = view.rota
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Duty rota")[:31]
    headers = [_("Date"), _("Weekday"), _("Hours")] + [pool.name for pool in view.pools] + [_("Note")]
    title = _("%(station)s duty rota %(from)s to %(until)s (version %(version)d)") % {
        "station": rota.station.name,
        "from": rota.starts_on.isoformat(),
        "until": rota.ends_on.isoformat(),
        "version": rota.number,
    }
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center")
    for day in sorted(view.days):
        for item in view.days[day]:
            shift = item.shift
            start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
            names = []
            for pool in view.pools:
                people = "、".join(a.user.display_name() for a in item.people.get(pool.pk, []))
                if pool.pk in item.gaps:
                    people = (people + " " if people else "") + _("(short of %(n)d)") % {
                        "n": item.gaps[pool.pk].needed - item.gaps[pool.pk].filled
                    }
                names.append(people)
            note = _("Adjusted working day") if shift.is_adjusted_workday else ""
            sheet.append(
                [
                    formats.date_format(day, "Y-m-d"),
                    str(Weekday(shift.pattern_weekday).label)
                    if not shift.is_adjusted_workday
                    else _("Adjusted"),
                    f"{start:%H:%M}-{end:%H:%M}",
                    *names,
                    note,
                ]
            )
            row = sheet.max_row
            for column, cell in enumerate(sheet[row], start=1):
                cell.border = BORDER
                pool_index = column - 4
                if 0 <= pool_index < len(view.pools) and view.pools[pool_index].pk in item.gaps:
                    cell.fill = GAP_FILL
    sheet.append([])
    sheet.append([_("Duties per person")])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for pool in view.pools:
        people = "、".join(f"{user.display_name()} {count}" for user, count in view.counts.get(pool.pk, []))
        sheet.append([pool.name, people])
    widths = [12, 10, 13] + [24] * len(view.pools) + [16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
