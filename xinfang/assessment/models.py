"""Assessment and accountability (考核, 倒查+问责, 清单+闭环, 表彰): the tables behind them.

- ``IndicatorSettings``: a locality's switches of the §6 indicators (nearest ancestor wins).
- ``IndicatorFact`` / ``FactState``: the monthly fact table of the fast path, a derived cache rebuilt at
  will from the records (its rows are replaced, never the records they count).
- ``AssessmentScheme`` and its items, events and score runs: who is assessed on what, with which weights,
  and every computation kept (schemes and runs are never deleted; a new year is a copy).
- ``AccountabilityReview`` and ``ReviewFinding``: trace-back of bypass, repeat, overdue and reopened
  petitions (倒查) and what discipline or organisation staff decided (问责); findings are append-only.
- ``Checklist``, ``ChecklistItem`` and ``ChecklistItemEvent``: tasks closed in a loop (清单+闭环).
- ``Commendation``: advanced individuals and units (表彰) with a snapshot of the figures behind them.

Units and cadres are assessed, never petitioners: nothing here names or scores a petitioner.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition

from .indicators import DEFAULT_ONE_TIME_DAYS, Options, one_time_days

# --- indicator settings ---------------------------------------------------------------------------


class IndicatorSettings(models.Model):
    """How a locality counts its indicators (考核口径). Units below inherit it; the nearest one wins."""

    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="indicator_settings", verbose_name=_("unit")
    )
    basic_counts = models.BooleanField(_("“basically satisfied” counts as satisfied"), default=True)
    unrated_counts = models.BooleanField(_("unrated replies count as satisfied"), default=False)
    one_time_days = models.PositiveSmallIntegerField(
        _("days after closure for one-time resolution"),
        default=DEFAULT_ONE_TIME_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator settings")
        verbose_name_plural = _("indicator settings")

    def __str__(self) -> str:
        return str(self.unit)

    def options(self) -> Options:
        return Options(
            basic_counts=self.basic_counts,
            unrated_counts=self.unrated_counts,
            one_time_days=self.one_time_days,
        )


def default_options() -> Options:
    return Options(one_time_days=one_time_days())


def options_for(unit: Unit | None) -> Options:
    """The switches that apply to ``unit``: its own settings or its nearest ancestor's, else the defaults."""
    if unit is None:
        return default_options()
    from xinfang.orgs.selectors import ancestor_paths

    paths = [*ancestor_paths(unit.path), unit.path]
    found = (
        IndicatorSettings.objects.filter(unit__path__in=paths)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )
    return found.options() if found else default_options()


def fact_variants() -> list[Options]:
    """The option sets the fact table keeps figures for: the default and every locality's N."""
    days = {one_time_days(), *IndicatorSettings.objects.values_list("one_time_days", flat=True)}
    return [Options(one_time_days=n) for n in sorted(days)]


# --- the fact table ---------------------------------------------------------------------------------


