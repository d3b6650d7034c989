"""Forms of the analytics pages: correcting a petition's category, choosing the day of the warning list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.models import Category

from ..forms import CategoryChoiceField, DateInput, category_choices


class CategoryCorrectionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    category = CategoryChoiceField(
        label=_("Correct category"), queryset=Category.objects.none(), required=False, empty_label="—"
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]


class WarningDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())

    def day_or(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("day"):
            return min(self.cleaned_data["day"], default)
        return default
