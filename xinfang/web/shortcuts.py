"""Small helpers shared by the agency and community pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User

T = TypeVar("T")


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff user of a view behind ``login_required``."""
    user = request.user
    assert isinstance(user, User)
    return user


def or_404(call: Callable[..., T], *args: Any) -> T:
    """Run a selector; something outside the user's reach answers 404 like a missing record."""
    try:
        return call(*args)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


def no_store(response: HttpResponse) -> HttpResponse:
    """Pages with personal data are not kept in shared browser caches."""
    response["Cache-Control"] = "no-store"
    return response
