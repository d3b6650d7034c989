"""Import of the administrative tree (行政区划导入) from CSV or XLSX, all or nothing.

Every row is validated first and the user gets a report keyed by the row number they see in the
spreadsheet (header = row 1). Only a file without a single error is written, in one transaction, with
materialised paths computed here and inserted with ``bulk_create``: ``add_child`` per row re-reads and
locks the parent and costs several queries per unit, far too slow for a province of 20,000 units.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.core.errors import DomainError

from .models import Unit, UnitKind
from .services import check_placement, level_for

FIELDS = ("code", "name", "kind", "parent_code", "division_code", "address", "phone")
REQUIRED_COLUMNS = ("code", "name", "kind")
# Column headings of the downloadable template; also accepted on upload in every configured language.
HEADER_LABELS = {
    "code": gettext_lazy("Unit code"),
    "name": gettext_lazy("Name"),
    "kind": gettext_lazy("Kind"),
    "parent_code": gettext_lazy("Parent unit code"),
    "division_code": gettext_lazy("Division code"),
    "address": gettext_lazy("Address"),
    "phone": gettext_lazy("Office phone"),
}
# Headings of the unit list export (web.views.unit_export), so that an export can be edited and re-imported.
EXPORT_LABELS = {
    "code": gettext_lazy("Code"),
    "name": gettext_lazy("Name"),
    "kind": gettext_lazy("Kind"),
    "parent_code": gettext_lazy("Parent code"),
    "division_code": gettext_lazy("Division code"),
}
HEADER_ALIASES = {
    "code": ("code", "unit code", "编码", "单位编码", "代码", "单位代码"),
    "name": ("name", "unit name", "名称", "单位名称", "名字"),
    "kind": ("kind", "type", "unit kind", "类型", "单位类型", "类别"),
    "parent_code": (
        "parent_code",
        "parent code",
        "parent",
        "上级编码",
        "上级单位编码",
        "上级代码",
        "上级单位代码",
        "父级编码",
    ),
    "division_code": ("division_code", "division code", "区划代码", "行政区划代码", "区划编码"),
    "address": ("address", "地址", "办公地址"),
    "phone": ("phone", "office phone", "telephone", "电话", "办公电话", "联系电话"),
}
# Chinese names of the kinds as offices write them; UnitKind values and labels are accepted as well.
KIND_ALIASES = {
    UnitKind.PROVINCE: ("省", "省级", "自治区", "直辖市"),
    UnitKind.CITY: ("市", "地级市", "市级", "州", "自治州", "地区", "盟"),
    UnitKind.COUNTY: ("县", "区", "县/区", "县区", "县级", "县级市", "市辖区", "旗"),
    UnitKind.TOWN: ("乡镇", "镇", "乡", "街道", "乡镇/街道", "乡镇街道", "苏木"),
    UnitKind.VILLAGE: ("村", "社区", "村/社区", "村社区", "村委会", "居委会"),
    UnitKind.GROUP: ("村民组", "村民小组", "小区", "组", "村民组/小区"),
    UnitKind.PETITION_OFFICE: ("信访局", "信访办", "信访办公室", "信访部门", "信访机构"),
    UnitKind.DEPARTMENT: ("职能部门", "部门"),
    UnitKind.DISCIPLINE: ("纪检监察", "纪委监委", "纪委", "监委", "纪检监察机关"),
    UnitKind.POLITICAL_LEGAL: ("政法", "政法委", "政法机关", "政法单位"),
}
DIVISION_CODE_RE = re.compile(r"[0-9]{6,12}")
MAX_LENGTHS = {"code": 40, "name": 100, "address": 200, "phone": 40}
TOO_LONG = {
    "code": gettext_lazy("The unit code is longer than %(limit)d characters."),
    "name": gettext_lazy("The name is longer than %(limit)d characters."),
    "address": gettext_lazy("The address is longer than %(limit)d characters."),
    "phone": gettext_lazy("The office phone is longer than %(limit)d characters."),
}
UPDATABLE_FIELDS = ("name", "division_code", "address", "phone")
MAX_ROWS = 200_000
MAX_COLUMNS = 40
HEADER_SEARCH_ROWS = 5
# SQLite allows 999 parameters per statement; stay well below it.
CHUNK = 500


class ImportFileError(DomainError):
    """The upload is not a table we can read at all (wrong type, broken workbook, unknown encoding)."""

    code = "bad_file"


@dataclass(frozen=True)
class SourceRow:
    """One data row as the user sees it: ``number`` is the spreadsheet row (the header is row 1)."""

    number: int
    values: Mapping[str, str]


@dataclass
class RowError:
    row: int
    code: str
    messages: list[str]


@dataclass
class ImportReport:
    """What an import did or would do (``dry_run``), or why it did nothing (file or row errors)."""

    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    def lines(self) -> list[str]:
        """The report as plain text lines, for the command line."""
        lines = list(self.file_errors)
        for error in self.row_errors:
            label = _("Row %(row)d") % {"row": error.row}
            if error.code:
                label = f"{label} ({error.code})"
            lines.extend(f"{label}: {message}" for message in error.messages)
        return lines


def _normalise_header(text: str) -> str:
    text = re.sub(r"[（(].*?[）)]", "", text)
    return re.sub(r"[\s_\-*:：]+", "", text).lower()


def _normalise_kind(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("／", "/")).lower()


def _labels_in_all_languages(labels: Iterable[Any]) -> list[str]:
    found: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.extend(str(label) for label in labels)
    return found


@cache
def header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, aliases in HEADER_ALIASES.items():
        labels = [HEADER_LABELS[name], *([EXPORT_LABELS[name]] if name in EXPORT_LABELS else [])]
        for alias in (*aliases, *_labels_in_all_languages(labels)):
            lookup.setdefault(_normalise_header(alias), name)
    return lookup


@cache
def kind_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for kind in UnitKind:
        names = (kind.value, *KIND_ALIASES.get(kind, ()), *_labels_in_all_languages([kind.label]))
        for alias in names:
            lookup.setdefault(_normalise_kind(alias), kind.value)
    return lookup


def parse_kind(text: str) -> str | None:
    """The UnitKind value for ``text`` (a value, a label or a common Chinese name), or None."""
    return kind_lookup().get(_normalise_kind(text))


normalise_header = _normalise_header
labels_in_all_languages = _labels_in_all_languages


# Reading files -------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """Spreadsheet cells come back as numbers or dates; codes like 340000 must stay ``"340000"``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _csv_records(content: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 (GBK) text."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield record[:MAX_COLUMNS]
    except csv.Error as error:
        raise ImportFileError(_("The CSV file could not be read: %(error)s") % {"error": error}) from error


def _xlsx_records(content: bytes) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise ImportFileError(_("The file could not be read as an XLSX workbook.")) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        # Some producers write a wrong <dimension>; read what is really there (bounded by MAX_ROWS).
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        yield from sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError) as error:
        # SyntaxError covers xml.etree's ParseError: a damaged sheet inside a valid zip.
        raise ImportFileError(_("The file could not be read as an XLSX workbook.")) from error
    finally:
        workbook.close()


