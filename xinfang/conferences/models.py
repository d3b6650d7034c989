"""Joint conferences on petition work (信访工作联席会议, Art. 11-13, 24, 39; domain.md §7.3).

A conference sits at one level of the administrative tree (town/street, county/district, city,
province). Its convenors (召集人, leaders) and secretariat (联席会议办公室 staff) are named per
conference; its member units (成员单位) are departments, the petition office, discipline inspection,
the judicial office, the police station and village heads. Agenda items (议题) come from petitions a
unit cannot solve alone, from groups of petitions on one matter and from competence disputes between
units (Art. 24, kept as a ``Dispute``); a meeting (会议) discusses them; its minutes (会议纪要) record a
decision (议定事项) per item, which binds once the convenor approves the minutes and is then tracked on
the workbenches of its lead and cooperating units until it is done. What a level cannot solve is
escalated (上报) to the next conference up, whose decision flows back and binds the lower item. The
conference may take the Art. 39 measures 约谈, 通报 and 挂牌督办 against a unit (``SupervisionMeasure``).

Nothing here is deleted: a member leaving, a participant stepping down or a key period ending early
is a date on the row; corrections are new rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Unit, UnitKind
from xinfang.petitions.models import Petition

# Levels at which a conference may sit (a village has none: it brings its matters to the town).
CONFERENCE_LEVEL_KINDS = (UnitKind.TOWN, UnitKind.COUNTY, UnitKind.CITY, UnitKind.PROVINCE)


class ConferenceForm(models.TextChoices):
    """Art. 13 ¶2 (domain.md §9 item 8): a town may use its Party-government joint meeting instead."""

    CONFERENCE = "conference", _("Joint conference on petition work")  # 信访工作联席会议
    PARTY_GOVERNMENT = "party_government", _("Party-government joint meeting")  # 党政联席会议


class JointConference(models.Model):
    """信访工作联席会议 of one area, with its meeting rule and escalation time limit."""

    name = models.CharField(_("name"), max_length=120)
    area = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("area")
    )
    form = models.CharField(
        _("form"), max_length=20, choices=ConferenceForm.choices, default=ConferenceForm.CONFERENCE
    )
    office_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conference office"),
        help_text=_("The unit that runs the secretariat, usually the petition office."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The meeting rule: a working meeting every month on this day; weekly on this weekday in a key period.
    monthly_day = models.PositiveSmallIntegerField(_("monthly working meeting on day"), default=15)
    weekly_weekday = models.PositiveSmallIntegerField(
        _("weekly meeting in key periods on weekday"),
        default=0,
        help_text=_("0 = Monday … 6 = Sunday."),
    )
    meeting_time = models.TimeField(_("usual meeting time"), default=dt.time(9, 0))
    default_place = models.CharField(_("usual meeting place"), max_length=120, blank=True)
    notice_lead_days = models.PositiveSmallIntegerField(_("notice lead time (working days)"), default=3)
    escalation_days = models.PositiveSmallIntegerField(
        _("days for the upper conference to decide an escalated item"), default=30
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("joint conference")
        verbose_name_plural = _("joint conferences")
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(is_active=True),
                name="conferences_one_active_per_area",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_day__gte=1, monthly_day__lte=28),
                name="conferences_monthly_day_1_28",
            ),
            models.CheckConstraint(condition=models.Q(weekly_weekday__lte=6), name="conferences_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return self.name


class KeyPeriod(models.Model):
    """A key period (重点时期, e.g. around major meetings) a leader switched on: weekly meetings."""

    conference = models.ForeignKey(
        JointConference,
        on_delete=models.PROTECT,
        related_name="key_periods",
        verbose_name=_("conference"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.CharField(_("reason"), max_length=200)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("switched on by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_early_on = models.DateField(_("switched off on"), null=True, blank=True)

    class Meta:
        verbose_name = _("key period")
        verbose_name_plural = _("key periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="conferences_key_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"

    @property
    def last_day(self) -> dt.date:
        return self.ended_early_on if self.ended_early_on is not None else self.ends_on


class ParticipantRole(models.TextChoices):
    CONVENOR = "convenor", _("Convenor")  # 召集人
    SECRETARIAT = "secretariat", _("Secretariat")  # 联席会议办公室 / 秘书组


class Participant(models.Model):
    """A person named to a conference: a convenor (a leader) or a member of its secretariat."""

    conference = models.ForeignKey(
        JointConference,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("conference"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="conference_seats",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    title = models.CharField(_("post title"), max_length=60, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    ended_at = models.DateTimeField(_("stepped down at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conference participant")
        verbose_name_plural = _("conference participants")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "user", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="conferences_participant_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class Member(models.Model):
    """A member unit (成员单位) of a conference."""

    conference = models.ForeignKey(
        JointConference, on_delete=models.PROTECT, related_name="members", verbose_name=_("conference")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="conference_memberships", verbose_name=_("unit")
    )
    duty = models.CharField(_("duty in the conference"), max_length=120, blank=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "unit"],
                condition=models.Q(left_on__isnull=True),
                name="conferences_member_once",
            )
        ]

    def __str__(self) -> str:
        return str(self.unit)


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary meeting")  # 全体会议
    WORKING = "working", _("Working meeting")  # 工作会议


class MeetingOrigin(models.TextChoices):
    RULE = "rule", _("Scheduled by the meeting rule")
    AD_HOC = "ad_hoc", _("Ad hoc")  # 临时会议


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTIFIED = "notified", _("Members notified")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One meeting of a conference: scheduled by the rule or called ad hoc, notified, held, minuted."""

    conference = models.ForeignKey(
        JointConference, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("conference")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    origin = models.CharField(_("origin"), max_length=20, choices=MeetingOrigin.choices)
    # Which rule slot created it (M2026-12, W2026-49); the unique constraint keeps the scheduler idempotent.
    rule_slot = models.CharField(_("rule slot"), max_length=12, blank=True, editable=False)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    notice_on = models.DateField(_("notice due on"))
    notices_sent_at = models.DateTimeField(_("notices sent at"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chaired by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "rule_slot"],
                condition=~models.Q(rule_slot=""),
                name="conferences_meeting_one_per_slot",
            )
        ]
        indexes = [models.Index(fields=["status", "notice_on"], name="conferences_meeting_notice")]

    def __str__(self) -> str:
        return f"{self.conference} · {timezone.localtime(self.scheduled_at):%Y-%m-%d}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")  # 出席
    DEPUTY = "deputy", _("Represented by a deputy")  # 委托出席
    ABSENT = "absent", _("Absent")  # 缺席
    OBSERVER = "observer", _("Attending without vote")  # 列席


