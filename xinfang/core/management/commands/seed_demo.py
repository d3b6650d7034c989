"""Load the demo jurisdiction, staff and (when the apps exist) petitions. Idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from xinfang.accounts.demo import DEMO_USERS, build_demo_users
from xinfang.agency.demo import build_demo_agency
from xinfang.analytics.demo import build_demo_analytics
from xinfang.assessment.demo import build_demo_assessment
from xinfang.community.demo import build_demo_community
from xinfang.conferences.demo import build_demo_conferences
from xinfang.orgs.demo import build_demo_tree
from xinfang.orgs.models import Unit
from xinfang.petitions.demo import build_demo_petitions
from xinfang.petitions.models import Petition
from xinfang.petitions.taxonomy import load_default_taxonomy, load_taxonomy_rows, read_rows
from xinfang.stations.demo import build_demo_stations

# The full three-level taxonomy of the shared test data, used when a checkout has it beside it.
SHARED_TAXONOMY = (
    Path(__file__).resolve().parents[4].parent / "shared" / "data" / "tipdm2020c" / "taxonomy.csv"
)


class Command(BaseCommand):
    help = "Load the demo jurisdiction (安徽省 places of the article), one login per role, and demo cases."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            build_demo_tree()
            build_demo_users()
            load_default_taxonomy()
            if SHARED_TAXONOMY.exists():
                load_taxonomy_rows(read_rows(SHARED_TAXONOMY))
        with transaction.atomic():
            build_demo_petitions()
        with transaction.atomic():
            build_demo_stations()
        with transaction.atomic():
            build_demo_agency()
        with transaction.atomic():
            build_demo_community()
        with transaction.atomic():
            build_demo_conferences()
        with transaction.atomic():
            # After every other builder: the schemes and reviews are computed over all the demo petitions.
            build_demo_assessment()
        with transaction.atomic():
            # Last: the text index and the routing model learn from every demo petition above.
            build_demo_analytics()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Unit.objects.count()} units, {len(DEMO_USERS)} demo logins, "
                f"{Petition.objects.count()} petitions."
            )
        )
