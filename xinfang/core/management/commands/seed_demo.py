"""Load the demo jurisdiction, staff and (when the apps exist) petitions. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from xinfang.accounts.demo import DEMO_USERS, build_demo_users
from xinfang.orgs.demo import build_demo_tree
from xinfang.orgs.models import Unit


class Command(BaseCommand):
    help = "Load the demo jurisdiction (安徽省 places of the article), one login per role, and demo cases."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            build_demo_tree()
            build_demo_users()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {Unit.objects.count()} units, {len(DEMO_USERS)} demo logins.")
        )