class Attendance(models.Model):
    """Who came for a member unit, or why nobody did (缺席原因)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("meeting")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    attendee = models.CharField(_("attendee"), max_length=80, blank=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="conferences_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_status_display()}"


class ItemSource(models.TextChoices):
    PETITION = "petition", _("A petition a unit cannot solve alone")
    COMMON_ISSUE = "common_issue", _("Several petitions on one matter")
    DISPUTE = "dispute", _("A dispute over which unit is competent (Art. 24)")
    ESCALATION = "escalation", _("Escalated from a lower conference")


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")  # 提交
    ACCEPTED = "accepted", _("Accepted on the agenda")  # 列入议题
    RETURNED = "returned", _("Returned to the proposer")  # 退回
    DECIDED = "decided", _("Decided")  # 已议定
    ESCALATED = "escalated", _("Escalated to the next level")  # 已上报
    DECIDED_ABOVE = "decided_above", _("Decided by the upper conference")  # 上级已议定
    DONE = "done", _("Decision carried out")  # 已落实


OPEN_ITEM_STATUSES = (ItemStatus.PROPOSED, ItemStatus.ACCEPTED)


class AgendaItem(models.Model):
    """议题: a matter brought to a conference, with the reasons a single unit cannot solve it."""

    conference = models.ForeignKey(
        JointConference, on_delete=models.PROTECT, related_name="items", verbose_name=_("conference")
    )
    title = models.CharField(_("title"), max_length=200)
    reasons = models.TextField(_("reasons"))
    source = models.CharField(_("source"), max_length=20, choices=ItemSource.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PROPOSED
    )
    proposing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposing unit")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    position = models.PositiveIntegerField(_("order on the agenda"), default=0)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("meeting"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted on the agenda at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    # An upper conference's decision that binds this item after an escalation.
    binding_decision = models.ForeignKey(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bound_items",
        verbose_name=_("binding decision of the upper conference"),
    )
    petitions: models.ManyToManyField[Petition, ItemPetition] = models.ManyToManyField(
        Petition, through="ItemPetition", related_name="conference_items", verbose_name=_("petitions")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ItemPetition(models.Model):
    """A petition an agenda item answers."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="petition_links", verbose_name=_("agenda item")
    )
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="conference_links", verbose_name=_("petition")
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("petition on an agenda item")
        verbose_name_plural = _("petitions on agenda items")
        constraints = [
            models.UniqueConstraint(fields=["item", "petition"], name="conferences_item_petition_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.petition_id}"


class Dispute(models.Model):
    """Art. 24 (domain.md §5 item 3): units disagree which of them is competent; the conference decides."""

    item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="dispute", verbose_name=_("agenda item")
    )
    candidates: models.ManyToManyField[Unit, Any] = models.ManyToManyField(
        Unit, related_name="+", verbose_name=_("units in dispute")
    )
    decided_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("competent unit decided"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("competence decided at"), null=True, blank=True)
    decision_text = models.TextField(_("decision of the conference"), blank=True)

    class Meta:
        verbose_name = _("competence dispute")
        verbose_name_plural = _("competence disputes")

    def __str__(self) -> str:
        return str(self.item)


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by the convenor")


class Minutes(models.Model):
    """会议纪要 of one meeting. Its decisions bind once the convenor approves it; then it is fixed."""

    conference = models.ForeignKey(
        JointConference, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("conference")
    )
    meeting = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("meeting")
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    summary = models.TextField(_("summary of the meeting"))
    distribution = models.CharField(_("distribution"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "year", "sequence"], name="conferences_minutes_number_once"
            )
        ]

    def __str__(self) -> str:
        return self.number or str(self.meeting)


