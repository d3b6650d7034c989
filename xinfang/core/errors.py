"""Domain errors: raised by services, rendered as translated messages by views and the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A request that the rules refuse. The message is already translated for the user."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class ConflictError(DomainError):
    """Someone else changed the record first; the user should reload and try again."""

    code = "conflict"


def check_version(record: Any, expected_version: int | None) -> None:
    """Refuse a form sent against an older ``version`` of ``record`` than the one now stored."""
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this record a moment ago. "
                "Reload the page to see the change, then try again."
            )
        )
