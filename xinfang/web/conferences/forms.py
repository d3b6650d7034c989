"""Forms of the conference pages. They parse and check the shape of input; the rules are the services'.

Each form names, in ``error_fields``, the field a service refusal (by its code) belongs beside, so the
message appears there with what was typed kept. Forms sent against a record carry its
``expected_version``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts import scoping
from xinfang.accounts.models import Membership, User
from xinfang.conferences import selectors
from xinfang.conferences.models import (
    CONFERENCE_LEVEL_KINDS,
    AttendanceStatus,
    ConferenceForm,
    Decision,
    DecisionStatus,
    Funding,
    ItemSource,
    JointConference,
    MeasureKind,
    Meeting,
    MeetingKind,
    ParticipantRole,
)
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.selectors import ancestor_paths, prefix_lookup
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import OPEN_STATES, DeliveryMethod, PetitionType

from ..forms import DateInput, MultipleFileField, UnitChoiceField

WEEKDAYS = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def _text(
    label: Any, *, rows: int = 3, required: bool = True, max_length: int | None = None
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class BaseForm(forms.Form):
    error_fields: dict[str, str] = {}

    def add_service_error(self, code: str, message: str) -> None:
        field = self.error_fields.get(code)
        self.add_error(field if field in self.fields else None, message)


class VersionedForm(BaseForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def area_units(conference: JointConference) -> QuerySet[Unit]:
    """Active units of the conference's area (villager groups left out), in tree order."""
    return (
        Unit.objects.filter(prefix_lookup("path", conference.area.path), is_active=True)
        .exclude(kind=UnitKind.GROUP)
        .order_by("path")
    )


def _units_field(field: Any, conference: JointConference, qs: QuerySet[Unit] | None = None) -> None:
    field.queryset = qs if qs is not None else area_units(conference)
    field.base_depth = conference.area.depth


# --- setting up --------------------------------------------------------------------------------------


