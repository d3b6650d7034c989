"""Forms of the station pages. They check the shape of input; the rules live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xinfang.orgs.models import ORGAN_KINDS, Unit
from xinfang.petitions.models import Category
from xinfang.petitions.states import PetitionType
from xinfang.stations.models import PeriodKind, UnavailabilityKind, VisitOutcome

from ..forms import (
    BLANK,
    CategoryChoiceField,
    DateInput,
    UnitChoiceField,
    category_choices,
    visible_unit_choices,
)


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class GenerateRotaForm(forms.Form):
    period_kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=gettext_lazy("Month or quarter"),
        min_value=1,
        max_value=12,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SwapRequestForm(forms.Form):
    first = forms.ChoiceField(label=gettext_lazy("Duty to give away"))
    second = forms.ChoiceField(label=gettext_lazy("Duty to take instead"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, duties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = BLANK + [(str(pk), label) for pk, label in duties]
        self.fields["first"].choices = choices  # type: ignore[attr-defined]
        self.fields["second"].choices = choices  # type: ignore[attr-defined]


class SwapDecisionForm(VersionedForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class AbsenceForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Staff member"))
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=UnavailabilityKind.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(pk), name) for pk, name in people]  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    """The walk-in form, made for a phone at the desk: few fields, large targets, tel/numeric keyboards."""

    visitor_name = forms.CharField(label=gettext_lazy("Visitor's name"), max_length=100, required=False)
    visitor_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    visitor_id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    visitor_address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    people_count = forms.IntegerField(
        label=gettext_lazy("People"),
        min_value=1,
        max_value=100000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    subject = forms.CharField(label=gettext_lazy("Matter raised"), max_length=200, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Interview notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    place = UnitChoiceField(label=gettext_lazy("Place of the problem"), queryset=Unit.objects.none())
    category = CategoryChoiceField(
        label=gettext_lazy("Category"), required=False, queryset=Category.objects.none(), empty_label="—"
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (VisitOutcome.PENDING, gettext_lazy("Decide after the interview")),
            (VisitOutcome.RESOLVED, gettext_lazy("Resolved on the spot")),
        ],
        initial=VisitOutcome.PENDING,
        widget=forms.RadioSelect,
    )
    outcome_note = forms.CharField(
        label=gettext_lazy("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, station: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("visitor_name", "subject"):
            self.fields[name].show_required = True  # type: ignore[attr-defined]
        # The station's own area first: its community and compounds, then the rest of the user's reach.
        visible = visible_unit_choices(user).filter(kind__in=["village", "group", "town"]).values("pk")
        places = Unit.objects.filter(Q(pk__in=visible) | Q(pk=station.unit_id)).order_by("path")
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["place"].base_depth = station.unit.depth - 1  # type: ignore[attr-defined]
        self.fields["place"].initial = station.unit_id
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]


class ConcludeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (VisitOutcome.RESOLVED, gettext_lazy("Resolved on the spot")),
            (VisitOutcome.MEDIATION, gettext_lazy("Referred to mediation")),
        ],
        widget=forms.RadioSelect,
        initial=VisitOutcome.RESOLVED,
    )
    note = forms.CharField(
        label=gettext_lazy("What was done, or to whom it was referred"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SummonForm(VersionedForm):
    department = UnitChoiceField(label=gettext_lazy("Department"), queryset=Unit.objects.none())
    task = forms.CharField(
        label=gettext_lazy("What the department is to do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = visible_unit_choices(user, kinds=ORGAN_KINDS)  # type: ignore[attr-defined]
        self.fields["department"].base_depth = 3  # type: ignore[attr-defined]
        self.fields["due_on"].initial = timezone.localdate() + dt.timedelta(days=7)


class ToPetitionForm(VersionedForm):
    request = forms.CharField(
        label=gettext_lazy("Request"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    petition_type = forms.ChoiceField(
        label=gettext_lazy("Type (optional at intake)"),
        required=False,
        choices=BLANK + list(PetitionType.choices),
    )


class SummonsDoneForm(forms.Form):
    result = forms.CharField(label=gettext_lazy("What the department did"), required=False, max_length=4000)


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", "id_number"), ("phone", "phone")], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


class HotlineImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Hotline file (CSV or XLSX)"),
        help_text=gettext_lazy("Columns: ticket number, time, area, type, category, content, satisfaction."),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, write nothing"), required=False)


class HotlineFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )


class ConvertSignalForm(VersionedForm):
    confirmed_grievance = forms.BooleanField(
        label=gettext_lazy("I confirmed with the caller that this is a grievance or request (申诉求决)"),
        required=False,
    )
    principal_name = forms.CharField(label=gettext_lazy("Petitioner's name"), max_length=100, required=False)
    principal_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    principal_id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30, required=False)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    request = forms.CharField(
        label=gettext_lazy("Request"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
