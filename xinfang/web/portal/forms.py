"""Forms of the citizen portal. They check the shape of what was typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinfang.core.idnumber import validate_id_number
from xinfang.core.phone import validate_phone
from xinfang.orgs.models import Unit, UnitKind
from xinfang.petitions.intake import attachment_problem
from xinfang.petitions.models import Category
from xinfang.petitions.states import Rating

MAX_FILES = 10


def counties() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.COUNTY, is_active=True).order_by("path")


def child_areas(parent: Unit | None, kind: str) -> QuerySet[Unit]:
    if parent is None:
        return Unit.objects.none()
    return Unit.objects.filter(
        path__startswith=parent.path, depth=parent.depth + 1, kind=kind, is_active=True
    ).order_by("path")


def county_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Counties grouped by their city (an <optgroup> each), in tree order."""
    units = list(counties())
    parents = {u.path: u for u in Unit.objects.filter(path__in={u.parent_path() for u in units})}
    groups: dict[str, list[tuple[int, str]]] = {}
    for unit in units:
        parent = parents.get(unit.parent_path())
        groups.setdefault(parent.name if parent else "", []).append((unit.pk, unit.name))
    return list(groups.items())


class PlaceSelect(forms.Select):
    """A select whose options may be replaced in the browser when the level above changes."""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data or []) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
        problems = [problem for problem in (attachment_problem(f) for f in files) if problem]
        if problems:
            raise ValidationError(problems)
        return files


def _unit_from(value: Any) -> Unit | None:
    try:
        return Unit.objects.filter(pk=int(value)).first() if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class SubmitForm(forms.Form):
    """An online petition. County → town → village narrow each other; the village is optional."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number"), max_length=30, help_text=_("The 18 characters on your resident ID card.")
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=40, help_text=_("A mobile or landline number where we can reach you.")
    )
    address = forms.CharField(
        label=_("Address"), max_length=200, help_text=_("Where the written notices can reach you.")
    )
    county = forms.TypedChoiceField(label=_("County or district"), coerce=int, widget=PlaceSelect)
    town = forms.ModelChoiceField(
        label=_("Town or street"), queryset=Unit.objects.none(), widget=PlaceSelect, empty_label="—"
    )
    village = forms.ModelChoiceField(
        label=_("Village or community"),
        queryset=Unit.objects.none(),
        widget=PlaceSelect,
        required=False,
        empty_label=_("— not in a particular village or community —"),
    )
    category = forms.ModelChoiceField(
        label=_("What it is about"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("— not sure —"),
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=200, help_text=_("One line, e.g. “Wages for 2025 not paid”.")
    )
    request = forms.CharField(
        label=_("What you ask for"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    facts = forms.CharField(
        label=_("Facts and reasons"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        help_text=_("What happened, when, who is involved, what you have tried."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, images, Word, Excel, text or audio; up to 10 files of 20 MB each."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        county_field = self.fields["county"]
        assert isinstance(county_field, forms.ChoiceField)
        county_field.choices = [("", "—"), *county_choices()]
        source = self.data if self.is_bound else self.initial
        county = _unit_from(source.get("county"))
        if county is not None and county.kind != UnitKind.COUNTY:
            county = None
        town_field = self.fields["town"]
        assert isinstance(town_field, forms.ModelChoiceField)
        town_field.queryset = child_areas(county, UnitKind.TOWN)
        town = _unit_from(source.get("town"))
        if town is not None and (county is None or town.parent_path() != county.path):
            town = None
        village_field = self.fields["village"]
        assert isinstance(village_field, forms.ModelChoiceField)
        village_field.queryset = child_areas(town, UnitKind.VILLAGE)
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ModelChoiceField)
        category_field.queryset = Category.objects.filter(parent=None, is_active=True).order_by("name")
        for name in ("name", "id_number", "phone", "address"):
            self.fields[name].widget.attrs.setdefault("autocomplete", _AUTOCOMPLETE[name])
        self.fields["id_number"].widget.attrs.update({"inputmode": "text", "spellcheck": "false"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "type": "tel"})
        self.fields["phone"].widget.input_type = "tel"

    def clean_id_number(self) -> str:
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])

    def clean_county(self) -> Unit:
        unit = counties().filter(pk=self.cleaned_data["county"]).first()
        if unit is None:
            raise ValidationError(_("Choose the county or district."))
        return unit

    def place(self) -> Unit:
        """The place of the problem: the village if one was chosen, otherwise the town."""
        return self.cleaned_data.get("village") or self.cleaned_data["town"]


_AUTOCOMPLETE = {"name": "name", "id_number": "off", "phone": "tel", "address": "street-address"}


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Petition number"), max_length=40, help_text=_("For example 341502-2026-000123.")
    )
    code = forms.CharField(
        label=_("Query code"), max_length=20, help_text=_("The 10 letters and digits you were given.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Your rating"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("What you disagree with, and why"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
