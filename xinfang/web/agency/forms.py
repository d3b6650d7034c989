"""Forms of the agency pages. They parse and check the shape of input; the rules are the services'."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts.models import User
from xinfang.agency.models import AgentKind, ClaimKind, TaskKind
from xinfang.agency.services import ClaimInput
from xinfang.orgs.models import AREA_KINDS, ORGAN_KINDS, Unit
from xinfang.petitions.intake import PersonData
from xinfang.petitions.models import Category

from ..forms import (
    BLANK,
    CategoryChoiceField,
    DateInput,
    UnitChoiceField,
    addressable_units,
    category_choices,
    resolve_place,
    visible_unit_choices,
)


def _textarea(label: Any, *, required: bool = True, rows: int = 2, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def _date(label: Any, *, required: bool = True, initial: Any = timezone.localdate) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), initial=initial)


class VersionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AgentForm(forms.Form):
    unit = UnitChoiceField(label=gettext_lazy("Unit served"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AgentKind.choices)
    login = forms.ModelChoiceField(
        label=gettext_lazy("Login (if the agent has one)"), queryset=User.objects.none(), required=False
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    certificate_number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=40)
    certified_on = _date(gettext_lazy("Certified on"))
    certified_by = forms.CharField(label=gettext_lazy("Certificate issued by"), max_length=100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_unit_choices(user, kinds=AREA_KINDS)  # type: ignore[attr-defined]
        units = visible_unit_choices(user)
        self.fields["login"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(memberships__unit__in=units, memberships__is_active=True, agent__isnull=True)
            .distinct()
            .order_by("username")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or "").strip() and data.get("login") is not None:
            data["name"] = data["login"].display_name()
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Give the name."))
        return data

    def person(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(name=d["name"], id_number=d["id_number"], phone=d["phone"])


class StatusForm(VersionForm):
    reason = _textarea(gettext_lazy("Reason"))


class MandateForm(forms.Form):
    principal_name = forms.CharField(label=gettext_lazy("Principal's name"), max_length=100, required=False)
    principal_id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30, required=False)
    principal_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    principal_address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    scope = _textarea(
        gettext_lazy("Scope of the mandate"),
        rows=3,
    )
    covers_appeals = forms.BooleanField(
        label=gettext_lazy("The form expressly allows requesting review and re-review"), required=False
    )
    starts_on = _date(gettext_lazy("Valid from"))
    ends_on = _date(gettext_lazy("Valid until"), initial=None)
    form = forms.FileField(
        label=gettext_lazy("Signed entrustment form (代理委托书)"),
        required=False,
        help_text=gettext_lazy("PDF or a photo of the signed form; at most 20 MB."),
    )

    def principal(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(
            name=d["principal_name"],
            id_number=d["principal_id_number"],
            phone=d["principal_phone"],
            address=d["principal_address"],
        )


class RevokeForm(VersionForm):
    revoked_on = _date(gettext_lazy("Revoked by the principal on"))
    note = _textarea(gettext_lazy("How the principal revoked it"), required=False)


CLAIM_LINE = re.compile(r"[\s,，、;；\t]+")


def parse_claim_lines(text: str, *, kind: str, debtor: str) -> list[ClaimInput]:
    """One claimant per line: name, amount in yuan, optionally the ID number. Separators: spaces, commas,
    tabs (so a column pasted from a spreadsheet works)."""
    claims: list[ClaimInput] = []
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = [p for p in CLAIM_LINE.split(line.strip()) if p]
        if not parts:
            continue
        if len(parts) < 2 or len(parts) > 3:
            problems.append(
                _("Line %(n)d: write the name, the amount and optionally the ID number.") % {"n": number}
            )
            continue
        name, amount = parts[0], parts[1].replace("元", "")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            problems.append(
                _("Line %(n)d: “%(amount)s” is not an amount.") % {"n": number, "amount": parts[1]}
            )
            continue
        if value <= 0:
            problems.append(_("Line %(n)d: the amount must be more than zero.") % {"n": number})
            continue
        claims.append(
            ClaimInput(
                claimant=PersonData(name=name, id_number=parts[2] if len(parts) == 3 else ""),
                amount=value,
                kind=kind,
                debtor=debtor,
            )
        )
    if problems:
        raise forms.ValidationError(problems)
    return claims


class FilingForm(forms.Form):
    mandates = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Filed on behalf of (mandates in force)"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    request = _textarea(gettext_lazy("Request"), rows=3, max_length=5000)
    facts = _textarea(gettext_lazy("Facts and reasons"), required=False, rows=3, max_length=10000)
    place = forms.CharField(
        label=gettext_lazy("Place of the problem"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    category = CategoryChoiceField(
        label=gettext_lazy("Category"), required=False, queryset=Category.objects.none(), empty_label="—"
    )
    claim_kind = forms.ChoiceField(label=gettext_lazy("Kind of the claims"), choices=ClaimKind.choices)
    debtor = forms.CharField(label=gettext_lazy("Owed by"), max_length=200, required=False)
    claims = forms.CharField(
        label=gettext_lazy("Claims, one claimant per line"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "姚某某 4200\n陈某某 3800 341504198001010011"}
        ),
        help_text=gettext_lazy(
            "Name and amount in yuan, optionally the ID number; a column pasted from a spreadsheet works. "
            "Claimants become co-petitioners."
        ),
    )

    def __init__(self, *args: Any, user: Any, mandate_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.place_unit: Unit | None = None
        self.fields["mandates"].choices = mandate_choices  # type: ignore[attr-defined]
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]

    def clean_place(self) -> str:
        text: str = self.cleaned_data.get("place", "")
        found = resolve_place(self.user, text)
        if isinstance(found, str):
            raise forms.ValidationError(found)
        if found is None:
            raise forms.ValidationError(
                _("No place in your jurisdiction is called “%(text)s”; pick one from the list.")
                % {"text": text}
            )
        self.place_unit = found
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "claims" in data and "claim_kind" in data:
            try:
                data["claim_inputs"] = parse_claim_lines(
                    data["claims"], kind=data["claim_kind"], debtor=data.get("debtor", "")
                )
            except forms.ValidationError as exc:
                self.add_error("claims", exc)
        return data


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Task"), choices=BLANK + list(TaskKind.choices))
    due_on = _date(gettext_lazy("Due on"))
    department = UnitChoiceField(
        label=gettext_lazy("Department"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    note = _textarea(gettext_lazy("Note"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = addressable_units(user, kinds=ORGAN_KINDS)  # type: ignore[attr-defined]


class TaskDoneForm(VersionForm):
    outcome = _textarea(gettext_lazy("What came of it"))


class ClaimForm(forms.Form):
    claimant_name = forms.CharField(label=gettext_lazy("Claimant"), max_length=100, required=False)
    claimant_id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ClaimKind.choices)
    amount = forms.DecimalField(label=gettext_lazy("Amount claimed (yuan)"), max_digits=12, decimal_places=2)
    debtor = forms.CharField(label=gettext_lazy("Owed by"), max_length=200, required=False)

    def claim(self) -> ClaimInput:
        d = self.cleaned_data
        return ClaimInput(
            claimant=PersonData(name=d["claimant_name"], id_number=d["claimant_id_number"]),
            amount=d["amount"],
            kind=d["kind"],
            debtor=d["debtor"],
        )


class PaymentsForm(forms.Form):
    """Money recovered on one day for several claims: one amount field per claim, blank ones skipped."""

    paid_on = _date(gettext_lazy("Paid on"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, claims: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claims = claims
        for claim in claims:
            self.fields[f"amount_{claim.pk}"] = forms.DecimalField(
                label=claim.claimant.name,
                required=False,
                min_value=Decimal("0.01"),
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )

    def amounts(self) -> list[tuple[int, Decimal]]:
        return [
            (claim.pk, self.cleaned_data[f"amount_{claim.pk}"])
            for claim in self.claims
            if self.cleaned_data.get(f"amount_{claim.pk}")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.amounts():
            raise forms.ValidationError(_("Enter the amount recovered for at least one claim."))
        return data


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("What was wrong"), max_length=300)


class LedgerForm(forms.Form):
    unit = UnitChoiceField(
        label=gettext_lazy("Village or community"), queryset=Unit.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_unit_choices(user, kinds=AREA_KINDS)  # type: ignore[attr-defined]
