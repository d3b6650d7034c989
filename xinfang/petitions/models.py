"""Petitioners, petition matters and everything recorded about them.

Nothing here is ever deleted: corrections are new events (domain.md §3.2, design.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.core.fields import EncryptedTextField
from xinfang.orgs.models import Unit

from .states import (
    Channel,
    Decision,
    DeliveryMethod,
    NoticeExemption,
    PartyRole,
    PetitionType,
    Procedure,
    Rating,
    State,
)


class AppendOnlyError(RuntimeError):
    pass


class Category(models.Model):
    """A content category of the configurable three-level taxonomy (内容分类)."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    # The function key of the department in charge (matches Unit.function), e.g. "rsj" for 人社.
    function = models.CharField(_("department function"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="petitions_category_unique_name")
        ]
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.path_name()

    def path_name(self) -> str:
        names = [self.name]
        node = self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))

    def top(self) -> Category:
        node = self
        while node.parent is not None:
            node = node.parent
        return node


class PetitionerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Petitioner(models.Model):
    """A citizen, legal person or organisation who petitions (信访人). Personal data is encrypted."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=PetitionerKind.choices, default=PetitionerKind.PERSON
    )
    name = models.CharField(_("name"), max_length=100)
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    id_number_hash = models.CharField(
        _("ID number match key"), max_length=64, blank=True, db_index=True, editable=False
    )
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_hash = models.CharField(
        _("phone match key"), max_length=64, blank=True, db_index=True, editable=False
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    home_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place of residence"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")

    def __str__(self) -> str:
        return self.name


class Petition(models.Model):
    """A petition matter (信访事项): the case unit of the system."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    query_code = models.CharField(_("query code"), max_length=16, unique=True)
    state = models.CharField(
        _("state"), max_length=32, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    petition_type = models.CharField(_("type"), max_length=20, choices=PetitionType.choices, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("category"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    request = models.TextField(_("request"))  # 诉求
    facts = models.TextField(_("facts and reasons"), blank=True)  # 事实和理由
    place = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="petitions_about", verbose_name=_("place of the problem")
    )

    principal = models.ForeignKey(
        Petitioner, on_delete=models.PROTECT, related_name="petitions", verbose_name=_("petitioner")
    )
    agent = models.ForeignKey(
        Petitioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_petitions",
        verbose_name=_("agent"),
    )
    people_count = models.PositiveIntegerField(_("people involved"), default=1)
    representative_count = models.PositiveIntegerField(_("representatives at a visit"), default=0)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)

    # Accusations (检举控告) are never visible to the accused unit or person.
    accused_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accused unit"),
    )
    accused_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accused staff member"),
    )
    accused_description = models.CharField(_("accused person or body"), max_length=200, blank=True)

    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registering_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="petitions_registered",
        verbose_name=_("registering unit"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    current_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="petitions_current", verbose_name=_("current unit")
    )
    handling_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions_handled",
        verbose_name=_("handling unit"),
    )
    first_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first handler"),
    )

    # Milestones
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    notice_sent_on = models.DateField(_("acceptance notice sent on"), null=True, blank=True)
    notice_exemption = models.CharField(
        _("notice exemption"), max_length=20, choices=NoticeExemption.choices, blank=True
    )
    replied_on = models.DateField(_("reply received on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    diverted_procedure = models.CharField(
        _("procedure to use instead"), max_length=20, choices=Procedure.choices, blank=True
    )

    # Flags (domain.md §4); set by detection and confirmed by staff through Suggestion rows.
    is_first_time = models.BooleanField(_("first-time petition"), default=True)
    is_repeat = models.BooleanField(_("repeat petition"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat of"),
    )
    is_bypass = models.BooleanField(_("bypass petition"), default=False)
    bypass_destination_level = models.PositiveSmallIntegerField(
        _("bypass destination level"), null=True, blank=True
    )
    is_collective = models.BooleanField(_("collective"), default=False)
    is_threat = models.BooleanField(_("threat of extreme action"), default=False)
    is_urgent_major = models.BooleanField(_("major or urgent"), default=False)
    is_law_related = models.BooleanField(_("law-related"), default=False)
    is_supervised = models.BooleanField(_("under supervision"), default=False)
    final_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matches final matter"),
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [
            models.Index(fields=["state", "current_unit"], name="petitions_state_unit"),
            models.Index(fields=["received_at"], name="petitions_received_at"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        from .states import OPEN_STATES

        return self.state in OPEN_STATES


class PetitionParty(models.Model):
    """Everyone on a petition: principal, co-petitioners, visit representatives, agent."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="parties", verbose_name=_("petition")
    )
    petitioner = models.ForeignKey(
        Petitioner, on_delete=models.PROTECT, related_name="parties", verbose_name=_("petitioner")
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["petition", "petitioner", "role"], name="petitions_party_unique")
        ]

    def __str__(self) -> str:
        return f"{self.petitioner_id} · {self.get_role_display()}"


class LinkRole(models.TextChoices):
    REGISTERED = "registered", _("Registered it")
    PLACE = "place", _("Place of the problem")
    FORWARDED_TO = "forwarded_to", _("Forwarded to")
    HANDLER = "handler", _("Handling unit")
    REVIEWER = "reviewer", _("Reviewing unit")
    DISCIPLINE = "discipline", _("Discipline inspection")
    SUPERVISOR = "supervisor", _("Supervising unit")
    SUPERVISED = "supervised", _("Supervised unit")
    CONFERENCE = "conference", _("Unit under a joint conference decision")


class PetitionUnit(models.Model):
    """Every unit that has had a hand in a petition. Jurisdiction over petitions reads this table.

    ``unit_path`` copies the unit's materialised path so that scoping is one indexed prefix scan.
    """

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="unit_links", verbose_name=_("petition")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255)
    role = models.CharField(max_length=20, choices=LinkRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("petition unit link")
        verbose_name_plural = _("petition unit links")
        constraints = [
            models.UniqueConstraint(fields=["petition", "unit", "role"], name="petitions_unit_link_unique")
        ]
        indexes = [
            models.Index(fields=["unit_path"], name="petitions_link_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.unit_id} · {self.role}"


class PetitionEvent(models.Model):
    """The append-only timeline: who did what, when, from which state to which, and why."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="events", verbose_name=_("petition")
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from state"), max_length=32, choices=State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor unit")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["petition", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "sequence"], name="petitions_event_unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} #{self.sequence} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Petition events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Petition events are never deleted.")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"petitions/{instance.petition_id}/{instance.sha256[:16]}-{filename[-80:]}"


class Attachment(models.Model):
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("petition")
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    MET = "met", _("Met")
    MISSED = "missed", _("Met late")
    CANCELLED = "cancelled", _("Stopped")


class Clock(models.Model):
    """A statutory or administrative deadline of one petition, stored as a due date."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="clocks", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=40)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ClockStatus.choices, default=ClockStatus.RUNNING
    )
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("extended by days"), default=0)
    excluded_days = models.PositiveSmallIntegerField(_("excluded days"), default=0)
    warned_at = models.DateTimeField(_("warning raised at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("overdue raised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        indexes = [
            models.Index(fields=["status", "due_on"], name="petitions_clock_due"),
            # One petition's running clocks by due date: the list's "next deadline" and the queues seek here
            # instead of walking every running clock (SQLite's planner otherwise picks the index above).
            models.Index(fields=["petition", "status", "due_on"], name="petitions_clock_petition_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.due_on}"


class Reminder(models.Model):
    """A message to a unit's queue: a clock approaching or past due, a supervision, an urgent report."""

    class Kind(models.TextChoices):
        APPROACHING = "approaching", _("Deadline approaching")
        OVERDUE = "overdue", _("Deadline passed")
        URGENT = "urgent", _("Urgent report")
        THREAT = "threat", _("Threat of extreme action")
        SUPERVISION = "supervision", _("Supervision")
        CONFERENCE = "conference", _("Joint conference")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reminders")
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("petition")
    )
    clock = models.ForeignKey(
        Clock, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind"], name="petitions_reminder_once_per_clock_kind")
        ]

    def __str__(self) -> str:
        return self.message


class Extension(models.Model):
    """The one extension of handling (Art. 34): at most 30 days, approved by the unit head, reason told."""

    petition = models.OneToOneField(
        Petition, on_delete=models.PROTECT, related_name="extension", verbose_name=_("petition")
    )
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    notice_sent_on = models.DateField(_("petitioner told on"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"+{self.days}"


class Opinion(models.Model):
    """信访处理意见书 (Art. 32): request, facts, reasons, decision, legal basis."""

    class Stage(models.TextChoices):
        HANDLING = "handling", _("Handling opinion")
        REVIEW = "review", _("Review opinion")
        RE_REVIEW = "re_review", _("Re-review opinion")

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("petition")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing unit"))
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    facts_found = models.TextField(_("facts found"))
    reasons = models.TextField(_("reasons"))
    legal_basis = models.TextField(_("legal basis"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivery_method = models.CharField(
        _("delivery method"), max_length=20, choices=DeliveryMethod.choices, blank=True
    )

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.get_decision_display()}"


class Appeal(models.Model):
    """复查 (review) or 复核 (re-review): one level above the previous decider (Art. 35-36)."""

    class Level(models.TextChoices):
        REVIEW = "review", _("Review")
        RE_REVIEW = "re_review", _("Re-review")

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("petition")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    requested_on = models.DateField(_("requested on"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("deciding unit")
    )
    grounds = models.TextField(_("grounds"))
    hearing_days = models.PositiveSmallIntegerField(_("hearing days"), default=0)
    opinion = models.OneToOneField(
        Opinion, on_delete=models.PROTECT, null=True, blank=True, related_name="appeal"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "level"], name="petitions_one_appeal_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.requested_on}"


class Evaluation(models.Model):
    """满意度评价 by the petitioner (never by an agent on their behalf)."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("petition")
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    via_portal = models.BooleanField(_("through the portal"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return str(self.get_rating_display())


class Suggestion(models.Model):
    """A detection result staff must confirm or dismiss: repeat, bypass, finality match, urgent, threat."""

    class Kind(models.TextChoices):
        REPEAT = "repeat", _("Repeat petition")
        BYPASS = "bypass", _("Bypass petition")
        FINAL_MATCH = "final_match", _("Matches a final matter")
        OPEN_BELOW = "open_below", _("Already in handling below")
        COLLECTIVE = "collective", _("More than five representatives")
        THREAT = "threat", _("Threat words")
        URGENT = "urgent", _("Major or urgent")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    candidate = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("earlier petition"),
    )
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("detection suggestion")
        verbose_name_plural = _("detection suggestions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_status_display()}"


class FollowUpTask(models.Model):
    """Tasks the lifecycle opens: execute an opinion, guide after non-support, re-handle, follow up."""

    class Kind(models.TextChoices):
        EXECUTION = "execution", _("Supervise execution of the opinion")
        GUIDANCE = "guidance", _("Guidance after non-support")
        REHANDLING_CHECK = "rehandling_check", _("Check after a dissatisfied rating")
        POST_FINAL = "post_final", _("Follow-up after finality")
        CONTACT = "contact", _("First contact with the petitioner")

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class LeaderCase(models.Model):
    """包案: a leader personally owns a prominent matter (Art. 18 ¶2)."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="leader_cases", verbose_name=_("petition")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leader_cases"
    )
    plan = models.TextField(_("plan"))
    target_on = models.DateField(_("target date"))
    progress = models.TextField(_("progress"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("leader case ownership")
        verbose_name_plural = _("leader case ownerships")

    def __str__(self) -> str:
        return f"{self.leader} · {self.target_on}"


class Supervision(models.Model):
    """督办 / 挂牌督办 / 催办 by a petition department or a conference (Art. 39-40)."""

    class Kind(models.TextChoices):
        CHASE = "chase", _("Chase")  # 催办
        SUPERVISE = "supervise", _("Supervision")  # 督办
        LISTED = "listed", _("Listed supervision")  # 挂牌督办

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="supervisions", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("by unit"))
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit"))
    reason = models.TextField(_("reason"))
    due_on = models.DateField(_("reply due on"))
    reply = models.TextField(_("written reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.due_on}"


class NumberSequence(models.Model):
    """Per-unit, per-year counter for petition numbers; incremented under a row lock."""

    scope = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="petitions_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.scope}-{self.year}: {self.last}"
