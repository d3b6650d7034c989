from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """Every error the API returns has this shape; ``detail`` is translated to the request language."""

    detail: str
    code: str = "error"