def table_records(*, filename: str, content: bytes) -> Iterator[Sequence[Any]]:
    """The raw rows of a CSV or XLSX upload; other importers (e.g. hotline tickets) read files with it."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        return _csv_records(content)
    if lower.endswith(".xlsx"):
        return _xlsx_records(content)
    raise ImportFileError(_("Only .csv and .xlsx files can be imported."))


# Public names for other importers (hotline tickets) that read tables the same way.
cell_text = _cell_text


def read_table(*, filename: str, content: bytes) -> tuple[list[SourceRow], list[RowError]]:
    """Rows of a CSV or XLSX file keyed by the recognised columns, and any header problems (row 1)."""
    records = table_records(filename=filename, content=content)
    rows: list[SourceRow] = []
    columns: dict[int, str] | None = None
    first_header_error: RowError | None = None
    seen = 0
    for number, record in enumerate(records, start=1):
        if columns is not None:
            values = {name: _cell_text(record[i]) if i < len(record) else "" for i, name in columns.items()}
            if number > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(count)d rows.") % {"count": MAX_ROWS})
            if not any(values.values()):
                continue
            rows.append(SourceRow(number=number, values=values))
            continue
        cells = [_cell_text(value) for value in record]
        if any(cells):
            # The header is the first row naming the required columns; a title row above it is skipped.
            seen += 1
            found, header_errors = _read_header(cells)
            if not header_errors:
                columns = found
            elif first_header_error is None:
                first_header_error = RowError(row=number, code="", messages=header_errors)
            if columns is None and seen >= HEADER_SEARCH_ROWS:
                break
    if columns is None:
        if first_header_error is None:
            raise ImportFileError(_("The file is empty."))
        return [], [first_header_error]
    return rows, []


def _read_header(cells: list[str]) -> tuple[dict[int, str], list[str]]:
    lookup = header_lookup()
    columns: dict[int, str] = {}
    errors = []
    for index, cell in enumerate(cells):
        name = lookup.get(_normalise_header(cell)) if cell else None
        if name is None:
            continue  # extra columns (remarks, sequence numbers) are ignored
        if name in columns.values():
            errors.append(_("The column %(column)s appears twice.") % {"column": HEADER_LABELS[name]})
            continue
        columns[index] = name
    for name in REQUIRED_COLUMNS:
        if name not in columns.values():
            errors.append(_("The column %(column)s is missing.") % {"column": HEADER_LABELS[name]})
    return columns, errors


def rows_from_records(records: Iterable[Mapping[str, Any]]) -> list[SourceRow]:
    """Rows for ``units_import`` from dictionaries keyed by FIELDS, numbered as if under a header."""
    return [
        SourceRow(number=number, values={name: _cell_text(record[name]) for name in FIELDS if name in record})
        for number, record in enumerate(records, start=2)
    ]


# Validation ----------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    code: str
    name: str
    kind: str | None
    parent_code: str
    division_code: str
    address: str
    phone: str
    # Columns the file has: an absent column leaves the existing value alone, an empty cell clears it.
    present: frozenset[str]


@dataclass
class _Plan:
    report: ImportReport
    new_rows: list[_Row]  # parent before child
    existing: dict[str, Unit]  # by code: existing units the file mentions (as rows or as parents)
    updates: list[Unit]


def _clean(source: SourceRow) -> tuple[_Row, str]:
    values = source.values
    raw_kind = (values.get("kind") or "").strip()
    row = _Row(
        number=source.number,
        code=(values.get("code") or "").strip(),
        name=(values.get("name") or "").strip(),
        kind=parse_kind(raw_kind) if raw_kind else None,
        parent_code=(values.get("parent_code") or "").strip(),
        division_code=(values.get("division_code") or "").strip(),
        address=(values.get("address") or "").strip(),
        phone=(values.get("phone") or "").strip(),
        present=frozenset(values),
    )
    return row, raw_kind


def _field_errors(row: _Row, raw_kind: str) -> list[str]:
    errors = []
    if not row.code:
        errors.append(_("The unit code is missing."))
    if not row.name:
        errors.append(_("The name is missing."))
    if not raw_kind:
        errors.append(_("The kind is missing."))
    elif row.kind is None:
        errors.append(_("Unknown unit kind: %(kind)s") % {"kind": raw_kind})
    if row.division_code and not DIVISION_CODE_RE.fullmatch(row.division_code):
        errors.append(_("The division code %(value)s is not 6 to 12 digits.") % {"value": row.division_code})
    for name, limit in MAX_LENGTHS.items():
        if len(getattr(row, name)) > limit:
            errors.append(str(TOO_LONG[name]) % {"limit": limit})
    return errors


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_by_code(codes: Iterable[str]) -> dict[str, Unit]:
    wanted = sorted({code for code in codes if code})
    found: dict[str, Unit] = {}
    for chunk in _chunks(wanted):
        for unit in Unit.objects.filter(code__in=chunk).order_by():
            found[unit.code] = unit
    return found


def _codes_by_path(paths: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(paths))
    found: dict[str, str] = {}
    for chunk in _chunks(wanted):
        found.update(Unit.objects.filter(path__in=chunk).order_by().values_list("path", "code"))
    return found


def _describe_parent(code: str | None) -> str:
    return code if code else _("(no parent: the unit is a root)")


def _validate(sources: Sequence[SourceRow]) -> _Plan:
    errors: dict[int, list[str]] = defaultdict(list)
    rows: list[_Row] = []
    first_row: dict[str, _Row] = {}
    for source in sources:
        row, raw_kind = _clean(source)
        rows.append(row)
        errors[row.number].extend(_field_errors(row, raw_kind))
        if not row.code:
            continue
        if row.code in first_row:
            errors[row.number].append(
                _("The unit code %(code)s is already used on row %(row)d of this file.")
                % {"code": row.code, "row": first_row[row.code].number}
            )
        else:
            first_row[row.code] = row

    existing = _existing_by_code([*first_row, *(row.parent_code for row in rows)])
    parent_path_of = {unit.code: unit.path[: -Unit.steplen] for unit in existing.values() if unit.depth > 1}
    existing_parent_code = _codes_by_path(parent_path_of.values())

    new_rows: dict[str, _Row] = {}
    updates: list[Unit] = []
    unchanged = 0
    for code, row in first_row.items():
        unit = existing.get(code)
        if unit is None:
            new_rows[code] = row
            continue
        current_parent = existing_parent_code.get(parent_path_of.get(code, ""))
        if row.kind is not None and row.kind != unit.kind:
            errors[row.number].append(
                _("Unit %(code)s already exists as a %(kind)s; an import cannot change its kind.")
                % {"code": code, "kind": UnitKind(unit.kind).label}
            )
        if row.parent_code and row.parent_code != current_parent:
            errors[row.number].append(
                _("Unit %(code)s sits under %(current)s, not %(new)s; an import does not move units.")
                % {"code": code, "current": _describe_parent(current_parent), "new": row.parent_code}
            )
        if errors[row.number]:
            continue
        changed = [
            name
            for name in UPDATABLE_FIELDS
            if name in row.present and getattr(unit, name) != getattr(row, name)
        ]
        if changed:
            for name in changed:
                setattr(unit, name, getattr(row, name))
            updates.append(unit)
        else:
            unchanged += 1

    placement = _PlacementCheck()
    for code, row in new_rows.items():
        if row.kind is None:
            continue
        parent_kind: str | None = None
        if row.parent_code:
            if row.parent_code == code:
                errors[row.number].append(_("The unit cannot be its own parent."))
                continue
            if row.parent_code in existing:
                parent_kind = existing[row.parent_code].kind
            elif row.parent_code in new_rows:
                parent_kind = new_rows[row.parent_code].kind
                if parent_kind is None:
                    continue  # the parent's row already carries the error
            else:
                errors[row.number].append(
                    _("The parent unit %(code)s is neither in this file nor in the system.")
                    % {"code": row.parent_code}
                )
                continue
        if parent_kind is None and row.kind != UnitKind.PROVINCE:
            errors[row.number].append(
                _("The parent unit code is missing: only a province can stand without a parent.")
            )
            continue
        errors[row.number].extend(placement.errors(kind=row.kind, parent_kind=parent_kind))

    for code in _codes_in_cycles(new_rows):
        row = new_rows[code]
        errors[row.number].append(
            _("The parent chain of unit %(code)s loops back to itself.") % {"code": code}
        )

    report = ImportReport(
        row_errors=[
            RowError(row=row.number, code=row.code, messages=errors[row.number])
            for row in rows
            if errors[row.number]
        ],
        created=len(new_rows),
        updated=len(updates),
        unchanged=unchanged,
    )
    ordered = _parent_first(new_rows) if report.ok else []
    return _Plan(report=report, new_rows=ordered, existing=existing, updates=updates)


class _PlacementCheck:
    """``services.check_placement`` asked once per (kind, parent kind) pair.

    Placement depends only on the two kinds, and 20,000 rows of a province hold a few dozen pairs.
    """

    def __init__(self) -> None:
        self._verdicts: dict[tuple[str, str | None], list[str]] = {}

    def errors(self, *, kind: str, parent_kind: str | None) -> list[str]:
        key = (kind, parent_kind)
        if key not in self._verdicts:
            parent = Unit(kind=parent_kind) if parent_kind is not None else None
            try:
                check_placement(kind=kind, parent=parent)
                self._verdicts[key] = []
            except ValidationError as error:
                self._verdicts[key] = list(error.messages)
        return self._verdicts[key]


def _codes_in_cycles(new_rows: Mapping[str, _Row]) -> set[str]:
    """Codes whose parent chain (through new rows only) returns to them; existing units cannot loop."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = settled
    in_cycle: set[str] = set()
    for start in new_rows:
        walk: list[str] = []
        code: str | None = start
        while code is not None and code in new_rows and state.get(code) is None:
            state[code] = 1
            walk.append(code)
            parent = new_rows[code].parent_code
            code = parent if parent and parent != code else None
        if code is not None and state.get(code) == 1:
            in_cycle.update(walk[walk.index(code) :])
        for visited in walk:
            state[visited] = 2
    return in_cycle


