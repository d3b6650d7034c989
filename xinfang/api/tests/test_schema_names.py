"""Every schema class of the API has its own name: the OpenAPI document keys components by class name, so
two classes of one name in different routers would silently describe one with the other's fields."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import xinfang.api


def test_no_two_api_schema_classes_share_a_name() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.iter_modules(xinfang.api.__path__, "xinfang.api."):
        if info.name.endswith(".tests"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj.__module__ == module.__name__:
                owners[name].add(module.__name__)
    shared = {name: sorted(modules) for name, modules in owners.items() if len(modules) > 1}
    assert not shared, shared
