from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from xinfang.accounts import scoping

from .errors import COMMON_ERRORS

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    unit_id: int
    unit_name: str
    role: str
    role_label: str
    jurisdiction_unit_id: int


class MeOut(Schema):
    username: str
    full_name: str
    memberships: list[MembershipOut]


@router.get("/me", response={200: MeOut, **COMMON_ERRORS})
def me(request: HttpRequest) -> MeOut:
    user = request.user
    memberships = [
        MembershipOut(
            unit_id=m.unit_id,
            unit_name=m.unit.name,
            role=m.role,
            role_label=str(m.get_role_display()),
            jurisdiction_unit_id=scoping.jurisdiction_root(m).pk,
        )
        for m in scoping.active_memberships(user)
    ]
    return MeOut(
        username=user.get_username(), full_name=getattr(user, "full_name", ""), memberships=memberships
    )
