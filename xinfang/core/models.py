"""Core tables: the holiday calendar's local corrections, per-locality clock policies, reveal log.

The enums ``Limit`` and ``CountMode`` live here because they are the choices of ``ClockPolicyRule``;
``xinfang.core.deadlines`` re-exports them together with the statutory defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Unit

if TYPE_CHECKING:
    from typing import Any


class CountMode(models.TextChoices):
    """How a limit's length is counted (domain.md §3.2): the law's 日, its 工作日, or hours."""

    CALENDAR_DAYS = "calendar_days", _("Calendar days")
    WORKING_DAYS = "working_days", _("Working days")
    HOURS = "hours", _("Hours")


class Limit(models.TextChoices):
    """Every legal or locally configured clock of the petition lifecycle."""

    FORWARD = "forward", _("Forwarding to the handler (from registration)")
    NOTICE = "notice", _("Acceptance notice (from receipt)")
    OBJECTION = "objection", _("Objection to competence (from receipt)")
    ASSIGNMENT_FEEDBACK = "assignment_feedback", _("Feedback on an assigned matter")
    HANDLING = "handling", _("Handling (from acceptance)")
    DUTY_PERFORMANCE = "duty_performance", _("Performing a duty or replying (from acceptance)")
    SUGGESTION_STUDY = "suggestion_study", _("Studying a suggestion (from acceptance)")
    EXTENSION_MAX = "extension_max", _("Longest extension of handling")
    REVIEW_REQUEST = "review_request", _("Requesting a review (from receipt of the reply)")
    REVIEW_DECISION = "review_decision", _("Deciding a review (from the request)")
    RE_REVIEW_REQUEST = "re_review_request", _("Requesting a re-review (from receipt of the review opinion)")
    RE_REVIEW_DECISION = (
        "re_review_decision",
        _("Deciding a re-review (from the request, hearing days excluded)"),
    )
    EVALUATION_WINDOW = "evaluation_window", _("Satisfaction evaluation window (from receipt of the reply)")
    MEDIATION_FIRST_CONTACT = "mediation_first_contact", _("First contact by the mediator (from referral)")
    URGENT_REPORT = "urgent_report", _("Reporting a major or urgent matter upward")


class HolidayOverride(models.Model):
    """A local correction to the legal calendar: a rest day or a working day the library does not know.

    Needed for years the ``chinesecalendar`` package does not cover yet (the State Council publishes the
    next year's holidays each November) and for rare local changes. An override always wins.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: a working day (e.g. a make-up Saturday). Unticked: a rest day."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = gettext("working day") if self.is_working_day else gettext("rest day")
        return f"{self.date.isoformat()} {kind}"


class ClockPolicy(models.Model):
    """A locality's clock rules (typically a province or a city); units below inherit them.

    Rules cascade per limit: a city's rule beats its province's for the same limit, and a limit
    neither mentions keeps the national default.
    """

    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="clock_policy", verbose_name=_("unit")
    )
    basis = models.CharField(
        _("legal basis"),
        max_length=200,
        blank=True,
        help_text=_("The local regulation or document that sets these limits, e.g. its document number."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("clock policy")
        verbose_name_plural = _("clock policies")

    def __str__(self) -> str:
        return gettext("Clock policy of %(unit)s") % {"unit": self.unit}


class ClockPolicyRule(models.Model):
    """One locality override of one limit: its length, how it is counted and whether it rolls forward."""

    policy = models.ForeignKey(
        ClockPolicy, on_delete=models.CASCADE, related_name="rules", verbose_name=_("policy")
    )
    limit = models.CharField(_("limit"), max_length=40, choices=Limit.choices)
    length = models.PositiveIntegerField(
        _("length"), help_text=_("Days, or hours for limits counted in hours.")
    )
    count_mode = models.CharField(_("counted in"), max_length=20, choices=CountMode.choices)
    roll_forward = models.BooleanField(
        _("roll forward"),
        default=True,
        help_text=_("A calendar-day deadline on a rest day or holiday moves to the next working day."),
    )

    class Meta:
        verbose_name = _("clock policy rule")
        verbose_name_plural = _("clock policy rules")
        constraints = [
            models.UniqueConstraint(fields=["policy", "limit"], name="core_clockpolicyrule_one_per_limit"),
            models.CheckConstraint(
                condition=models.Q(length__gte=1), name="core_clockpolicyrule_length_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_limit_display()}: {self.length} {self.get_count_mode_display()}"

    def clean(self) -> None:
        from .deadlines import rule_errors

        errors = rule_errors(limit=self.limit, length=self.length, count_mode=self.count_mode)
        if errors:
            raise ValidationError(errors)


class PersonalDataAccess(models.Model):
    """One opening of a full personal value (ID number, phone). Append-only: never edited or deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(_("field"), max_length=100)
    reason = models.TextField(_("reason"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_pda_target")]

    def __str__(self) -> str:
        target = f"{self.content_type.model}#{self.object_id}.{self.field_name}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {target}"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Personal data access records are never deleted.")
