"""Reception stations (暖心驿站): stations, their duty pools, rotas, walk-in visits and hotline signals.

Nothing here is deleted: people leave a pool (``left_on``), unavailability is cancelled, a regenerated
rota is a new version, a swap closes two assignments and opens two new ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Unit
from xinfang.petitions.models import Category, Petition, Petitioner


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class StationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Station(models.Model):
    """A reception station (暖心驿站): a place in a community where duty staff receive residents.

    Opening follows the legal calendar: the weekly pattern applies to working days only, and an
    adjusted working day (调休, a weekend made a working day) follows the pattern of the weekday in
    ``adjusted_workday_as`` (none: closed on adjusted working days).
    """

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="stations", verbose_name=_("location")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    serving_area: models.ManyToManyField[Unit, Any] = models.ManyToManyField(
        Unit, related_name="served_by_stations", verbose_name=_("serving area")
    )
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(
        _("status"), max_length=20, choices=StationStatus.choices, default=StationStatus.OPEN
    )
    adjusted_workday_as = models.PositiveSmallIntegerField(
        _("adjusted working days follow"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        default=Weekday.MONDAY,
        help_text=_(
            "An adjusted working weekend day (调休) opens with the hours of this weekday; empty: closed."
        ),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_stations",
        blank=True,
        verbose_name=_("station managers"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reception station")
        verbose_name_plural = _("reception stations")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class OpeningPeriod(models.Model):
    """One opening session on one weekday, e.g. Monday 8:30-12:00. Each session is one duty shift."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="opening_periods", verbose_name=_("station")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("opens at"))
    ends_at = models.TimeField(_("closes at"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening periods")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="stations_period_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class DutyPool(models.Model):
    """An organisation that supplies duty staff to a station (e.g. 金安区信访局) and how many per shift."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="pools", verbose_name=_("station")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplying organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    people_per_shift = models.PositiveSmallIntegerField(_("people per shift"), default=1)
    weekdays = models.JSONField(
        _("weekdays on duty"),
        default=list,
        blank=True,
        help_text=_("Weekdays (0 = Monday) this pool covers; empty: every opening day."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty pool")
        verbose_name_plural = _("duty pools")
        ordering = ["station", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(people_per_shift__gte=1), name="stations_pool_needs_someone"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, weekday: int) -> bool:
        return not self.weekdays or weekday in self.weekdays


class PoolMember(models.Model):
    """A staff member on a pool's duty list, from ``joined_on`` until ``left_on`` (inclusive)."""

    pool = models.ForeignKey(
        DutyPool, on_delete=models.PROTECT, related_name="members", verbose_name=_("duty pool")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_pool_seats",
        verbose_name=_("staff member"),
    )
    joined_on = models.DateField(_("on duty list from"))
    left_on = models.DateField(_("on duty list until"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")
        ordering = ["pool", "pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.pool}"

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


class UnavailabilityKind(models.TextChoices):
    LEAVE = "leave", _("Leave")
    SICK = "sick", _("Sick leave")
    TRAINING = "training", _("Training")
    BUSINESS = "business", _("Official business")
    OTHER = "other", _("Other")


class Unavailability(models.Model):
    """Days a staff member cannot be on duty at any station (whole days, both ends included)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_unavailability",
        verbose_name=_("staff member"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    kind = models.CharField(_("kind"), max_length=20, choices=UnavailabilityKind.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailability")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="stations_unavailable_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on}–{self.ends_on}"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class RotaStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    SUPERSEDED = "superseded", _("Superseded")


class Rota(models.Model):
    """One published version of a station's duty rota (值班表) for a month or a quarter."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="rotas", verbose_name=_("station")
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=RotaStatus.choices)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("generated by")
    )
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    input_digest = models.CharField(_("input fingerprint"), max_length=64)
    shift_count = models.PositiveIntegerField(_("shifts"), default=0)
    gap_count = models.PositiveIntegerField(_("coverage gaps"), default=0)
    years_without_holidays = models.JSONField(
        _("years without holiday data"),
        default=list,
        blank=True,
        help_text=_(
            "Years of the period for which the legal calendar knew no official holidays when the rota "
            "was generated: Monday to Friday counted as working days."
        ),
    )

    class Meta:
        verbose_name = _("duty rota")
        verbose_name_plural = _("duty rotas")
        ordering = ["station", "-starts_on", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "starts_on", "ends_on", "number"], name="stations_rota_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.starts_on:%Y-%m} v{self.number}"


class Shift(models.Model):
    """One opening session on one date of a rota."""

    rota = models.ForeignKey(Rota, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("rota"))
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    pattern_weekday = models.PositiveSmallIntegerField(_("hours of"), choices=Weekday.choices)
    is_adjusted_workday = models.BooleanField(_("adjusted working day"), default=False)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["rota", "starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="stations_shift_time")]

    def __str__(self) -> str:
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{self.date} {start:%H:%M}-{end:%H:%M}"


class Assignment(models.Model):
    """A person on duty in a shift for a pool. A swap closes the assignment and opens a new one."""

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("shift")
    )
    pool = models.ForeignKey(
        DutyPool, on_delete=models.PROTECT, related_name="+", verbose_name=_("duty pool")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_assignments",
        verbose_name=_("staff member"),
    )
    is_current = models.BooleanField(_("current"), default=True)
    created_by_swap = models.ForeignKey(
        "SwapRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_assignments",
        verbose_name=_("from swap"),
    )
    ended_by_swap = models.ForeignKey(
        "SwapRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ended_assignments",
        verbose_name=_("ended by swap"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"],
                condition=models.Q(is_current=True),
                name="stations_one_seat_per_person_and_shift",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.shift}"


class CoverageGap(models.Model):
    """A shift a pool could not fill: too few of its people were free."""

    rota = models.ForeignKey(Rota, on_delete=models.PROTECT, related_name="gaps", verbose_name=_("rota"))
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="gaps", verbose_name=_("shift"))
    pool = models.ForeignKey(
        DutyPool, on_delete=models.PROTECT, related_name="+", verbose_name=_("duty pool")
    )
    needed = models.PositiveSmallIntegerField(_("needed"))
    filled = models.PositiveSmallIntegerField(_("filled"))

    class Meta:
        verbose_name = _("coverage gap")
        verbose_name_plural = _("coverage gaps")

    def __str__(self) -> str:
        return f"{self.shift} · {self.pool}: {self.filled}/{self.needed}"


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class SwapRequest(models.Model):
    """Two people of one pool exchange their shifts, once the station manager approves."""

    rota = models.ForeignKey(Rota, on_delete=models.PROTECT, related_name="swaps", verbose_name=_("rota"))
    first = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="+", verbose_name=_("first duty")
    )
    second = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="+", verbose_name=_("second duty")
    )
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=SwapStatus.choices, default=SwapStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.first} ⇄ {self.second}"