class Funding(models.TextChoices):
    UNIT_BUDGET = "unit_budget", _("The lead unit's own budget")
    LIVELIHOOD_PROJECT = "livelihood_project", _("Livelihood project")  # 民生工程
    SPECIAL_FUND = "special_fund", _("Special fund")  # 专项资金
    NONE = "none", _("No funding needed")


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    BINDING = "binding", _("Binding, in progress")
    DONE = "done", _("Done")


class Decision(models.Model):
    """议定事项 on one agenda item: who leads, who cooperates, what is done, with what money, by when."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("minutes")
    )
    item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="decision", verbose_name=_("agenda item")
    )
    statement = models.TextField(_("decision of the conference"))
    measures = models.TextField(_("measures"))
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit")
    )
    cooperating_units: models.ManyToManyField[Unit, Any] = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("cooperating units")
    )
    funding = models.CharField(_("funding"), max_length=20, choices=Funding.choices)
    funding_reference = models.CharField(_("budget line or project"), max_length=200, blank=True)
    budget_amount = models.DecimalField(
        _("budget (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    bound_at = models.DateTimeField(_("binding since"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported done by"),
    )
    overdue_flagged_at = models.DateTimeField(_("overdue flagged at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("conference decision")
        verbose_name_plural = _("conference decisions")
        indexes = [models.Index(fields=["status", "due_on"], name="conferences_decision_due")]

    def __str__(self) -> str:
        return self.statement[:60]

    @property
    def is_overdue(self) -> bool:
        return self.status == DecisionStatus.BINDING and self.due_on < timezone.localdate()

    @property
    def on_time(self) -> bool | None:
        if self.done_on is None:
            return None
        return self.done_on <= self.due_on


class TaskRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")  # 牵头单位
    COOPERATING = "cooperating", _("Cooperating unit")  # 配合单位


class DecisionTask(models.Model):
    """A decision's task on one unit's workbench: the lead unit's or a cooperating unit's."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("conference decision")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="conference_tasks", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=TaskRole.choices)

    class Meta:
        verbose_name = _("decision task")
        verbose_name_plural = _("decision tasks")
        constraints = [
            models.UniqueConstraint(fields=["decision", "unit"], name="conferences_task_once_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()}"


class ProgressReport(models.Model):
    """A unit's report on carrying out a decision. Append-only."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="reports", verbose_name=_("conference decision")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    text = models.TextField(_("progress"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    is_completion = models.BooleanField(_("completion report"), default=False)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class EscalationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted to the upper conference")
    ACCEPTED = "accepted", _("Accepted on the upper agenda")
    RETURNED = "returned", _("Returned by the upper conference")
    DECIDED = "decided", _("Decided above")
    RESOLVED = "resolved", _("Resolved above")


class Escalation(models.Model):
    """上报: an item this level cannot solve goes to the next conference up, with reason and documents."""

    from_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="escalation", verbose_name=_("lower item")
    )
    upper_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="escalated_from", verbose_name=_("upper item")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.SUBMITTED
    )
    due_on = models.DateField(_("upper decision due on"))
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("escalated by")
    )
    escalated_at = models.DateTimeField(_("escalated at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("overdue flagged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return str(self.from_item)


def document_path(instance: Document, filename: str) -> str:
    return f"conferences/{instance.sha256[:2]}/{instance.sha256[:16]}-{filename[-80:]}"


class Document(models.Model):
    """A file attached to an escalation (reason and materials) or to a decision (evidence of completion)."""

    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("escalation"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("conference decision"),
    )
    file = models.FileField(_("file"), upload_to=document_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("conference document")
        verbose_name_plural = _("conference documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(escalation__isnull=False) | models.Q(decision__isnull=False),
                name="conferences_document_belongs",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class MeasureKind(models.TextChoices):
    """Art. 39 ¶3: measures of the conference on a unit's leadership."""

    INTERVIEW = "interview", _("Admonition talk")  # 约谈
    NOTICE = "notice", _("Criticism notice")  # 通报
    LISTED = "listed", _("Listed supervision")  # 挂牌督办


class SupervisionMeasure(models.Model):
    """约谈, 通报 or 挂牌督办 a conference took against a unit (Art. 39); assessment reads these rows."""

    conference = models.ForeignKey(
        JointConference, on_delete=models.PROTECT, related_name="measures", verbose_name=_("conference")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="supervision_measures", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind.choices)
    issued_on = models.DateField(_("date of the measure"))
    reason = models.TextField(_("reason"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_measures",
        verbose_name=_("conference decision"),
    )
    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_measures",
        verbose_name=_("agenda item"),
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("supervision measure")
        verbose_name_plural = _("supervision measures")
        indexes = [models.Index(fields=["unit", "issued_on"], name="conferences_measure_unit")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit}"


class NoticeKind(models.TextChoices):
    MEETING = "meeting", _("Meeting notice")
    ITEM = "item", _("Agenda item")
    TASK = "task", _("Decision to carry out")
    OVERDUE = "overdue", _("Decision overdue")
    ESCALATION = "escalation", _("Escalation")
    MEASURE = "measure", _("Supervision measure")


class Notice(models.Model):
    """A message of the conference to a unit's workbench or to a person (a convenor, the secretariat).

    ``key`` makes each notice once-only, so the sweep and concurrent services never send it twice.
    """

    key = models.CharField(_("key"), max_length=80, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    conference = models.ForeignKey(
        JointConference, on_delete=models.PROTECT, related_name="notices", verbose_name=_("conference")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    message = models.CharField(_("message"), max_length=300)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conference notice")
        verbose_name_plural = _("conference notices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(user__isnull=False),
                name="conferences_notice_addressed",
            )
        ]

    def __str__(self) -> str:
        return self.message
