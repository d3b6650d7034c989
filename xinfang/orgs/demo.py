"""The demo jurisdiction: the places of the Anhui article plus plausible siblings and departments.

Division codes are given only where they are commonly listed (province, cities, counties); lower
levels get internal unit codes. All people are fictitious.
"""

from __future__ import annotations

from typing import Any

from .models import Unit, UnitKind
from .services import unit_create

# County-level organs: (code suffix, name, kind). The petition function sits in a 信访局.
COUNTY_ORGANS: list[tuple[str, str, str]] = [
    ("xfj", "信访局", UnitKind.PETITION_OFFICE),
    ("rsj", "人力资源和社会保障局", UnitKind.DEPARTMENT),
    ("zjj", "住房和城乡建设局", UnitKind.DEPARTMENT),
    ("nyj", "农业农村局", UnitKind.DEPARTMENT),
    ("zrj", "自然资源和规划局", UnitKind.DEPARTMENT),
    ("jyj", "教育体育局", UnitKind.DEPARTMENT),
    ("wjw", "卫生健康委员会", UnitKind.DEPARTMENT),
    ("sthj", "生态环境分局", UnitKind.DEPARTMENT),
    ("jtj", "交通运输局", UnitKind.DEPARTMENT),
    ("mzj", "民政局", UnitKind.DEPARTMENT),
    ("scj", "市场监督管理局", UnitKind.DEPARTMENT),
    ("slj", "水利局", UnitKind.DEPARTMENT),
    ("jw", "纪委监委", UnitKind.DISCIPLINE),
    ("zfw", "政法委员会", UnitKind.POLITICAL_LEGAL),
]
CITY_ORGANS: list[tuple[str, str, str]] = [
    ("xfj", "信访局", UnitKind.PETITION_OFFICE),
    ("rsj", "人力资源和社会保障局", UnitKind.DEPARTMENT),
    ("zjj", "住房和城乡建设局", UnitKind.DEPARTMENT),
    ("jw", "纪委监委", UnitKind.DISCIPLINE),
]
# Town organs: the members a town joint conference (信访工作联席会议) gathers besides the village heads.
TOWN_ORGANS: list[tuple[str, str, str]] = [
    ("xfb", "信访办", UnitKind.PETITION_OFFICE),
    ("sfs", "司法所", UnitKind.POLITICAL_LEGAL),
    ("pcs", "派出所", UnitKind.POLITICAL_LEGAL),
    ("jw", "纪委", UnitKind.DISCIPLINE),
    ("nyb", "农业农村办公室", UnitKind.DEPARTMENT),
]

# (code, name, division code, towns); each town: (code, name, villages); village: (code, name, groups)
TREE: dict[str, Any] = {
    "province": ("ah", "安徽省", "340000"),
    "cities": [
        (
            "ah-hf",
            "合肥市",
            "340100",
            [
                (
                    "ah-hf-yh",
                    "瑶海区",
                    "340102",
                    [
                        (
                            "ah-hf-yh-hpl",
                            "和平路街道",
                            [
                                ("ah-hf-yh-hpl-ths", "铁三村社区", []),
                                ("ah-hf-yh-hpl-hqs", "和平路棚户区社区", []),
                            ],
                        ),
                        ("ah-hf-yh-mgl", "明光路街道", [("ah-hf-yh-mgl-slq", "胜利路社区", [])]),
                    ],
                ),
                (
                    "ah-hf-cf",
                    "长丰县",
                    "340121",
                    [
                        (
                            "ah-hf-cf-ym",
                            "杨庙镇",
                            [
                                ("ah-hf-cf-ym-mn", "庙南社区", ["老圩村民组", "岔路口村民组"]),
                                ("ah-hf-cf-ym-yms", "杨庙社区", []),
                            ],
                        ),
                        ("ah-hf-cf-sh", "水湖镇", [("ah-hf-cf-sh-dc", "东城社区", [])]),
                    ],
                ),
            ],
        ),
        (
            "ah-la",
            "六安市",
            "341500",
            [
                (
                    "ah-la-ja",
                    "金安区",
                    "341502",
                    [
                        (
                            "ah-la-ja-wc",
                            "望城街道",
                            [
                                ("ah-la-ja-wc-npy", "南屏苑社区", ["南屏苑一期小区", "南屏苑二期小区"]),
                                ("ah-la-ja-wc-mz", "民主社区", []),
                            ],
                        ),
                        ("ah-la-ja-ssp", "三十铺镇", [("ah-la-ja-ssp-ssp", "三十铺社区", [])]),
                    ],
                ),
                (
                    "ah-la-yj",
                    "叶集区",
                    "341504",
                    [
                        (
                            "ah-la-yj-pg",
                            "平岗街道",
                            [
                                ("ah-la-yj-pg-hp", "和平村", ["油茶基地村民组"]),
                                ("ah-la-yj-pg-xy", "兴业村", []),
                            ],
                        ),
                        ("ah-la-yj-sh", "史河街道", [("ah-la-yj-sh-sh", "史河社区", [])]),
                    ],
                ),
            ],
        ),
    ],
}


def _ensure(
    *, code: str, name: str, kind: str, parent: Unit | None, division_code: str = "", function: str = ""
) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return unit_create(
        name=name, kind=kind, code=code, parent=parent, division_code=division_code, function=function
    )


def _organs(parent: Unit, prefix: str, organs: list[tuple[str, str, str]]) -> None:
    for suffix, name, kind in organs:
        _ensure(
            code=f"{prefix}-{suffix}", name=f"{parent.name}{name}", kind=kind, parent=parent, function=suffix
        )


def build_demo_tree() -> Unit:
    """Create (or find) the demo tree and return the province. Safe to run repeatedly."""
    code, name, division = TREE["province"]
    province = _ensure(code=code, name=name, kind=UnitKind.PROVINCE, parent=None, division_code=division)
    _organs(province, code, CITY_ORGANS)
    for city_code, city_name, city_division, counties in TREE["cities"]:
        city = _ensure(
            code=city_code, name=city_name, kind=UnitKind.CITY, parent=province, division_code=city_division
        )
        _organs(city, city_code, CITY_ORGANS)
        for county_code, county_name, county_division, towns in counties:
            county = _ensure(
                code=county_code,
                name=county_name,
                kind=UnitKind.COUNTY,
                parent=city,
                division_code=county_division,
            )
            _organs(county, county_code, COUNTY_ORGANS)
            for town_code, town_name, villages in towns:
                town = _ensure(code=town_code, name=town_name, kind=UnitKind.TOWN, parent=county)
                _organs(town, town_code, TOWN_ORGANS)
                for village_code, village_name, groups in villages:
                    village = _ensure(
                        code=village_code, name=village_name, kind=UnitKind.VILLAGE, parent=town
                    )
                    for index, group_name in enumerate(groups, start=1):
                        _ensure(
                            code=f"{village_code}-g{index}",
                            name=group_name,
                            kind=UnitKind.GROUP,
                            parent=village,
                        )
    return province