def _parent_first(new_rows: Mapping[str, _Row]) -> list[_Row]:
    """New rows ordered so that every parent comes before its children, siblings in file order."""
    children: dict[str, list[_Row]] = defaultdict(list)
    queue: list[_Row] = []
    for row in new_rows.values():
        if row.parent_code in new_rows:
            children[row.parent_code].append(row)
        else:
            queue.append(row)
    ordered: list[_Row] = []
    index = 0
    while index < len(queue):
        row = queue[index]
        index += 1
        ordered.append(row)
        queue.extend(children.get(row.code, ()))
    return ordered


# Writing -------------------------------------------------------------------------------------------


def _step(position: int) -> str:
    key = Unit._int2str(position)
    if len(key) > Unit.steplen:
        raise DomainError(_("Too many units under one parent."))
    return key.rjust(Unit.steplen, Unit.alphabet[0])


def _last_child_positions(parent_paths: Sequence[str]) -> dict[str, int]:
    """The position of the last existing child under each parent path (absent when childless)."""
    last: dict[str, int] = {}
    for chunk in _chunks(parent_paths, 200):
        condition = Q(pk__in=[])
        for path in chunk:
            # A range (as treebeard's get_children uses) is an index search on SQLite; LIKE is not.
            condition |= Q(
                depth=len(path) // Unit.steplen + 1, path__range=Unit._get_children_path_interval(path)
            )
        for path in Unit.objects.filter(condition).order_by().values_list("path", flat=True):
            parent_path, step = path[: -Unit.steplen], Unit._str2int(path[-Unit.steplen :])
            last[parent_path] = max(last.get(parent_path, 0), step)
    return last


