"""Every schema of the API has its own name: django-ninja files schemas under their class name, so two
routers' classes of one name would share one OpenAPI component and one of them would be documented wrong."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import xinfang.api.urls  # noqa: F401  (imports every router and its schemas)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("xinfang."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not shared, f"schemas sharing a component name: {shared}"
