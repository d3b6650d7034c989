"""Remind referring units of mediators late for their first contact. Safe to run from cron, repeatedly and
in parallel: each late referral is reminded once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinfang.community.services import mediation_remind_overdue


class Command(BaseCommand):
    help = "Remind units of mediation referrals whose first contact is past its deadline (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = mediation_remind_overdue()
        self.stdout.write(f"{sent} reminder(s) sent.")
