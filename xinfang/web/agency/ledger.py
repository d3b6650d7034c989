"""The village agency ledger (台账) as a workbook: claims with what was recovered, mandates, totals.

Three sheets, so the office can file it as it keeps the paper ledger; personal data masked.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xinfang.agency.models import PaidStatus
from xinfang.agency.selectors import mandate_state, mandate_state_label
from xinfang.core.idnumber import mask_id_number


def _sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: list[list[Any]], *, first: bool
) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [max(8, len(str(h)) * 2) for h in headers]
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = min(50, max(widths[index], len(str(value)) * 2))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def ledger_xlsx(ledger: dict[str, Any], *, today: dt.date) -> bytes:
    workbook = Workbook()
    claims = []
    for claim, status in ledger["claims"]:
        petition = claim.petition
        claims.append(
            [
                petition.number,
                petition.subject,
                petition.get_state_display(),
                claim.claimant.name,
                mask_id_number(claim.claimant.id_number),
                claim.get_kind_display(),
                claim.debtor,
                float(claim.amount_claimed),
                float(claim.recovered),
                float(claim.amount_claimed - claim.recovered),
                str(PaidStatus(status).label),
                claim.last_paid_on.isoformat() if claim.last_paid_on else "",
            ]
        )
    totals = ledger["totals"]
    claims.append(
        [
            _("Total"),
            "",
            "",
            "",
            "",
            "",
            "",
            float(totals.claimed),
            float(totals.recovered),
            float(totals.outstanding),
            "",
            "",
        ]
    )
    _sheet(
        workbook,
        _("Claims"),
        [
            _("Number"),
            _("Subject"),
            _("State"),
            _("Claimant"),
            _("ID number (masked)"),
            _("Kind"),
            _("Owed by"),
            _("Claimed (yuan)"),
            _("Recovered (yuan)"),
            _("Outstanding (yuan)"),
            _("Paid status"),
            _("Last paid on"),
        ],
        claims,
        first=True,
    )
    mandates = [
        [
            m.principal.name,
            m.agent.person.name,
            m.scope,
            m.starts_on.isoformat(),
            m.ends_on.isoformat(),
            _("yes") if m.covers_appeals else _("no"),
            mandate_state_label(mandate_state(m, today)),
            m.revoked_on.isoformat() if m.revoked_on else "",
        ]
        for m in ledger["mandates"]
    ]
    _sheet(
        workbook,
        _("Mandates"),
        [
            _("Principal"),
            _("Agent"),
            _("Scope"),
            _("Valid from"),
            _("Valid until"),
            _("Covers review"),
            _("State"),
            _("Revoked on"),
        ],
        mandates,
        first=False,
    )
    people = [
        [row.label, row.totals.claims, float(row.totals.claimed), float(row.totals.recovered)]
        for row in ledger["by_petitioner"]
    ]
    _sheet(
        workbook,
        _("By claimant"),
        [_("Claimant"), _("Claims"), _("Claimed (yuan)"), _("Recovered (yuan)")],
        people,
        first=False,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