class VisitOutcome(models.TextChoices):
    PENDING = "pending", _("Not concluded yet")
    RESOLVED = "resolved", _("Resolved on the spot")
    PETITION = "petition", _("Turned into a petition")
    MEDIATION = "mediation", _("Referred to mediation")
    SUMMONED = "summoned", _("Department summoned")


class Visit(models.Model):
    """A walk-in at a station (来访登记): who came, what they raised, who received them, the outcome."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="visits", verbose_name=_("station")
    )
    visitor = models.ForeignKey(
        Petitioner, on_delete=models.PROTECT, related_name="station_visits", verbose_name=_("visitor")
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    people_count = models.PositiveIntegerField(_("people"), default=1)
    subject = models.CharField(_("matter raised"), max_length=200)
    notes = models.TextField(_("interview notes"), blank=True)
    place = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("place of the problem")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    duty_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="station_visits_received", verbose_name=_("duty staff present")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VisitOutcome.choices, default=VisitOutcome.PENDING
    )
    outcome_note = models.TextField(_("what was done"), blank=True)
    outcome_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    petition = models.OneToOneField(
        Petition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="station_visit",
        verbose_name=_("petition"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("walk-in visit")
        verbose_name_plural = _("walk-in visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["station", "visited_at"], name="stations_visit_when")]

    def __str__(self) -> str:
        return f"{self.visited_at:%Y-%m-%d} {self.subject}"


class DepartmentSummons(models.Model):
    """A department asked to come to the station about a visit (部门到驿站), by a due date."""

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="summons", verbose_name=_("walk-in visit")
    )
    department = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="station_summons", verbose_name=_("department")
    )
    task = models.TextField(_("task"))
    due_on = models.DateField(_("due on"))
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
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("department summons")
        verbose_name_plural = _("department summonses")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.department} · {self.due_on}"


class HotlineImport(models.Model):
    """One imported hotline file: who imported it and how many tickets it added."""

    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    created = models.PositiveIntegerField(_("tickets added"), default=0)
    duplicates = models.PositiveIntegerField(_("tickets already known"), default=0)

    class Meta:
        verbose_name = _("hotline import")
        verbose_name_plural = _("hotline imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d})"


class SignalKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    HELP = "help", _("Request for help")  # 求助
    CONSULTATION = "consultation", _("Consultation")  # 咨询
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    PRAISE = "praise", _("Praise")  # 表扬


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNRATED = "unrated", _("Not rated")


class HotlineSignal(models.Model):
    """A 12345 / mayor's hotline ticket: a signal about an area, not a petition (domain.md §7.10).

    Staff may turn one into a petition after confirming it is a 申诉求决 matter; the link is kept.
    """

    ticket_id = models.CharField(_("ticket number"), max_length=64, unique=True)
    received_at = models.DateTimeField(_("received at"))
    area_text = models.CharField(_("area as written"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    kind = models.CharField(
        _("type"), max_length=20, choices=SignalKind.choices, default=SignalKind.COMPLAINT
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    text = models.TextField(_("content"))
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, default=Satisfaction.UNRATED
    )
    batch = models.ForeignKey(
        HotlineImport, on_delete=models.PROTECT, related_name="signals", verbose_name=_("import")
    )
    petition = models.OneToOneField(
        Petition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_signal",
        verbose_name=_("petition"),
    )
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("converted by"),
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("hotline signal")
        verbose_name_plural = _("hotline signals")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["unit", "received_at"], name="stations_signal_area_time")]

    def __str__(self) -> str:
        return self.ticket_id