class ConferenceNewForm(BaseForm):
    area = UnitChoiceField(label=gettext_lazy("Area"), queryset=Unit.objects.none())
    form = forms.ChoiceField(label=gettext_lazy("Form"), choices=ConferenceForm.choices)
    office_unit = UnitChoiceField(
        label=gettext_lazy("Conference office"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=gettext_lazy("The unit that runs the secretariat, usually the petition office."),
    )
    name = forms.CharField(
        label=gettext_lazy("Name (empty: the official name of the area)"), required=False, max_length=120
    )
    error_fields = {"level": "area", "exists": "area", "unit_outside": "office_unit", "form": "form"}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = scoping.visible_units(user).filter(kind__in=CONFERENCE_LEVEL_KINDS, is_active=True)
        taken = JointConference.objects.filter(is_active=True).values("area_id")
        self.fields["area"].queryset = areas.exclude(pk__in=taken).order_by("path")  # type: ignore[attr-defined]
        offices = scoping.visible_units(user).filter(kind=UnitKind.PETITION_OFFICE, is_active=True)
        self.fields["office_unit"].queryset = (  # type: ignore[attr-defined]
            offices.order_by("path")
        )


class RuleForm(VersionedForm):
    monthly_day = forms.IntegerField(
        label=gettext_lazy("Monthly working meeting on day"), min_value=1, max_value=28
    )
    weekly_weekday = forms.TypedChoiceField(
        label=gettext_lazy("Weekly meeting in key periods on"), choices=WEEKDAYS, coerce=int
    )
    meeting_time = forms.TimeField(label=gettext_lazy("Usual meeting time"), widget=TimeInput())
    default_place = forms.CharField(label=gettext_lazy("Usual meeting place"), required=False, max_length=120)
    notice_lead_days = forms.IntegerField(
        label=gettext_lazy("Notice lead time (working days)"), min_value=0, max_value=20
    )
    escalation_days = forms.IntegerField(
        label=gettext_lazy("Days for the upper conference to decide an escalated item"),
        min_value=1,
        max_value=180,
    )
    error_fields = {
        "monthly_day": "monthly_day",
        "weekday": "weekly_weekday",
        "lead": "notice_lead_days",
        "escalation_days": "escalation_days",
    }


class MemberForm(BaseForm):
    unit = UnitChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    duty = forms.CharField(label=gettext_lazy("Duty in the conference"), required=False, max_length=120)
    error_fields = {"exists": "unit", "unit_outside": "unit"}

    def __init__(self, *args: Any, conference: JointConference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = conference.members.filter(left_on__isnull=True).values("unit_id")
        _units_field(self.fields["unit"], conference, area_units(conference).exclude(pk__in=members))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        seats = "、".join(m.unit.name for m in obj.memberships.all() if m.is_active)
        return f"{obj.display_name()} · {seats}" if seats else obj.display_name()


def staff_of_area(conference: JointConference) -> QuerySet[User]:
    """Active staff with a seat in the area or one covering it."""
    area = conference.area
    seats = Membership.objects.filter(is_active=True).filter(
        prefix_lookup("unit__path", area.path) | Q(unit__path__in=ancestor_paths(area.path))
    )
    return (
        User.objects.filter(is_active=True, pk__in=seats.values("user_id"))
        .prefetch_related("memberships__unit")
        .order_by("username")
    )


class ParticipantForm(BaseForm):
    person = PersonChoiceField(label=gettext_lazy("Staff member"), queryset=User.objects.none())
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ParticipantRole.choices)
    title = forms.CharField(label=gettext_lazy("Post title"), required=False, max_length=60)
    error_fields = {"leader": "person", "outside": "person", "exists": "person", "person": "person"}

    def __init__(self, *args: Any, conference: JointConference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_of_area(conference)  # type: ignore[attr-defined]


class KeyPeriodForm(BaseForm):
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    error_fields = {"past": "starts_on", "order": "ends_on", "too_long": "ends_on", "overlap": "starts_on"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault("ends_on", today + dt.timedelta(days=27))


# --- agenda --------------------------------------------------------------------------------------------


class PetitionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.subject} · {obj.get_state_display()}"


def proposable_petitions(user: Any, conference: JointConference, limit: int = 100) -> QuerySet[Petition]:
    """Open petitions of the area the user may see and may bring: no accusation, not before a conference."""
    from xinfang.conferences.services import HOLDING_STATUSES

    qs = (
        visible_petitions(user)
        .filter(prefix_lookup("place__path", conference.area.path), state__in=list(OPEN_STATES))
        .exclude(petition_type=PetitionType.ACCUSATION)
        .exclude(conference_links__item__status__in=HOLDING_STATUSES)
        .order_by("-received_at", "-pk")
    )
    ids = list(qs.values_list("pk", flat=True)[:limit])
    return Petition.objects.filter(pk__in=ids).order_by("-received_at", "-pk")


class ProposeForm(BaseForm):
    source = forms.ChoiceField(
        label=gettext_lazy("Where the item comes from"),
        choices=[(value, label) for value, label in ItemSource.choices if value != ItemSource.ESCALATION],
        widget=forms.RadioSelect,
        initial=ItemSource.PETITION,
    )
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=200, widget=forms.TextInput(attrs={"data-wide": ""})
    )
    reasons = _text(gettext_lazy("Why one unit cannot solve it alone"), rows=4)
    petitions = PetitionChoiceField(
        label=gettext_lazy("Petitions"),
        queryset=Petition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    numbers = forms.CharField(
        label=gettext_lazy("Or petition numbers"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Separated by spaces or commas."),
    )
    dispute_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units in dispute (for a dispute)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    error_fields = {
        "petitions": "petitions",
        "twice": "petitions",
        "not_open": "petitions",
        "accusation": "petitions",
        "outside": "petitions",
        "already_on_agenda": "petitions",
        "dispute_units": "dispute_units",
        "unit_outside": "dispute_units",
        "source": "source",
    }

    def __init__(self, *args: Any, user: Any, conference: JointConference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["petitions"].queryset = proposable_petitions(user, conference)  # type: ignore[attr-defined]
        self.fields["dispute_units"].queryset = area_units(conference)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ids = [p.pk for p in data.get("petitions") or []]
        numbers = [n for n in re.split(r"[\s,，、;；]+", data.get("numbers") or "") if n]
        if numbers:
            found = dict(visible_petitions(self.user).filter(number__in=numbers).values_list("number", "pk"))
            unknown = [n for n in numbers if n not in found]
            if unknown:
                self.add_error(
                    "numbers", _("Unknown petition number: %(numbers)s") % {"numbers": " ".join(unknown)}
                )
            ids += [found[n] for n in numbers if n in found and found[n] not in ids]
        data["petition_ids"] = ids
        return data


class AcceptForm(VersionedForm):
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("Put on the meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="—",
    )
    position = forms.IntegerField(
        label=gettext_lazy("Order on the agenda"), min_value=1, max_value=999, required=False
    )
    error_fields = {"meeting": "meeting", "position": "position"}

    def __init__(self, *args: Any, conference: JointConference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        field.queryset = selectors.open_meetings(conference)  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: (  # type: ignore[attr-defined]
            f"{timezone.localtime(m.scheduled_at):%Y-%m-%d %H:%M} {m.get_kind_display()} {m.topic}".strip()
        )


class ReturnForm(VersionedForm):
    reason = _text(gettext_lazy("Reason for returning"), rows=2, max_length=300)
    error_fields = {"required": "reason"}


class EscalateForm(VersionedForm):
    reason = _text(gettext_lazy("Why this level cannot solve it"), rows=4)
    documents = MultipleFileField(
        label=gettext_lazy("Documents (report, materials)"),
        required=False,
        help_text=gettext_lazy("PDF, images, Word, Excel, text or audio; at most 20 MB each."),
    )
    error_fields = {"required": "reason", "attachment": "documents", "no_upper": "reason"}


# --- meetings ------------------------------------------------------------------------------------------


class MeetingForm(BaseForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=MeetingKind.choices, initial=MeetingKind.WORKING
    )
    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    time = forms.TimeField(label=gettext_lazy("Time"), widget=TimeInput(), initial=dt.time(9, 0))
    place = forms.CharField(label=gettext_lazy("Meeting place"), required=False, max_length=120)
    topic = forms.CharField(
        label=gettext_lazy("Topic"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"data-wide": ""}),
    )
    error_fields = {"past": "day", "kind": "kind", "too_long": "topic"}

    def scheduled_at(self) -> dt.datetime:
        day, time = self.cleaned_data["day"], self.cleaned_data["time"]
        return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


class CancelForm(VersionedForm):
    reason = forms.CharField(label=gettext_lazy("Reason for cancelling"), max_length=200)
    error_fields = {"required": "reason"}


class HoldForm(VersionedForm):
    """When the meeting was held, who chaired, and one attendance row per member unit."""

    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DateInput())
    held_time = forms.TimeField(label=gettext_lazy("At"), widget=TimeInput())
    chair = forms.ModelChoiceField(label=gettext_lazy("Chaired by"), queryset=User.objects.none())
    error_fields = {"chair": "chair", "future": "held_on"}

    def __init__(self, *args: Any, conference: JointConference, meeting: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        convenors = selectors.active_participants(conference).filter(role=ParticipantRole.CONVENOR)
        chair = self.fields["chair"]
        chair.queryset = User.objects.filter(pk__in=convenors.values("user_id"))  # type: ignore[attr-defined]
        chair.label_from_instance = lambda u: u.display_name()  # type: ignore[attr-defined]
        self.members = list(selectors.active_members(conference))
        for member in self.members:
            key = member.unit_id
            self.fields[f"status_{key}"] = forms.ChoiceField(
                label=member.unit.name, choices=AttendanceStatus.choices, initial=AttendanceStatus.PRESENT
            )
            self.fields[f"attendee_{key}"] = forms.CharField(
                label=gettext_lazy("Attendee"), required=False, max_length=80
            )
            self.fields[f"reason_{key}"] = forms.CharField(
                label=gettext_lazy("Reason for absence"), required=False, max_length=200
            )
        if not self.is_bound:
            when = timezone.localtime(meeting.scheduled_at)
            self.initial.update({"held_on": when.date(), "held_time": when.time().replace(second=0)})
            if len(convenors) == 1:
                self.initial["chair"] = convenors[0].user_id

    def rows(self) -> list[tuple[Any, Any, Any, Any]]:
        """(member, status field, attendee field, reason field) for the template."""
        return [
            (m, self[f"status_{m.unit_id}"], self[f"attendee_{m.unit_id}"], self[f"reason_{m.unit_id}"])
            for m in self.members
        ]

    def held_at(self) -> dt.datetime:
        return dt.datetime.combine(
            self.cleaned_data["held_on"],
            self.cleaned_data["held_time"],
            tzinfo=timezone.get_current_timezone(),
        )

    def entries(self) -> list[Any]:
        from xinfang.conferences.services import AttendanceEntry

        data = self.cleaned_data
        return [
            AttendanceEntry(
                unit_id=m.unit_id,
                status=data[f"status_{m.unit_id}"],
                attendee=data.get(f"attendee_{m.unit_id}") or "",
                absence_reason=data.get(f"reason_{m.unit_id}") or "",
            )
            for m in self.members
        ]


# --- minutes and decisions ------------------------------------------------------------------------------


class MinutesForm(VersionedForm):
    summary = _text(gettext_lazy("Summary of the meeting"), rows=5)
    distribution = forms.CharField(
        label=gettext_lazy("Distribution (empty: every member unit)"), required=False, max_length=300
    )
    error_fields = {"required": "summary", "too_long": "distribution"}


class DecisionForm(VersionedForm):
    statement = _text(gettext_lazy("What the conference decided"), rows=3)
    measures = _text(gettext_lazy("Measures"), rows=3)
    lead_unit = UnitChoiceField(label=gettext_lazy("Lead unit"), queryset=Unit.objects.none())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Cooperating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    funding = forms.ChoiceField(label=gettext_lazy("Funding"), choices=Funding.choices, initial=Funding.NONE)
    funding_reference = forms.CharField(
        label=gettext_lazy("Budget line or project"), required=False, max_length=200
    )
    budget_amount = forms.DecimalField(
        label=gettext_lazy("Budget (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=DateInput())
    error_fields = {
        "unit_outside": "lead_unit",
        "twice": "cooperating_units",
        "funding": "funding",
        "funding_reference": "funding_reference",
        "budget": "budget_amount",
        "due_on": "due_on",
    }

    def __init__(
        self, *args: Any, conference: JointConference, decision: Decision | None = None, **kwargs: Any
    ):
        if decision is not None and not kwargs.get("data") and not args:
            kwargs.setdefault(
                "initial",
                {
                    "statement": decision.statement,
                    "measures": decision.measures,
                    "lead_unit": decision.lead_unit_id,
                    "cooperating_units": list(decision.cooperating_units.values_list("pk", flat=True)),
                    "funding": decision.funding,
                    "funding_reference": decision.funding_reference,
                    "budget_amount": decision.budget_amount,
                    "due_on": decision.due_on,
                    "expected_version": decision.version,
                },
            )
        super().__init__(*args, **kwargs)
        _units_field(self.fields["lead_unit"], conference)
        self.fields["cooperating_units"].queryset = area_units(conference)  # type: ignore[attr-defined]
        self.fields["cooperating_units"].label_from_instance = (  # type: ignore[attr-defined]
            lambda unit: "\u3000" * max(0, unit.depth - conference.area.depth) + unit.name
        )


class ProgressForm(BaseForm):
    text = _text(gettext_lazy("Progress"), rows=2)
    error_fields = {"required": "text"}


class CompleteForm(VersionedForm):
    result = _text(gettext_lazy("What was done"), rows=3)
    done_on = forms.DateField(label=gettext_lazy("Done on"), widget=DateInput())
    evidence = MultipleFileField(
        label=gettext_lazy("Evidence (acceptance report, photos, payment records)"),
        required=False,
        help_text=gettext_lazy("PDF, images, Word, Excel, text or audio; at most 20 MB each."),
    )
    error_fields = {
        "required": "result",
        "evidence": "evidence",
        "attachment": "evidence",
        "future": "done_on",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("done_on", timezone.localdate())


class ReplyForm(BaseForm):
    method = forms.ChoiceField(
        label=gettext_lazy("Delivered"), choices=DeliveryMethod.choices, initial=DeliveryMethod.IN_PERSON
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- supervision ---------------------------------------------------------------------------------------


class MeasureForm(BaseForm):
    kind = forms.ChoiceField(label=gettext_lazy("Measure"), choices=MeasureKind.choices)
    unit = UnitChoiceField(label=gettext_lazy("Against unit"), queryset=Unit.objects.none())
    reason = _text(gettext_lazy("Reason"), rows=3)
    issued_on = forms.DateField(label=gettext_lazy("Date of the measure"), widget=DateInput())
    decision = forms.ModelChoiceField(
        label=gettext_lazy("About the decision"),
        queryset=Decision.objects.none(),
        required=False,
        empty_label="—",
    )
    error_fields = {"unit_outside": "unit", "kind": "kind", "required": "reason", "future": "issued_on"}

    def __init__(self, *args: Any, conference: JointConference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _units_field(self.fields["unit"], conference, area_units(conference).exclude(pk=conference.area_id))
        decisions = Decision.objects.filter(item__conference=conference).exclude(status=DecisionStatus.DRAFT)
        field = self.fields["decision"]
        field.queryset = decisions.order_by("due_on")  # type: ignore[attr-defined]
        field.label_from_instance = lambda d: f"{d.due_on:%Y-%m-%d} {d.lead_unit.name} · {d.statement[:40]}"  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("issued_on", timezone.localdate())


class LiftForm(BaseForm):
    reason = forms.CharField(label=gettext_lazy("Reason for lifting"), max_length=300)
    error_fields = {"required": "reason", "before": "reason"}