class IndicatorFact(models.Model):
    """One component count of one indicator for one unit and one month (the fast path).

    *Grain rows* (``rollup`` false) count the rows whose subject lies under one grain unit: the town or
    street, or the subject's own area when it lies higher. *Rollup rows* (``rollup`` true) hold, for
    every area above the grain (county, city, province), the sum of the grain rows under it ("subtree
    sums through the unit path", kept so that a city's figure is one row, not a thousand). ``category``
    is the top-level category for indicators broken down by category (-1 uncategorised), 0 otherwise.
    """

    # A derived cache of millions of rows: no constraint to check on each of them (units are never deleted).
    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("unit")
    )
    unit_path = models.CharField(max_length=255)
    rollup = models.BooleanField(default=False)
    month = models.DateField(_("month"))
    indicator = models.CharField(_("indicator"), max_length=40)
    variant = models.CharField(max_length=20, blank=True)
    category = models.IntegerField(default=0)
    component = models.CharField(max_length=40)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator fact")
        verbose_name_plural = _("indicator facts")
        constraints = [
            # Also the index every reader uses: one unit, one indicator, a range of months.
            models.UniqueConstraint(
                fields=["unit", "rollup", "indicator", "variant", "month", "category", "component"],
                name="assessment_fact_unique_cell",
            )
        ]
        indexes = [
            # The grain rows of a subtree for one month: what a rollup is summed from.
            models.Index(
                fields=["month", "unit_path"],
                name="assessment_fact_month_path",
                opclasses=["date_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.indicator}.{self.component}={self.value}"


class FactState(models.Model):
    """How far the fact table is: the reference day it holds and the watermark of the last refresh."""

    key = models.CharField(max_length=20, unique=True, default="default")
    as_of = models.DateField(_("as of"), null=True, blank=True)
    watermark = models.DateTimeField(_("changes read up to"), null=True, blank=True)
    built_at = models.DateTimeField(_("last full build"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("last refresh"), null=True, blank=True)
    variants = models.JSONField(_("one-time resolution days kept"), default=list, blank=True)
    last_grains = models.PositiveIntegerField(_("units refreshed last time"), default=0)

    class Meta:
        verbose_name = _("fact table state")
        verbose_name_plural = _("fact table state")

    def __str__(self) -> str:
        return f"{self.key} as of {self.as_of}"


# --- assessment schemes -------------------------------------------------------------------------------


class SubjectKind(models.TextChoices):
    TOWN = "town", _("Towns and streets")  # 乡镇（街道）
    COUNTY = "county", _("Counties and districts")  # 县（区）
    DEPARTMENT = "department", _("Departments")  # 县直单位、职能部门
    SECRETARY = "secretary", _("Party secretaries of towns and streets")  # 书记述职评议


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ItemRule(models.TextChoices):
    TARGET = "target", _("Rate against a target")  # 达标得分
    DEDUCT = "deduct", _("Deduct per measure")  # 扣分
    AWARD = "award", _("Award per measure")  # 加分


class AssessmentScheme(models.Model):
    """An assessment (考核方案) of one year, one organising area and one kind of assessed subject.

    Petition work is a weighted part (``petition_share`` %) of a larger score of ``total_points`` (e.g.
    18 % of the Party-building assessment). Published schemes are not edited; the next year is a copy
    (``previous``), so the chain of copies is the history of the weights (3 % → 18 %).
    """

    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    area = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organising area")
    )
    subject_kind = models.CharField(_("assessed"), max_length=20, choices=SubjectKind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    total_points = models.DecimalField(_("points of the whole assessment"), max_digits=6, decimal_places=2)
    petition_share = models.DecimalField(_("share of petition work (%)"), max_digits=5, decimal_places=2)
    red_list_min = models.DecimalField(
        _("red list from (petition score)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    black_list_below = models.DecimalField(
        _("black list below (petition score)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    basic_counts = models.BooleanField(_("“basically satisfied” counts as satisfied"), default=True)
    unrated_counts = models.BooleanField(_("unrated replies count as satisfied"), default=False)
    one_time_days = models.PositiveSmallIntegerField(
        _("days after closure for one-time resolution"), default=DEFAULT_ONE_TIME_DAYS
    )
    basis = models.CharField(_("basis (document)"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def petition_points(self) -> Decimal:
        """The points petition work carries in the whole assessment (e.g. 18 of 100)."""
        return (self.total_points * self.petition_share / Decimal(100)).quantize(Decimal("0.01"))

    def options(self) -> Options:
        return Options(
            basic_counts=self.basic_counts,
            unrated_counts=self.unrated_counts,
            one_time_days=self.one_time_days,
        )


class SchemeItem(models.Model):
    """One indicator of a scheme with its weight (points of the petition part) and scoring rule.

    TARGET: full points at or beyond ``target``, none at or beyond ``floor`` on the wrong side, linear in
    between (for a lower-is-better rate the floor lies above the target). DEDUCT / AWARD: ``per_count``
    points per measure counted, at most the weight.
    """

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="items", verbose_name=_("scheme")
    )
    indicator = models.CharField(_("indicator"), max_length=40)
    weight = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    rule = models.CharField(_("rule"), max_length=20, choices=ItemRule.choices, default=ItemRule.TARGET)
    target = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    floor = models.DecimalField(_("no points at (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    per_count = models.DecimalField(
        _("points per measure"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scheme indicator")
        verbose_name_plural = _("scheme indicators")
        ordering = ["scheme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="assessment_item_once_per_scheme")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.weight}"


class SchemeEvent(models.Model):
    """The history of a scheme: created, changed, published, copied, computed (append-only)."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="events", verbose_name=_("scheme")
    )
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scheme event")
        verbose_name_plural = _("scheme events")
        ordering = ["scheme", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.action}"


class SharePolicy(models.Model):
    """A locality's floor on the share of petition work (长丰县: at least 20 % in secretaries' reviews)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    subject_kind = models.CharField(_("assessed"), max_length=20, choices=SubjectKind.choices)
    minimum_share = models.DecimalField(
        _("minimum share of petition work (%)"), max_digits=5, decimal_places=2
    )
    basis = models.CharField(_("basis (document)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("petition share rule")
        verbose_name_plural = _("petition share rules")
        constraints = [
            models.UniqueConstraint(fields=["unit", "subject_kind"], name="assessment_share_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_subject_kind_display()} ≥ {self.minimum_share}%"


class ScoreRun(models.Model):
    """One computation of a scheme: the figures it read and every subject's score, kept as computed."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="runs", verbose_name=_("scheme")
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("computed by"),
    )
    as_of = models.DateField(_("figures as of"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    source = models.CharField(_("read from"), max_length=10)
    options = models.JSONField(_("switches"), default=dict)
    definitions = models.JSONField(_("definitions used"), default=list)

    class Meta:
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.computed_at:%Y-%m-%d %H:%M}"


class SubjectScore(models.Model):
    """One assessed unit's (or secretary's) petition score in one run, with each item's figure."""

    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="scores", verbose_name=_("run"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    person_name = models.CharField(_("secretary"), max_length=60, blank=True)
    petition_score = models.DecimalField(
        _("petition work score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    weighted = models.DecimalField(
        _("points in the whole assessment"), max_digits=6, decimal_places=2, null=True
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    listing = models.CharField(_("list"), max_length=10, blank=True)
    items = models.JSONField(_("items"), default=list)

    class Meta:
        verbose_name = _("subject score")
        verbose_name_plural = _("subject scores")
        ordering = ["run", "rank", "unit__path"]

    def __str__(self) -> str:
        return f"{self.unit} {self.petition_score}"


# --- trace-back and accountability ----------------------------------------------------------------------


class Trigger(models.TextChoices):
    BYPASS = "bypass", _("Bypass petition")  # 越级访
    REPEAT = "repeat", _("Repeat petition")  # 重复访
    OVERDUE = "overdue", _("Deadline missed")  # 超期
    REOPENED = "reopened", _("Reopened by an appeal")  # 复查复核


class Ground(models.TextChoices):
    """The grounds of accountability in Art. 42-46 of the 2022 Regulations."""

    ART_42 = "42", _("Art. 42: abuse of power, inaction, wrong law or refusing a supporting opinion")
    ART_43 = "43", _("Art. 43: not registered, forwarded, assigned or supervised as required")
    ART_44_1 = "44-1", _("Art. 44 (1): a received matter not registered")
    ART_44_2 = "44-2", _("Art. 44 (2): a matter in the unit's remit not accepted")
    ART_44_3 = "44-3", _("Art. 44 (3): acceptance not notified in writing in time")
    ART_45_1 = "45-1", _("Art. 45 (1): shirking, delay, or not completed in time")
    ART_45_2 = "45-2", _("Art. 45 (2): a well-founded request not supported")
    ART_45_3 = "45-3", _("Art. 45 (3): proposals of the petition department neglected")
    ART_45_4 = "45-4", _("Art. 45 (4): other failure to handle the matter properly")
    ART_46_1 = "46-1", _("Art. 46 (1): rude or harsh conduct towards the petitioner")
    ART_46_3 = "46-3", _("Art. 46 (3): a large collective visit handled poorly")
    ART_46_4 = "46-4", _("Art. 46 (4): a major or urgent matter concealed or reported late")
    ART_46_5 = "46-5", _("Art. 46 (5): accusation materials disclosed to the accused")
    ART_46_6 = "46-6", _("Art. 46 (6): retaliation against the petitioner")
    ART_46_7 = "46-7", _("Art. 46 (7): other breach of rules, discipline or law")


class Outcome(models.TextChoices):
    """What was decided about a person or unit (处理方式)."""

    TALK = "talk", _("Admonishing talk")  # 约谈 / 谈话提醒
    CRITICISM = "criticism", _("Circulated criticism")  # 通报批评
    WARNING = "warning", _("Admonishment")  # 诫勉
    ORGANISATIONAL = "organisational", _("Organisational measure")  # 组织处理
    PARTY_DISCIPLINE = "party_discipline", _("Party disciplinary sanction")  # 党纪处分
    GOVERNMENT_SANCTION = "government_sanction", _("Government sanction")  # 政务处分
    CLEARED = "cleared", _("Cleared: no responsibility")  # 不予追究


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONCLUDED = "concluded", _("Concluded")


class AccountabilityReview(models.Model):
    """倒查: the chain of responsibility of one petition and the review discipline staff make of it.

    Opened automatically for every bypass, repeat, overdue or reopened petition; ``chain`` and ``duties``
    are rebuilt from the timeline and clocks while the review is open and frozen when it is concluded.
    """

    petition = models.OneToOneField(
        Petition, on_delete=models.PROTECT, related_name="accountability_review", verbose_name=_("petition")
    )
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    year = models.PositiveSmallIntegerField(_("year"))
    triggers = models.JSONField(_("why it was opened"), default=list)
    chain = models.JSONField(_("chain of responsibility"), default=list)
    duties = models.JSONField(_("duties missed"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    built_at = models.DateTimeField(_("chain built at"), default=timezone.now)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("accountability review")
        verbose_name_plural = _("accountability reviews")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["area", "year"], name="assessment_review_area_year")]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.get_status_display()}"


class ReviewFinding(models.Model):
    """A finding about one person or unit and the outcome decided (append-only; a correction supersedes)."""

    review = models.ForeignKey(
        AccountabilityReview, on_delete=models.PROTECT, related_name="findings", verbose_name=_("review")
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    subject_name = models.CharField(_("person or unit concerned"), max_length=100)
    subject_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    ground = models.CharField(_("ground"), max_length=10, choices=Ground.choices)
    finding = models.TextField(_("finding"))
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    written_feedback = models.TextField(_("written feedback of the unit"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )

    class Meta:
        verbose_name = _("review finding")
        verbose_name_plural = _("review findings")
        ordering = ["review", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.get_outcome_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Review findings are append-only; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Review findings are never deleted.")


# --- checklists closed in a loop ------------------------------------------------------------------------


class ChecklistSource(models.TextChoices):
    CAMPAIGN = "campaign", _("Special campaign")  # 专项整治
    CONFERENCE = "conference", _("Joint conference")  # 联席会议
    LEADER = "leader", _("Leader's instruction")  # 领导交办


class Checklist(models.Model):
    """清单: problems or tasks for an area, each owned, due, evidenced and verified by a second person."""

    title = models.CharField(_("title"), max_length=120)
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    source = models.CharField(_("from"), max_length=20, choices=ChecklistSource.choices)
    source_ref = models.CharField(_("campaign, meeting or instruction"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ItemState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Evidence submitted, awaiting verification")
    CLOSED = "closed", _("Verified and closed")


def evidence_path(instance: ChecklistItem, filename: str) -> str:
    return f"checklists/{instance.checklist_id}/{instance.pk or 'new'}-{filename[-80:]}"


class ChecklistItem(models.Model):
    """One problem or task of a checklist. It counts as closed only once a second person verified it."""

    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="items", verbose_name=_("checklist")
    )
    title = models.CharField(_("problem or task"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner unit")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    due_on = models.DateField(_("due on"))
    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist_items",
        verbose_name=_("petition"),
    )
    state = models.CharField(_("state"), max_length=20, choices=ItemState.choices, default=ItemState.OPEN)
    evidence_text = models.TextField(_("evidence of completion"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("file name"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    return_visit = models.TextField(_("return visit"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "due_on", "pk"]
        indexes = [models.Index(fields=["owner_unit", "state"], name="assessment_item_owner_state")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: Any) -> bool:
        return self.state != ItemState.CLOSED and self.due_on < today


class ChecklistItemEvent(models.Model):
    """What happened to a checklist item: created, evidence submitted, returned, verified (append-only)."""

    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="events", verbose_name=_("checklist item")
    )
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("checklist item event")
        verbose_name_plural = _("checklist item events")
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"


# --- commendations -----------------------------------------------------------------------------------------


class CommendationKind(models.TextChoices):
    PERSON = "person", _("Advanced individual")  # 先进个人
    UNIT = "unit", _("Advanced unit")  # 先进集体


class Commendation(models.Model):
    """表彰 of a person or unit, with the figures that justify it as they were when it was decided."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=CommendationKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    title = models.CharField(_("title of the commendation"), max_length=120)
    citation = models.TextField(_("citation"))
    by_area = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("commended by")
    )
    decided_on = models.DateField(_("decided on"))
    evidence = models.JSONField(_("figures behind it"), default=dict)
    source_run = models.ForeignKey(
        ScoreRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from the assessment"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-year", "-decided_on", "pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"
