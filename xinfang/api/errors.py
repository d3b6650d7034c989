"""Error responses shared by every router: one JSON shape, translated messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.core.errors import ConflictError, DomainError

from .schemas import ErrorOut

# What every operation may answer besides success; declared so the OpenAPI document is complete.
COMMON_ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**COMMON_ERRORS, 400: ErrorOut, 409: ErrorOut}


def install_error_handlers(api: NinjaAPI) -> None:
    def reply(request: HttpRequest, status: int, detail: str, code: str) -> HttpResponse:
        return api.create_response(request, {"detail": detail, "code": code}, status=status)

    @api.exception_handler(OutOfJurisdiction)
    def out_of_jurisdiction(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Answer as if the object did not exist: its existence is itself information.
        return reply(request, 404, _("Not found."), "not_found")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return reply(request, 404, _("Not found."), "not_found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return reply(request, 403, str(exc) or _("You may not do this."), "forbidden")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return reply(request, 401, _("Authentication required."), "unauthenticated")

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
        return reply(request, 409, str(exc), "conflict")

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        return reply(request, 400, str(exc), getattr(exc, "code", "invalid"))

    @api.exception_handler(ValidationError)
    def django_validation(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        return reply(request, 400, "; ".join(exc.messages), "invalid")

    @api.exception_handler(NinjaValidationError)
    def schema_validation(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        parts = []
        for error in exc.errors:
            location = ".".join(str(p) for p in error.get("loc", ()))
            parts.append(f"{location}: {error.get('msg', '')}")
        return reply(
            request, 422, _("Invalid input: %(errors)s") % {"errors": "; ".join(parts)}, "invalid_input"
        )
