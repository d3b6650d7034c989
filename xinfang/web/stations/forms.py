"""Forms of the station pages. They check the shape of input; the rules live in the services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.orgs.models import AREA_KINDS, ORGAN_KINDS, Unit
from xinfang.petitions.models import Category
from xinfang.petitions.states import PetitionType
from xinfang.stations import selectors, services
from xinfang.stations.models import (
    DutyPool,
    PeriodKind,
    Station,
    StationStatus,
    UnavailabilityKind,
    VisitOutcome,
    Weekday,
)
from xinfang.stations.schedule import Session, sessions_overlap

from ..forms import (
    BLANK,
    CategoryChoiceField,
    DateInput,
    UnitChoiceField,
    category_choices,
    unit_label,
    visible_unit_choices,
)


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


# --- station set-up ------------------------------------------------------------------------------

HOURS_RE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})$")
HOURS_SEPARATORS = re.compile(r"[,，、;；]+")


def parse_hours(text: str) -> list[tuple[dt.time, dt.time]]:
    """ "08:30-12:00, 14:30-17:30" -> [(8:30, 12:00), (14:30, 17:30)]; raises ValidationError."""
    sessions = []
    for part in HOURS_SEPARATORS.split(text.strip()):
        part = part.strip()
        if not part:
            continue
        found = HOURS_RE.match(part)
        try:
            if found is None:
                raise ValueError(part)
            h1, m1, h2, m2 = (int(g) for g in found.groups())
            starts, ends = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError:
            raise forms.ValidationError(
                gettext_lazy("Write each session as 08:30-12:00, sessions separated by commas."),
                code="bad_hours",
            ) from None
        if ends <= starts:
            raise forms.ValidationError(gettext_lazy("A session must end after it starts."), code="bad_hours")
        sessions.append((starts, ends))
    return sessions


def format_hours(sessions: list[Session], weekday: int) -> str:
    return ", ".join(f"{s.starts:%H:%M}-{s.ends:%H:%M}" for s in sessions if s.weekday == weekday)


class StationForm(VersionedForm):
    """A station's particulars and weekly hours. The place and the managers are for petition officers."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    unit = UnitChoiceField(label=gettext_lazy("Location"), queryset=Unit.objects.none())
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    serving_area = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Serving area"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Places whose residents the station serves (hold Ctrl to choose several); their hotline "
            "complaints count in the station's figures."
        ),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    opened_on = forms.DateField(label=gettext_lazy("Opened on"), widget=DateInput())
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=StationStatus.choices)
    adjusted_workday_as = forms.TypedChoiceField(
        label=gettext_lazy("Adjusted working weekend days (调休)"),
        choices=[("", gettext_lazy("Closed on adjusted working days"))]
        + [
            (str(v), gettext_lazy("Open with the hours of %(day)s") % {"day": label})
            for v, label in Weekday.choices
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    managers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Station managers"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("They approve swaps and run the station with the petition office."),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def __init__(self, *args: Any, user: Any, station: Station | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station = station
        officer = station is None or selectors.can_appoint_managers(user, station)
        places = selectors.station_places(user)
        areas = scoping.visible_units(user).filter(kind__in=AREA_KINDS, is_active=True)
        people = scoping.scope_queryset(
            user,
            User.objects.filter(is_active=True, memberships__is_active=True),
            path_field="memberships__unit__path",
        )
        if station is not None:
            # What the station already has stays selectable, even where it lies beyond the user's reach.
            places = Unit.objects.filter(Q(pk__in=places.values("pk")) | Q(pk=station.unit_id))
            areas = Unit.objects.filter(Q(pk__in=areas.values("pk")) | Q(pk__in=station.serving_area.all()))
            people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk__in=station.managers.all()))
        self.fields["unit"].queryset = places.order_by("path")  # type: ignore[attr-defined]
        self.fields["serving_area"].queryset = areas.order_by("path")  # type: ignore[attr-defined]
        self.fields["managers"].queryset = people.distinct().order_by("full_name", "username")  # type: ignore[attr-defined]
        self.fields["managers"].label_from_instance = _person_label  # type: ignore[attr-defined]
        for name in ("unit", "serving_area"):
            self.fields[name].base_depth = 3  # type: ignore[attr-defined]
        self.fields["serving_area"].label_from_instance = lambda u: unit_label(u, 3)  # type: ignore[attr-defined]
        if not officer:
            self.fields["unit"].disabled = True
            self.fields["unit"].help_text = gettext_lazy(
                "Only the petition office above the station may move it."
            )
            del self.fields["managers"]
        self.may_appoint = officer
        self.fields["adjusted_workday_as"].choices = [  # type: ignore[attr-defined]
            ("", _("Closed on adjusted working days")),
            *((str(v), _("Open with the hours of %(day)s") % {"day": label}) for v, label in Weekday.choices),
        ]
        self.hour_fields = []
        for day, label in Weekday.choices:
            name = f"hours_{day}"
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.hour_fields.append(name)
        if station is not None:  # also when bound: a disabled field takes its value from here
            sessions = services.station_sessions(station)
            self.initial.update(
                {
                    "name": station.name,
                    "unit": station.unit_id,
                    "address": station.address,
                    "serving_area": list(station.serving_area.values_list("pk", flat=True)),
                    "opened_on": station.opened_on,
                    "status": station.status,
                    "adjusted_workday_as": station.adjusted_workday_as,
                    "managers": list(station.managers.values_list("pk", flat=True)),
                    "expected_version": station.version,
                    **{f"hours_{day}": format_hours(sessions, day) for day in Weekday.values},
                }
            )
        elif station is None and not self.is_bound:
            self.initial.setdefault("status", StationStatus.OPEN)
            self.initial.setdefault("adjusted_workday_as", Weekday.MONDAY)
            self.initial.setdefault("opened_on", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sessions: list[Session] = []
        for day in Weekday.values:
            name = f"hours_{day}"
            if name in self.errors:
                continue
            try:
                found = [Session(day, a, b) for a, b in parse_hours(data.get(name, ""))]
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                continue
            if sessions_overlap(found):
                self.add_error(name, gettext_lazy("Two sessions of this day overlap."))
            sessions.extend(found)
        data["sessions"] = sessions
        return data

    def hours(self) -> list[Any]:
        return [self[name] for name in self.hour_fields]


def _person_label(person: User) -> str:
    return person.display_name()


WEEKDAY_CHOICES = [(str(v), label) for v, label in Weekday.choices]


class PoolForm(forms.Form):
    """A new duty pool: the organisation that sends staff, how many per shift, on which weekdays."""

    unit = UnitChoiceField(label=gettext_lazy("Supplying organisation"), queryset=Unit.objects.none())
    name = forms.CharField(
        label=gettext_lazy("Name on the rota"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Empty: the organisation's name."),
    )
    people_per_shift = forms.IntegerField(
        label=gettext_lazy("People per shift"),
        min_value=1,
        max_value=services.MAX_PEOPLE_PER_SHIFT,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Weekdays on duty"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every opening day."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_unit_choices(user)  # type: ignore[attr-defined]
        self.fields["unit"].base_depth = 3  # type: ignore[attr-defined]


class PoolEditForm(VersionedForm):
    name = forms.CharField(label=gettext_lazy("Name on the rota"), max_length=100, required=False)
    people_per_shift = forms.IntegerField(
        label=gettext_lazy("People per shift"),
        min_value=1,
        max_value=services.MAX_PEOPLE_PER_SHIFT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Weekdays on duty"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every opening day."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Supplies staff"), required=False)

    def __init__(self, *args: Any, pool: DutyPool, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": pool.name,
                "people_per_shift": pool.people_per_shift,
                "weekdays": [str(d) for d in pool.weekdays or []],
                "is_active": pool.is_active,
                "expected_version": pool.version,
            },
        )
        kwargs["prefix"] = f"pool-{pool.pk}"
        super().__init__(*args, **kwargs)


class MemberAddForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Staff member"))
    joined_on = forms.DateField(label=gettext_lazy("On the duty list from"), widget=DateInput())

    def __init__(self, *args: Any, pool: DutyPool, people: list[Any], **kwargs: Any) -> None:
        kwargs["prefix"] = f"add-{pool.pk}"
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = BLANK + [(str(p.pk), p.display_name()) for p in people]  # type: ignore[attr-defined]
        self.fields["joined_on"].initial = timezone.localdate()


class MemberLeaveForm(forms.Form):
    left_on = forms.DateField(label=gettext_lazy("Last day on the list"), widget=DateInput())

    def __init__(self, *args: Any, member_id: int, **kwargs: Any) -> None:
        kwargs["prefix"] = f"leave-{member_id}"
        super().__init__(*args, **kwargs)
        self.fields["left_on"].initial = timezone.localdate()


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
