"""Forms of the social forces, mediation and consent campaign pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.community.eligibility import ChecklistItem
from xinfang.community.models import (
    ConsentMethod,
    ConsentStatus,
    ForceKind,
    Household,
    LinkRole,
    SocialForce,
    SocialForceMember,
)
from xinfang.orgs.models import AREA_KINDS, Unit

from ..forms import BLANK, DateInput, UnitChoiceField, visible_unit_choices


def _textarea(label: Any, *, required: bool = True, rows: int = 2, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), initial=timezone.localdate)


class VersionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AreaForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = visible_unit_choices(user, kinds=AREA_KINDS)  # type: ignore[attr-defined]


class ForceFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), required=False, choices=BLANK + list(ForceKind.choices)
    )


class ForceForm(AreaForm):
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=ForceKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    area = UnitChoiceField(label=gettext_lazy("Area served"), queryset=Unit.objects.none())
    skills = forms.CharField(label=gettext_lazy("Skills"), max_length=300, required=False)
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=40, required=False)
    description = _textarea(gettext_lazy("Description"), required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    title = forms.CharField(label=gettext_lazy("Post"), max_length=60, required=False)
    skills = forms.CharField(label=gettext_lazy("Skills"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    joined_on = _date(gettext_lazy("Joined on"))


class LeaveForm(forms.Form):
    left_on = _date(gettext_lazy("Left on"))


class LinkForm(forms.Form):
    force = forms.ModelChoiceField(label=gettext_lazy("Social force"), queryset=SocialForce.objects.none())
    role = forms.ChoiceField(label=gettext_lazy("Takes part as"), choices=LinkRole.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, forces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = forces  # type: ignore[attr-defined]


class ReferralForm(VersionForm):
    """The eligibility checklist: one yes/no question per item, then the other side and a note."""

    respondents = forms.CharField(
        label=gettext_lazy("The other side of the dispute"),
        max_length=500,
        help_text=gettext_lazy(
            "One name per line: the firm, neighbour or body the petitioners are in dispute with."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = _textarea(gettext_lazy("Note"), required=False)

    def __init__(self, *args: Any, items: list[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"q_{item.code}"] = forms.TypedChoiceField(
                label=str(item.question),
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                required=False,
            )

    def answers(self) -> dict[str, bool]:
        answers = {}
        for item in self.items:
            value = self.cleaned_data.get(f"q_{item.code}")
            if isinstance(value, bool):
                answers[item.code] = value
        return answers

    def questions(self) -> list[Any]:
        return [self[f"q_{item.code}"] for item in self.items]

    def respondent_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["respondents"].splitlines() if line.strip()]


class ConsentForm(forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput)
    consents = forms.TypedChoiceField(
        label=gettext_lazy("Answer"),
        choices=[("yes", gettext_lazy("Consents")), ("no", gettext_lazy("Refuses"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    given_on = _date(gettext_lazy("On"))
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=ConsentMethod.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class AssignForm(VersionForm):
    mediator = forms.ModelChoiceField(
        label=gettext_lazy("Mediator"), queryset=SocialForceMember.objects.none(), empty_label="—"
    )

    def __init__(self, *args: Any, mediators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mediator"]
        field.queryset = mediators  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: f"{m.name} · {m.force.name}"  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    contacted_at = forms.DateTimeField(
        label=gettext_lazy("Contacted at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=ConsentMethod.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class AgreementForm(VersionForm):
    dispute = _textarea(gettext_lazy("Facts of the dispute and the issues"), rows=3)
    terms = _textarea(gettext_lazy("Terms agreed"), rows=4)
    performance = _textarea(gettext_lazy("How and by when it is performed"))
    signed_on = _date(gettext_lazy("Signed on"))


class FailForm(VersionForm):
    reason = _textarea(gettext_lazy("Why mediation ended without agreement"))


class CampaignForm(AreaForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    area = UnitChoiceField(label=gettext_lazy("Area"), queryset=Unit.objects.none())
    goal = _textarea(gettext_lazy("Goal"))
    threshold = forms.DecimalField(
        label=gettext_lazy("Threshold (%)"),
        max_digits=5,
        decimal_places=2,
        initial=95,
        min_value=1,
        max_value=100,
    )
    social_force = forms.ModelChoiceField(
        label=gettext_lazy("Social force doing the work"), queryset=SocialForce.objects.none()
    )
    starts_on = _date(gettext_lazy("Starts on"))

    def __init__(self, *args: Any, forces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["social_force"].queryset = forces  # type: ignore[attr-defined]


class HouseholdsForm(forms.Form):
    lines = forms.CharField(
        label=gettext_lazy("Households, one per line: address, head of household"),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "宿舍1栋101 王建国\n宿舍1栋102 李秀英"}),
        help_text=gettext_lazy("Only the surname of the head of household is kept (王**)."),
        max_length=100000,
    )

    def households(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.cleaned_data["lines"].splitlines():
            parts = line.strip().replace("，", " ").replace(",", " ").replace("\t", " ").split()
            if parts:
                rows.append((parts[0], parts[1] if len(parts) > 1 else ""))
        return rows


class HouseholdConsentForm(VersionForm):
    expected_for = forms.IntegerField(widget=forms.HiddenInput, required=False)
    household = forms.ModelChoiceField(label=gettext_lazy("Household"), queryset=Household.objects.none())
    status = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=[(v, label) for v, label in ConsentStatus.choices if v != ConsentStatus.NOT_VISITED],
    )
    on = _date(gettext_lazy("On"))
    worked_by = forms.ModelChoiceField(
        label=gettext_lazy("Member who did the work"),
        queryset=SocialForceMember.objects.none(),
        required=False,
        empty_label="—",
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, households: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        field.queryset = households  # type: ignore[attr-defined]
        field.label_from_instance = lambda h: f"{h.address_label} {h.head_name} · {h.get_status_display()}"  # type: ignore[attr-defined]
        self.fields["worked_by"].queryset = members  # type: ignore[attr-defined]
