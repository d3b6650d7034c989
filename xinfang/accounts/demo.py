"""Demo logins, one per role, placed in the demo jurisdiction. All names are fictitious."""

from __future__ import annotations

from xinfang.orgs.models import Unit

from .models import Membership, Role, User

DEMO_PASSWORD = "Xinfang-2026"  # noqa: S105 - published demo credential, printed by `make demo`

# (username, full name, unit code, role, title)
DEMO_USERS = [
    ("cadre", "张村书记", "ah-la-yj-pg-hp", Role.VILLAGE_CADRE, "村党总支书记、村委会主任"),
    ("town", "王街道信访专干", "ah-la-ja-wc", Role.TOWN_OFFICER, "街道信访办主任"),
    ("town2", "刘街道信访专干", "ah-la-yj-pg", Role.TOWN_OFFICER, "街道信访办主任"),
    ("county", "李区信访局干部", "ah-la-ja-xfj", Role.COUNTY_OFFICER, "办信科科长"),
    ("handler", "赵人社局经办人", "ah-la-ja-rsj", Role.DEPARTMENT_HANDLER, "劳动保障监察大队"),
    ("leader", "陈区领导", "ah-la-ja", Role.LEADER, "区委副书记"),
    ("inspector", "孙纪检干部", "ah-la-ja-jw", Role.DISCIPLINE_INSPECTOR, "信访室主任"),
    ("admin", "系统管理员", "ah", Role.SYSTEM_ADMIN, "系统管理员"),
]
# Further staff so that every demo county can work its own cases; same password.
EXTRA_DEMO_USERS = [
    ("county_yj", "周叶集区信访局干部", "ah-la-yj-xfj", Role.COUNTY_OFFICER, "办信科科长"),
    ("handler_yj", "吴叶集区人社局经办人", "ah-la-yj-rsj", Role.DEPARTMENT_HANDLER, "劳动保障监察大队"),
    ("county_cf", "郑长丰县信访局干部", "ah-hf-cf-xfj", Role.COUNTY_OFFICER, "办信科科长"),
    ("handler_cf", "冯长丰县水利局经办人", "ah-hf-cf-slj", Role.DEPARTMENT_HANDLER, "农田水利股"),
    ("town_ym", "何杨庙镇信访专干", "ah-hf-cf-ym", Role.TOWN_OFFICER, "镇信访办主任"),
    ("county_yh", "许瑶海区信访局干部", "ah-hf-yh-xfj", Role.COUNTY_OFFICER, "办信科科长"),
    ("town_hpl", "曹和平路街道信访专干", "ah-hf-yh-hpl", Role.TOWN_OFFICER, "街道信访办主任"),
    ("handler2", "钱金安区住建局经办人", "ah-la-ja-zjj", Role.DEPARTMENT_HANDLER, "物业管理科"),
    ("leader_city", "林六安市领导", "ah-la", Role.LEADER, "市委副书记"),
    ("city", "罗六安市信访局干部", "ah-la-xfj", Role.COUNTY_OFFICER, "来访接待科"),
    ("province", "谢省信访局干部", "ah-xfj", Role.COUNTY_OFFICER, "来访接待处"),
]


def ensure_demo_user(username: str, full_name: str, unit_code: str, role: str, title: str) -> User:
    """One demo login with its seat; other apps' demo data add their own staff through this."""
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        if role == Role.SYSTEM_ADMIN:
            user.is_staff = True
            user.is_superuser = True
        user.save()
    unit = Unit.objects.get(code=unit_code)
    Membership.objects.get_or_create(user=user, unit=unit, role=role, defaults={"title": title})
    return user


def build_demo_users() -> list[User]:
    return [ensure_demo_user(*row) for row in DEMO_USERS + EXTRA_DEMO_USERS]


def demo_logins_text() -> str:
    lines = [
        f"  {u:<10} {DEMO_PASSWORD}   {name} · {Role(role).label} · {code}"
        for u, name, code, role, _t in DEMO_USERS
    ]
    return "\n".join(lines)
