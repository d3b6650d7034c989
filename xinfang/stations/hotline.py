"""Import of 12345 / mayor's hotline tickets (市长热线工单) from CSV or XLSX, all or nothing.

Like the unit import (``xinfang.orgs.importer``): every row is checked first and the report names the
spreadsheet row (header = row 1); only a file without errors is written, in one transaction. Tickets
already in the system (same ticket number) are skipped and counted, so a monthly export that overlaps
the previous one can be imported again. Each ticket's area (a name, a unit code or a division code) is
mapped to a place of the importer's jurisdiction.

Columns (Chinese or English headings): ticket number, time, area, text; optional: type (投诉, 求助,
咨询, 建议, 表扬; empty means a complaint), category, satisfaction (满意, 基本满意, 不满意; empty: not rated).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.orgs.importer import (
    ImportFileError,
    ImportReport,
    RowError,
    SourceRow,
    cell_text,
    labels_in_all_languages,
    normalise_header,
    table_records,
)
from xinfang.orgs.models import AREA_KINDS, Unit

from .models import HotlineImport, HotlineSignal, Satisfaction, SignalKind
from .selectors import HOTLINE_ROLES

FIELDS = ("ticket_id", "received_at", "area", "kind", "category", "text", "satisfaction")
REQUIRED = ("ticket_id", "received_at", "area", "text")
HEADER_LABELS = {
    "ticket_id": gettext_lazy("Ticket number"),
    "received_at": gettext_lazy("Time"),
    "area": gettext_lazy("Area"),
    "kind": gettext_lazy("Type"),
    "category": gettext_lazy("Category"),
    "text": gettext_lazy("Content"),
    "satisfaction": gettext_lazy("Satisfaction"),
}
HEADER_ALIASES = {
    "ticket_id": ("ticket_id", "ticket id", "ticket", "工单编号", "工单号", "编号", "单号"),
    "received_at": ("received_at", "time", "received at", "来电时间", "受理时间", "登记时间", "时间"),
    "area": (
        "area",
        "area code",
        "place",
        "区域",
        "所属区域",
        "地区",
        "所在社区",
        "社区",
        "区划",
        "区划代码",
    ),
    "kind": ("kind", "type", "工单类型", "类型", "诉求类型"),
    "category": ("category", "类别", "分类", "问题分类", "诉求分类"),
    "text": ("text", "content", "内容", "诉求内容", "来电内容", "工单内容"),
    "satisfaction": ("satisfaction", "满意度", "评价", "回访满意度", "回访评价"),
}
KIND_ALIASES = {
    SignalKind.COMPLAINT: ("投诉", "投诉举报", "举报"),
    SignalKind.HELP: ("求助", "求决"),
    SignalKind.CONSULTATION: ("咨询",),
    SignalKind.SUGGESTION: ("建议", "意见建议"),
    SignalKind.PRAISE: ("表扬", "感谢"),
}
SATISFACTION_ALIASES = {
    Satisfaction.SATISFIED: ("满意", "非常满意"),
    Satisfaction.BASICALLY: ("基本满意", "比较满意"),
    Satisfaction.DISSATISFIED: ("不满意", "非常不满意"),
    Satisfaction.UNRATED: ("未评价", "未回访", "无", "-"),
}
MAX_LENGTHS = {"ticket_id": 64, "area": 200, "category": 100, "text": 4000}
TIME_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
MAX_ROWS = 100_000
CHUNK = 500


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


@cache
def header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, aliases in HEADER_ALIASES.items():
        for alias in (*aliases, *labels_in_all_languages([HEADER_LABELS[name]])):
            lookup.setdefault(normalise_header(alias), name)
    return lookup


def _choice_lookup(aliases: dict[Any, tuple[str, ...]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for choice, names in aliases.items():
        for alias in (choice.value, *names, *labels_in_all_languages([choice.label])):
            lookup.setdefault(_compact(alias), choice.value)
    return lookup


def parse_time(text: str) -> dt.datetime | None:
    """A ticket time as offices write it: 2022-03-05 14:23, 2022/3/5 14:23:00, 2022年3月5日 14时23分."""
    normal = unicodedata.normalize("NFKC", text or "").strip()
    normal = normal.replace("年", "-").replace("月", "-").replace("日", " ").replace("/", "-")
    normal = normal.replace("时", ":").replace("分", "").replace("秒", "")
    match = TIME_RE.match(normal.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        naive = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_current_timezone())


class AreaIndex:
    """The places of a user's jurisdiction by code, division code, name and full name."""

    def __init__(self, user: Any) -> None:
        units = list(scoping.visible_units(user).filter(kind__in=AREA_KINDS, is_active=True).order_by("path"))
        # Names of the ancestors above the jurisdiction too, so "金安区望城街道南屏苑社区" matches.
        paths = {u.path[:end] for u in units for end in range(Unit.steplen, len(u.path), Unit.steplen)}
        names = dict(Unit.objects.filter(path__in=paths).values_list("path", "name"))
        names.update({u.path: u.name for u in units})
        self._by_key: dict[str, set[int]] = defaultdict(set)
        self._units = {u.pk: u for u in units}
        for unit in units:
            chain = [
                names.get(unit.path[:end], "")
                for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)
            ]
            keys = {unit.code, unit.name, *("".join(chain[i:]) for i in range(len(chain)))}
            if unit.division_code:
                keys.add(unit.division_code)
            for key in keys:
                if key:
                    self._by_key[_compact(key)].add(unit.pk)

    def resolve(self, text: str) -> Unit | str:
        """The unit, or an error message (no such place, or several)."""
        found = self._by_key.get(_compact(text), set())
        if len(found) == 1:
            return self._units[next(iter(found))]
        if found:
            options = "、".join(sorted(self._units[pk].full_name() for pk in found)[:3])
            return _("Several places are called %(area)s (%(options)s); write the full name or the code.") % {
                "area": text,
                "options": options,
            }
        return _("No place called %(area)s in your jurisdiction.") % {"area": text}