def _apply(plan: _Plan) -> None:
    max_length = Unit._meta.get_field("path").max_length or 255
    existing_parents = {
        row.parent_code: plan.existing[row.parent_code]
        for row in plan.new_rows
        if row.parent_code in plan.existing
    }
    # Lock the parents as add_child does, and take their paths as they are now.
    locked_paths: dict[int, str] = {}
    for chunk in _chunks([unit.pk for unit in existing_parents.values()]):
        locked_paths.update(
            Unit.objects.select_for_update().filter(pk__in=chunk).order_by().values_list("pk", "path")
        )
    parent_path = {code: locked_paths[unit.pk] for code, unit in existing_parents.items()}
    next_position = {
        path: last + 1 for path, last in _last_child_positions(sorted(parent_path.values())).items()
    }
    last_root = Unit.objects.get_last_root_node()
    next_position[""] = (Unit._str2int(last_root.path) + 1) if last_root is not None else 1

    created: dict[str, Unit] = {}
    child_count: dict[str, int] = defaultdict(int)
    for row in plan.new_rows:
        assert row.kind is not None
        parent: Unit | None = None
        base = ""
        if row.parent_code in created:
            parent = created[row.parent_code]
            base = parent.path
        elif row.parent_code in existing_parents:
            parent = existing_parents[row.parent_code]
            base = parent_path[row.parent_code]
        if parent is not None:
            child_count[row.parent_code] += 1
        position = next_position.get(base, 1)
        next_position[base] = position + 1
        path = base + _step(position)
        if len(path) > max_length:
            raise DomainError(_("The tree is too deep to add unit %(code)s.") % {"code": row.code})
        created[row.code] = Unit(
            code=row.code,
            name=row.name,
            kind=row.kind,
            division_code=row.division_code,
            address=row.address,
            phone=row.phone,
            level=level_for(kind=row.kind, parent=parent),
            path=path,
            depth=len(path) // Unit.steplen,
            numchild=0,
        )
    for code, count in child_count.items():
        if code in created:
            created[code].numchild = count
    Unit.objects.bulk_create(created.values(), batch_size=CHUNK)

    by_increment: dict[int, list[int]] = defaultdict(list)
    for code, unit in existing_parents.items():
        by_increment[child_count[code]].append(unit.pk)
    for increment, pks in by_increment.items():
        for chunk in _chunks(pks):
            Unit.objects.filter(pk__in=chunk).update(numchild=F("numchild") + increment)
    if plan.updates:
        Unit.objects.bulk_update(plan.updates, list(UPDATABLE_FIELDS), batch_size=CHUNK)


