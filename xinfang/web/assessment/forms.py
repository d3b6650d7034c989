"""Forms of assessment and accountability. They parse the shape of the input; the rules (weights,
shares, who may verify, …) are the services', whose field errors are put back beside each field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.assessment import indicators as ind
from xinfang.assessment import permissions
from xinfang.assessment.models import (
    ChecklistSource,
    CommendationKind,
    Ground,
    ItemRule,
    Outcome,
    SubjectKind,
)
from xinfang.assessment.services import FieldErrors, ItemData, SchemeData
from xinfang.orgs.models import AREA_KINDS, Unit, UnitKind

from ..forms import DateInput, UnitChoiceField, visible_unit_choices

BLANK = [("", "—")]
# Rows of indicators a new scheme starts with (a common 党建+信访 pattern; every figure can be changed).
DEFAULT_ITEMS = [
    ItemData("on_time", Decimal(30), ItemRule.TARGET, Decimal(95), Decimal(60)),
    ItemData("satisfaction", Decimal(25), ItemRule.TARGET, Decimal(90), Decimal(60)),
    ItemData("one_time", Decimal(20), ItemRule.TARGET, Decimal(85), Decimal(50)),
    ItemData("timely_acceptance", Decimal(15), ItemRule.TARGET, Decimal(95), Decimal(60)),
    ItemData("repeat", Decimal(10), ItemRule.TARGET, Decimal(5), Decimal(30)),
    ItemData("supervision", Decimal(10), ItemRule.DEDUCT, per_count=Decimal(2)),
]
BLANK_ROWS = 2


def put_errors(form: forms.Form, error: FieldErrors, *, fallback: str | None = None) -> list[str]:
    """Show each service error beside its field; return those the form has no field for."""
    rest = []
    for name, messages in error.errors.items():
        target = name if name in form.fields else fallback
        for message in messages:
            if target:
                form.add_error(target, message)
            else:
                rest.append(message)
    return rest


def managed_areas(user: Any) -> Any:
    """Areas the user may set up schemes for (their jurisdiction, villages and groups left out)."""
    qs = visible_unit_choices(
        user, kinds=[k for k in AREA_KINDS if k not in (UnitKind.VILLAGE, UnitKind.GROUP)]
    )
    return [u for u in qs if permissions.may_manage_schemes(user, u)]


class AreaField(UnitChoiceField):
    pass


def _decimal(label: Any, *, required: bool = True, places: int = 2, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=6, decimal_places=places, **kwargs)


class SchemeForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=120)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    area = AreaField(label=_("Organising area"), queryset=Unit.objects.none(), empty_label=None)
    subject_kind = forms.ChoiceField(label=_("Assessed"), choices=SubjectKind.choices)
    period_start = forms.DateField(
        label=_("Period from"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: 1 January of the year."),
    )
    period_end = forms.DateField(
        label=_("Period until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: 31 December of the year."),
    )
    total_points = _decimal(_("Points of the whole assessment"), initial=Decimal(100))
    petition_share = _decimal(
        _("Share of petition work (%)"),
        help_text=_("The weight of petition work in the whole assessment, e.g. 18 for 18 %."),
    )
    red_list_min = _decimal(_("Red list from (petition score)"), required=False)
    black_list_below = _decimal(_("Black list below (petition score)"), required=False)
    basic_counts = forms.BooleanField(label=_("“Basically satisfied” counts as satisfied"), required=False)
    unrated_counts = forms.BooleanField(label=_("Unrated replies count as satisfied"), required=False)
    one_time_days = forms.IntegerField(
        label=_("Days after closure for one-time resolution"), min_value=1, max_value=365, initial=90
    )
    basis = forms.CharField(label=_("Basis (document)"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = managed_areas(user)
        field = self.fields["area"]
        field.queryset = Unit.objects.filter(pk__in=[u.pk for u in areas]).order_by("path")  # type: ignore[attr-defined]
        roots = scoping.jurisdiction_roots(user)
        field.base_depth = min((r.depth for r in roots), default=1)  # type: ignore[attr-defined]


class ItemForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    weight = _decimal(_("Points"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), choices=ItemRule.choices, required=False)
    target = _decimal(_("Target (%)"), required=False)
    floor = _decimal(_("No points at (%)"), required=False)
    per_count = _decimal(_("Points per measure"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = BLANK + [  # type: ignore[attr-defined]
            (i.code, str(i.label)) for i in ind.registered() if i.scorable
        ]

    def data_or_none(self) -> ItemData | None:
        data = self.cleaned_data
        if not data.get("indicator"):
            return None
        return ItemData(
            indicator=data["indicator"],
            weight=data.get("weight"),  # type: ignore[arg-type]
            rule=data.get("rule") or ItemRule.TARGET,
            target=data.get("target"),
            floor=data.get("floor"),
            per_count=data.get("per_count"),
        )


ItemFormSet = forms.formset_factory(ItemForm, extra=0)


def item_initial(items: list[ItemData]) -> list[dict[str, Any]]:
    rows = [
        {
            "indicator": i.indicator,
            "weight": i.weight,
            "rule": i.rule,
            "target": i.target,
            "floor": i.floor,
            "per_count": i.per_count,
        }
        for i in items
    ]
    return rows + [{} for _ in range(BLANK_ROWS)]


def scheme_data(form: SchemeForm, items: Any) -> SchemeData:
    data = form.cleaned_data
    parsed = [row.data_or_none() for row in items.forms if row.is_valid()]
    return SchemeData(
        name=data["name"],
        year=data["year"],
        area=data["area"],
        subject_kind=data["subject_kind"],
        total_points=data["total_points"],
        petition_share=data["petition_share"],
        items=[p for p in parsed if p is not None],
        period_start=data.get("period_start"),
        period_end=data.get("period_end"),
        red_list_min=data.get("red_list_min"),
        black_list_below=data.get("black_list_below"),
        basic_counts=data.get("basic_counts", False),
        unrated_counts=data.get("unrated_counts", False),
        one_time_days=data.get("one_time_days") or ind.DEFAULT_ONE_TIME_DAYS,
        basis=data.get("basis", ""),
        notes=data.get("notes", ""),
    )


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the copy"), min_value=2000, max_value=2100)
    name = forms.CharField(
        label=_("Name"), max_length=120, required=False, help_text=_("Empty: the year changed in the name.")
    )
    petition_share = _decimal(_("Share of petition work (%)"))

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_codes = []
        for item in items:
            name = f"weight_{item.indicator}"
            self.fields[name] = _decimal(ind.indicator(item.indicator).label, initial=item.weight)
            self.item_codes.append((item.indicator, name))

    def weights(self) -> dict[str, Decimal]:
        return {code: self.cleaned_data[name] for code, name in self.item_codes}


class VersionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- reviews ---------------------------------------------------------------------------------------------


class FindingForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subject = forms.ChoiceField(label=_("Person concerned"), required=False)
    subject_name = forms.CharField(label=_("Or name the person or unit"), max_length=100, required=False)
    ground = forms.ChoiceField(label=_("Ground"), choices=BLANK + list(Ground.choices), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=BLANK + list(Outcome.choices), required=False)
    finding = forms.CharField(label=_("Finding"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    written_feedback = forms.CharField(
        label=_("Written feedback of the unit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, people: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = BLANK + [(str(p["id"]), p["label"]) for p in people]  # type: ignore[attr-defined]
        self.people = {str(p["id"]): p for p in people}

    def subject_user(self) -> User | None:
        chosen = self.cleaned_data.get("subject")
        if not chosen:
            return None
        return User.objects.filter(pk=int(chosen)).first()

    def subject_unit(self) -> Unit | None:
        chosen = self.people.get(self.cleaned_data.get("subject") or "")
        if not chosen or not chosen.get("unit_id"):
            return None
        return Unit.objects.filter(pk=chosen["unit_id"]).first()


class ConcludeForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    conclusion = forms.CharField(
        label=_("Conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- checklists ------------------------------------------------------------------------------------------


class ChecklistForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    area = UnitChoiceField(label=_("Area"), queryset=Unit.objects.none(), empty_label=None)
    source = forms.ChoiceField(label=_("From"), choices=ChecklistSource.choices)
    source_ref = forms.CharField(label=_("Campaign, meeting or instruction"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = [
            u
            for u in visible_unit_choices(user, kinds=[k for k in AREA_KINDS if k != UnitKind.GROUP])
            if permissions.may_keep_checklists(user, u)
        ]
        self.fields["area"].queryset = Unit.objects.filter(pk__in=[u.pk for u in areas]).order_by("path")  # type: ignore[attr-defined]


class ItemAddForm(forms.Form):
    title = forms.CharField(label=_("Problem or task"), max_length=200, required=False)
    owner_unit = UnitChoiceField(
        label=_("Owner unit"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    owner = forms.ModelChoiceField(
        label=_("Person responsible"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput(), required=False)
    petition_number = forms.CharField(label=_("Petition number (if any)"), max_length=32, required=False)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, area: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(path__startswith=area.path, is_active=True).exclude(kind=UnitKind.GROUP)
        self.fields["owner_unit"].queryset = units.order_by("path")  # type: ignore[attr-defined]
        self.fields["owner_unit"].base_depth = area.depth  # type: ignore[attr-defined]
        staff = User.objects.filter(
            memberships__unit__path__startswith=area.path, memberships__is_active=True
        )
        self.fields["owner"].queryset = staff.distinct().order_by("username")  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    evidence_text = forms.CharField(
        label=_("Evidence of completion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_file = forms.FileField(label=_("File (optional)"), required=False)


class VerifyForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Verified: close the item")), ("return", _("Return for more evidence"))],
        widget=forms.RadioSelect,
        initial="accept",
    )
    return_visit = forms.CharField(
        label=_("Return visit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who was asked whether the problem is solved, and what they said."),
    )
    note = forms.CharField(
        label=_("What is missing"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- commendations ---------------------------------------------------------------------------------------


class CommendationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Commended"), choices=CommendationKind.choices)
    by_area = UnitChoiceField(label=_("Commended by"), queryset=Unit.objects.none(), empty_label=None)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    title = forms.CharField(label=_("Title of the commendation"), max_length=120, required=False)
    citation = forms.CharField(label=_("Citation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = [u for u in visible_unit_choices(user, kinds=AREA_KINDS) if permissions.may_commend(user, u)]
        self.fields["by_area"].queryset = Unit.objects.filter(pk__in=[u.pk for u in areas]).order_by("path")  # type: ignore[attr-defined]
        self.fields["unit"].queryset = visible_unit_choices(user)  # type: ignore[attr-defined]
        staff = User.objects.filter(
            memberships__unit__in=visible_unit_choices(user), memberships__is_active=True
        )
        self.fields["person"].queryset = staff.distinct().order_by("username")  # type: ignore[attr-defined]
