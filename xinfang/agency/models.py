"""Petition agency (信访代理): certified agents, the principals' mandates, agent tasks, claims and payments.

"群众动嘴、干部跑腿": a village cadre or community worker, certified as an agent, takes a written mandate
(代理委托书) from a petitioner, files and follows the matter for them, lists each claim (e.g. unpaid
wages) and records what was recovered. Nothing here is deleted: a revocation, a finished task or a
corrected payment is a new value or a new row, and every step on a petition is on its timeline.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition, Petitioner


class AgentKind(models.TextChoices):
    VILLAGE_CADRE = "village_cadre", _("Village or community cadre")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")


class AgentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Agent(models.Model):
    """A certified petition agent (信访代理员) serving one unit (their jurisdiction).

    ``person`` is the agent as a party of the petitions they file (``Petition.agent``), so that repeat
    detection compares the agent as well as the principal. ``user`` is their login, if they have one;
    a community worker without one has their filings recorded by petition staff.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agent",
        verbose_name=_("login"),
    )
    person = models.OneToOneField(
        Petitioner, on_delete=models.PROTECT, related_name="agent_record", verbose_name=_("agent as a party")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="agents", verbose_name=_("unit served")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgentKind.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=40, unique=True)
    certified_on = models.DateField(_("certified on"))
    certified_by = models.CharField(_("certificate issued by"), max_length=100)
    status = models.CharField(
        _("status"), max_length=20, choices=AgentStatus.choices, default=AgentStatus.ACTIVE
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["unit__path", "person__name"]

    def __str__(self) -> str:
        return self.person.name

    @property
    def is_active(self) -> bool:
        return self.status == AgentStatus.ACTIVE


class AgentStatusChange(models.Model):
    """A suspension or reinstatement of an agent, with its reason (the history of ``Agent.status``)."""

    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("agent")
    )
    status = models.CharField(_("status"), max_length=20, choices=AgentStatus.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("agent status change")
        verbose_name_plural = _("agent status changes")
        ordering = ["agent", "changed_at"]

    def __str__(self) -> str:
        return f"{self.agent} → {self.get_status_display()}"


def mandate_form_path(instance: AgencyMandate, filename: str) -> str:
    return f"agency/mandates/{instance.form_sha256[:16]}-{filename[-80:]}"


class AgencyMandate(models.Model):
    """A principal's written mandate (代理委托书) for an agent: scope, period, the signed form, revocation.

    A mandate can be used only on a day within [starts_on, ends_on] and before its revocation.
    ``covers_appeals`` is the explicit clause that lets the agent request 复查/复核 for the principal;
    rating the handling stays the principal's own act whatever the mandate says (domain.md §9 item 9).
    """

    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("agent")
    )
    principal = models.ForeignKey(
        Petitioner, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("principal")
    )
    scope = models.TextField(_("scope"))
    covers_appeals = models.BooleanField(
        _("may request review and re-review"),
        default=False,
        help_text=_("The signed form expressly lets the agent request 复查/复核 for the principal."),
    )
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"))
    form = models.FileField(_("signed entrustment form"), upload_to=mandate_form_path)
    form_name = models.CharField(_("file name"), max_length=200)
    form_content_type = models.CharField(_("content type"), max_length=100)
    form_size = models.PositiveIntegerField(_("size"))
    form_sha256 = models.CharField(_("SHA-256"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    revoked_on = models.DateField(_("revoked by the principal on"), null=True, blank=True)
    revocation_note = models.TextField(_("revocation note"), blank=True)
    revocation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revocation recorded by"),
    )
    revocation_recorded_at = models.DateTimeField(_("revocation recorded at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("agency mandate")
        verbose_name_plural = _("agency mandates")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="agency_mandate_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.agent}"

    def in_force_on(self, day: dt.date) -> bool:
        if self.revoked_on is not None and self.revoked_on <= day:
            return False
        return self.starts_on <= day <= self.ends_on


class MandateUse(models.Model):
    """A mandate used on a petition: filed under it, or a review requested under it."""

    class Purpose(models.TextChoices):
        FILING = "filing", _("Filed on behalf")
        REVIEW = "review", _("Review requested")
        RE_REVIEW = "re_review", _("Re-review requested")

    mandate = models.ForeignKey(
        AgencyMandate, on_delete=models.PROTECT, related_name="uses", verbose_name=_("mandate")
    )
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="mandate_uses", verbose_name=_("petition")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("used by")
    )
    used_at = models.DateTimeField(_("used at"), default=timezone.now)

    class Meta:
        verbose_name = _("mandate use")
        verbose_name_plural = _("mandate uses")
        constraints = [
            models.UniqueConstraint(
                fields=["mandate", "petition", "purpose"], name="agency_mandate_use_once_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id} · {self.petition_id} · {self.purpose}"


class TaskKind(models.TextChoices):
    PREPARE = "prepare", _("Prepare the materials")
    LEAD_DEPARTMENT = "lead_department", _("Identify the lead department")
    ACCOMPANY = "accompany", _("Accompany the petitioner to the department")  # 陪访
    REPRESENT = "represent", _("Represent the petitioner at the department")  # 代访
    CHASE = "chase", _("Chase the department")
    RELAY_REPLY = "relay_reply", _("Relay the reply to the petitioner")


class AgentTask(models.Model):
    """A piece of the agent's legwork on a petition, with a due date; done once, never reopened."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="agent_tasks", verbose_name=_("petition")
    )
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("agent"))
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    due_on = models.DateField(_("due on"))
    department = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    outcome = models.TextField(_("outcome"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("agent task")
        verbose_name_plural = _("agent tasks")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["agent", "done_at", "due_on"], name="agency_task_open_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.due_on}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())


class ClaimKind(models.TextChoices):
    UNPAID_WAGES = "unpaid_wages", _("Unpaid wages")
    LABOUR_FEES = "labour_fees", _("Labour fees")
    LAND_LEASE = "land_lease", _("Land lease fees")
    LAND_TRANSFER = "land_transfer", _("Land transfer fees")
    COMPENSATION = "compensation", _("Compensation")
    OTHER = "other", _("Other money owed")


class PaidStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PART_PAID = "part_paid", _("Partly paid")
    PAID = "paid", _("Paid in full")


class Claim(models.Model):
    """One claimant's money claim on a (possibly collective) matter: kind, amount claimed, who owes it."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="claims", verbose_name=_("petition")
    )
    claimant = models.ForeignKey(
        Petitioner, on_delete=models.PROTECT, related_name="claims", verbose_name=_("claimant")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ClaimKind.choices)
    amount_claimed = models.DecimalField(_("amount claimed (yuan)"), max_digits=12, decimal_places=2)
    debtor = models.CharField(_("owed by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["petition", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_claimed__gt=0), name="agency_claim_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["petition", "claimant", "kind"], name="agency_claim_one_per_claimant_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claimant} · {self.get_kind_display()} · {self.amount_claimed}"


class ClaimPayment(models.Model):
    """Money recovered for a claim on a date. Never edited: a mistake is reversed by a new row that
    ``corrects`` it with the opposite amount."""

    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="payments", verbose_name=_("claim")
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects payment"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment recovered")
        verbose_name_plural = _("payments recovered")
        ordering = ["claim", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=Decimal("0")), name="agency_payment_not_zero"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) | models.Q(corrects__isnull=False),
                name="agency_payment_negative_only_as_correction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} · {self.amount} · {self.paid_on}"
