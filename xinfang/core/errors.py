"""Domain errors: raised by services, rendered as translated messages by views and the API."""

from __future__ import annotations


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