def read_rows(*, filename: str, content: bytes) -> tuple[list[SourceRow], list[RowError]]:
    """Rows keyed by the recognised columns and header problems, as in the unit import."""
    lookup = header_lookup()
    columns: dict[int, str] | None = None
    rows: list[SourceRow] = []
    first_error: RowError | None = None
    for number, record in enumerate(table_records(filename=filename, content=content), start=1):
        cells = [cell_text(value) for value in record]
        if columns is not None:
            if number > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(count)d rows.") % {"count": MAX_ROWS})
            values = {name: cells[i] if i < len(cells) else "" for i, name in columns.items()}
            if any(values.values()):
                rows.append(SourceRow(number=number, values=values))
            continue
        if not any(cells):
            continue
        found: dict[int, str] = {}
        problems: list[str] = []
        for index, cell in enumerate(cells):
            name = lookup.get(normalise_header(cell)) if cell else None
            if name is None:
                continue
            if name in found.values():
                problems.append(_("The column %(column)s appears twice.") % {"column": HEADER_LABELS[name]})
            else:
                found[index] = name
        problems += [
            _("The column %(column)s is missing.") % {"column": HEADER_LABELS[name]}
            for name in REQUIRED
            if name not in found.values()
        ]
        if not problems:
            columns = found
        elif first_error is None:
            first_error = RowError(row=number, code="", messages=problems)
        if columns is None and number >= 5:
            break
    if columns is None:
        if first_error is None:
            raise ImportFileError(_("The file is empty."))
        return [], [first_error]
    return rows, []


