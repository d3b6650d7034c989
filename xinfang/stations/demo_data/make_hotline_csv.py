"""Write the fictitious 12345 hotline file of the demo (run once; the CSV is committed beside this).

Tickets about 南屏苑社区 (served by the demo station, opened 2022-05-09) and, for contrast, 民主社区
next door (no station). Before the opening the community has 12-24 complaints a month, after it
0-5; 民主社区 stays about the same. Texts come from the templates below; no real ticket is used.

    python xinfang/stations/demo_data/make_hotline_csv.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

OUT = Path(__file__).with_name("hotline-jinan-2021-2026.csv")
OPENED = dt.date(2022, 5, 9)
FIRST, LAST = dt.date(2021, 5, 1), dt.date(2026, 11, 30)

COMPLAINTS = [
    ("物业管理", "{estate}{building}栋电梯故障停运{days}天，物业一直未安排维修"),
    ("物业管理", "{estate}物业擅自上调停车费，业主多次反映无人答复"),
    ("市政设施", "{estate}{building}栋楼道照明损坏，夜间出行不便"),
    ("环境卫生", "{estate}垃圾清运不及时，{building}栋旁垃圾堆积发臭"),
    ("市政设施", "{estate}雨污管道堵塞，{building}栋前污水外溢"),
    ("噪声污染", "{estate}附近工地夜间施工噪声扰民"),
    ("房屋质量", "{estate}{building}栋顶楼墙体渗水，维修基金申请迟迟未批"),
    ("邻里纠纷", "{estate}{building}栋楼上住户长期漏水至楼下，协商无果"),
]
OTHERS = [
    ("咨询", "社会保障", "咨询灵活就业人员养老保险缴费标准"),
    ("求助", "民政", "独居老人申请居家养老服务，请求社区协助"),
    ("建议", "市政设施", "建议在{estate}门口增设非机动车停放点"),
    ("表扬", "物业管理", "感谢社区工作人员及时协调解决{estate}停水问题"),
]
RATINGS = ["满意", "满意", "基本满意", "不满意", "未评价"]


def monthly_complaints(place: str, month: dt.date, rng: random.Random) -> int:
    if place == "民主社区":
        return rng.randint(2, 5)
    if month < OPENED.replace(day=1):
        return rng.randint(12, 24)
    if month == OPENED.replace(day=1):
        return rng.randint(6, 9)  # before the 9th the station was not there yet
    return rng.randint(0, 5)


def months() -> list[dt.date]:
    result, month = [], FIRST
    while month <= LAST:
        result.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return result


def main() -> None:
    rng = random.Random(20220509)  # noqa: S311 - demo data
    rows = []
    serial = 0
    for month in months():
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days = (following - month).days
        for place, estate in (("南屏苑社区", "南屏苑"), ("民主社区", "民主小区")):
            tickets = [
                ("投诉", *rng.choice(COMPLAINTS)) for _ in range(monthly_complaints(place, month, rng))
            ]
            tickets += [rng.choice(OTHERS) for _ in range(rng.randint(0, 1))]
            for kind, category, template in tickets:
                serial += 1
                at = dt.datetime.combine(month + dt.timedelta(days=rng.randrange(days)), dt.time(8, 0))
                at += dt.timedelta(minutes=rng.randrange(12 * 60))
                area = rng.choice([place, f"金安区望城街道{place}", f"望城街道{place}"])
                text = template.format(estate=estate, building=rng.randint(1, 18), days=rng.randint(2, 9))
                rows.append(
                    [
                        f"12345-{at:%Y%m%d}-{serial:05d}",
                        f"{at:%Y-%m-%d %H:%M}",
                        area,
                        kind,
                        category,
                        text,
                        rng.choice(RATINGS),
                    ]
                )
    rows.sort(key=lambda row: row[1])
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工单编号", "来电时间", "区域", "工单类型", "问题分类", "诉求内容", "满意度"])
        writer.writerows(rows)
    print(f"{len(rows)} tickets written to {OUT}")


if __name__ == "__main__":
    main()
