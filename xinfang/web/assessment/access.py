"""The gate of the assessment pages: leaders, petition offices and discipline inspection (403 for others)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from xinfang.assessment.permissions import may_use_assessment

View = Callable[..., HttpResponseBase]


def assessment_users_only(view: View) -> View:
    """Refuse with 403 a logged-in user who may not use assessment; an anonymous one goes on to the login."""

    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not may_use_assessment(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return gated
