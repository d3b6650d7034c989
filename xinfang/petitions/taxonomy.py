"""Content categories: a built-in default, and loading a three-level taxonomy from CSV/XLSX.

The default maps each first-level category to the function key of the county department in
charge (Unit.function), which routing uses to propose the competent department.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet

from xinfang.orgs.models import Unit, UnitKind

from .models import Category

# First-level categories and the department function that owns them by default.
DEFAULT_FUNCTIONS = {
    "城乡建设": "zjj",
    "农村农业": "nyj",
    "政法": "zfw",
    "教育文体": "jyj",
    "劳动和社会保障": "rsj",
    "民政": "mzj",
    "党务政务": "xfj",
    "经济管理": "scj",
    "卫生计生": "wjw",
    "商贸旅游": "scj",
    "环境保护": "sthj",
    "交通运输": "jtj",
    "纪检监察": "jw",
    "国土资源": "zrj",
    "科技与信息产业": "",
}
# A small built-in second level so that a fresh installation is usable without any file.
DEFAULT_SECOND_LEVEL = {
    "城乡建设": ["物业管理", "住房保障", "城市建设和市政管理", "房地产开发与管理", "拆迁安置"],
    "劳动和社会保障": ["劳动报酬", "社会保险", "劳动关系", "就业培训"],
    "农村农业": ["土地承包流转", "农田水利", "农村集体资产", "惠农补贴"],
    "环境保护": ["噪声污染", "水污染", "大气污染", "固体废物"],
    "教育文体": ["入学招生", "教师待遇", "校外培训", "文体设施"],
    "交通运输": ["道路建设", "公共交通", "出租车管理"],
    "卫生计生": ["医疗纠纷", "医保报销", "公共卫生"],
    "商贸旅游": ["消费维权", "市场监管", "旅游服务"],
    "民政": ["社会救助", "养老服务", "婚姻殡葬"],
    "国土资源": ["土地征收", "不动产登记", "矿产资源"],
}


@transaction.atomic
def load_default_taxonomy() -> int:
    created = 0
    for level1, function in DEFAULT_FUNCTIONS.items():
        top, made = Category.objects.get_or_create(
            parent=None, name=level1, defaults={"level": 1, "function": function}
        )
        created += int(made)
        for level2 in DEFAULT_SECOND_LEVEL.get(level1, []):
            _child, made = Category.objects.get_or_create(parent=top, name=level2, defaults={"level": 2})
            created += int(made)
    return created


def read_rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).active
        assert sheet is not None
        return [
            ["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    text = path.read_text(encoding="utf-8-sig")
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


@transaction.atomic
def load_taxonomy_rows(rows: Iterable[list[str]]) -> int:
    """Rows of (level1, level2, level3) after a header row; existing categories are kept."""
    created = 0
    cache: dict[tuple[int | None, str], Category] = {}

    def ensure(parent: Category | None, name: str, level: int) -> Category:
        nonlocal created
        key = (parent.pk if parent else None, name)
        if key not in cache:
            defaults = {"level": level, "function": DEFAULT_FUNCTIONS.get(name, "") if level == 1 else ""}
            cache[key], made = Category.objects.get_or_create(parent=parent, name=name, defaults=defaults)
            created += int(made)
        return cache[key]

    for index, row in enumerate(rows):
        if index == 0 or not row or not row[0]:
            continue
        node = ensure(None, row[0], 1)
        for level, name in enumerate(row[1:3], start=2):
            if name:
                node = ensure(node, name, level)
    return created


def competent_departments(*, place: Unit, category: Category | None) -> QuerySet[Unit]:
    """Territory first, then function: departments of the place's county in charge of the category."""
    from xinfang.orgs.selectors import area_ancestor, prefix_lookup

    if category is None:
        return Unit.objects.none()
    function = category.top().function
    county = area_ancestor(place, UnitKind.COUNTY)
    if not function or county is None:
        return Unit.objects.none()
    return Unit.objects.filter(
        prefix_lookup("path", county.path), depth=county.depth + 1, function=function, is_active=True
    )