def _validate(user: Any, rows: Sequence[SourceRow]) -> tuple[list[RowError], list[HotlineSignal], int]:
    areas = AreaIndex(user)
    kinds = _choice_lookup(KIND_ALIASES)
    ratings = _choice_lookup(SATISFACTION_ALIASES)
    errors: dict[int, list[str]] = defaultdict(list)
    first_row: dict[str, int] = {}
    candidates: list[tuple[SourceRow, HotlineSignal]] = []
    now = timezone.now()
    for row in rows:
        values = {name: (row.values.get(name) or "").strip() for name in FIELDS}
        problems = errors[row.number]
        for name, limit in MAX_LENGTHS.items():
            if len(values[name]) > limit:
                problems.append(
                    _("%(column)s is longer than %(limit)d characters.")
                    % {"column": HEADER_LABELS[name], "limit": limit}
                )
        ticket = values["ticket_id"]
        if not ticket:
            problems.append(_("The ticket number is missing."))
        elif ticket in first_row:
            problems.append(
                _("The ticket %(ticket)s is already on row %(row)d of this file.")
                % {"ticket": ticket, "row": first_row[ticket]}
            )
        else:
            first_row[ticket] = row.number
        received_at = parse_time(values["received_at"])
        if received_at is None:
            problems.append(
                _("The time %(value)s is not a date and time like 2022-03-05 14:30.")
                % {"value": values["received_at"] or "—"}
            )
        elif received_at > now + dt.timedelta(minutes=5):
            problems.append(_("The time %(value)s lies in the future.") % {"value": values["received_at"]})
        unit: Unit | str = _("The area is missing.")
        if values["area"]:
            unit = areas.resolve(values["area"])
        if isinstance(unit, str):
            problems.append(unit)
        kind = kinds.get(_compact(values["kind"])) if values["kind"] else SignalKind.COMPLAINT
        if kind is None:
            problems.append(_("Unknown ticket type: %(value)s") % {"value": values["kind"]})
        rating = (
            ratings.get(_compact(values["satisfaction"])) if values["satisfaction"] else Satisfaction.UNRATED
        )
        if rating is None:
            problems.append(_("Unknown satisfaction: %(value)s") % {"value": values["satisfaction"]})
        if not values["text"]:
            problems.append(_("The content is missing."))
        if problems:
            continue
        assert isinstance(unit, Unit) and received_at is not None and kind and rating
        candidates.append(
            (
                row,
                HotlineSignal(
                    ticket_id=ticket,
                    received_at=received_at,
                    area_text=values["area"],
                    unit=unit,
                    kind=kind,
                    category=values["category"],
                    text=values["text"],
                    satisfaction=rating,
                ),
            )
        )
    report_errors = [
        RowError(
            row=row.number, code=(row.values.get("ticket_id") or "").strip(), messages=errors[row.number]
        )
        for row in rows
        if errors[row.number]
    ]
    known = _known_tickets(signal.ticket_id for _row, signal in candidates)
    new = [signal for _row, signal in candidates if signal.ticket_id not in known]
    return report_errors, new, len(candidates) - len(new)


def _known_tickets(tickets: Iterable[str]) -> set[str]:
    wanted = sorted(set(tickets))
    known: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        known.update(HotlineSignal.objects.filter(ticket_id__in=chunk).values_list("ticket_id", flat=True))
    return known


def hotline_import(
    *, user: User, filename: str, content: bytes, dry_run: bool = False
) -> tuple[ImportReport, HotlineImport | None]:
    """Check the file and, when every row is right (and not ``dry_run``), add its new tickets."""
    if not scoping.has_role(user, *HOTLINE_ROLES):
        raise DomainError(_("Only petition offices may import hotline tickets."), code="role_not_allowed")
    try:
        rows, header_errors = read_rows(filename=filename, content=content)
    except ImportFileError as error:
        return ImportReport(file_errors=[str(error)], dry_run=dry_run), None
    if header_errors:
        return ImportReport(row_errors=header_errors, dry_run=dry_run), None
    if not rows:
        return ImportReport(file_errors=[_("The file has a header but no data rows.")], dry_run=dry_run), None
    try:
        with transaction.atomic():
            row_errors, new, known = _validate(user, rows)
            report = ImportReport(row_errors=row_errors, created=len(new), unchanged=known, dry_run=dry_run)
            if not report.ok or dry_run:
                return report, None
            batch = HotlineImport.objects.create(
                filename=filename[-200:],
                sha256=hashlib.sha256(content).hexdigest(),
                imported_by=user,
                created=len(new),
                duplicates=known,
            )
            for signal in new:
                signal.batch = batch
            HotlineSignal.objects.bulk_create(new, batch_size=CHUNK)
    except IntegrityError:
        return ImportReport(
            file_errors=[_("Tickets were imported by someone else meanwhile; nothing was imported.")]
        ), None
    return report, batch


def template_headers() -> list[str]:
    return [str(HEADER_LABELS[name]) for name in FIELDS]


def template_rows() -> list[list[str]]:
    return [
        [
            "12345-20220301-0001",
            "2022-03-01 09:15",
            "南屏苑社区",
            "投诉",
            "物业管理",
            "小区电梯故障多日无人维修",
            "不满意",
        ],
        [
            "12345-20220302-0002",
            "2022-03-02 15:40",
            "341502",
            "咨询",
            "社会保障",
            "咨询养老保险缴费年限",
            "满意",
        ],
    ]
