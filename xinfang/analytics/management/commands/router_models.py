"""``manage.py router_models [--activate N]``: list the stored routing models, choose the active one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.analytics import store


class Command(BaseCommand):
    help = "List the routing model versions (version, date, source, rows, macro-F1) or activate one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activate", type=int, metavar="VERSION")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("activate") is not None:
            try:
                chosen = store.activate(options["activate"])
            except LookupError as exc:
                raise CommandError(f"No routing model version {options['activate']}.") from exc
            self.stdout.write(self.style.SUCCESS(f"Routing model version {chosen.version} is now active."))
        active = store.active_version()
        found = store.versions()
        if not found:
            self.stdout.write(f"No routing model in {store.model_dir()}.")
        for version in found:
            meta = version.meta
            mark = "*" if active and active.version == version.version else " "
            f1 = meta.get("scores", {}).get("macro_f1", "—")
            self.stdout.write(
                f"{mark} {version.version:>4}  {meta.get('trained_at', '')}  {meta.get('source', '')}  "
                f"rows {meta.get('rows', '')}  macro-F1 {f1}  data {str(meta.get('data_hash', ''))[:12]}"
            )