# Entry points --------------------------------------------------------------------------------------


def units_import(*, rows: Sequence[SourceRow], dry_run: bool = False) -> ImportReport:
    """Validate every row; write nothing unless all rows are valid (and not ``dry_run``)."""
    if dry_run:
        report = _validate(rows).report
        report.dry_run = True
        return report
    try:
        # Validation runs inside the transaction too, so the tree it checked is the tree it writes to.
        with transaction.atomic():
            plan = _validate(rows)
            if plan.report.ok:
                _apply(plan)
    except DomainError as error:
        return ImportReport(file_errors=[str(error)])
    except IntegrityError:
        # A unit with one of these codes or paths was written concurrently; the transaction rolled back.
        return ImportReport(
            file_errors=[_("Units were changed by someone else meanwhile; nothing was imported.")]
        )
    return plan.report


def units_import_file(*, filename: str, content: bytes, dry_run: bool = False) -> ImportReport:
    """Read a CSV/XLSX upload and import it; unreadable files and bad headers come back in the report."""
    try:
        rows, header_errors = read_table(filename=filename, content=content)
    except ImportFileError as error:
        return ImportReport(file_errors=[str(error)], dry_run=dry_run)
    if header_errors:
        return ImportReport(row_errors=header_errors, dry_run=dry_run)
    if not rows:
        return ImportReport(file_errors=[_("The file has a header but no data rows.")], dry_run=dry_run)
    return units_import(rows=rows, dry_run=dry_run)


def template_rows() -> list[list[str]]:
    """Three example rows for the downloadable template: a town, one of its villages and its office."""
    return [
        [
            "ah-la-ja-dq",
            "东桥镇",
            str(UnitKind.TOWN.label),
            "ah-la-ja",
            "",
            "六安市金安区东桥镇",
            "0564-0000000",
        ],
        ["ah-la-ja-dq-dq", "东桥村", str(UnitKind.VILLAGE.label), "ah-la-ja-dq", "", "", ""],
        ["ah-la-ja-dq-xfb", "东桥镇信访办", str(UnitKind.PETITION_OFFICE.label), "ah-la-ja-dq", "", "", ""],
    ]


def template_headers() -> list[str]:
    return [str(HEADER_LABELS[name]) for name in FIELDS]
