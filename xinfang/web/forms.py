"""Forms of the staff workbench: the petition list filters, fast intake, one form per lifecycle action.

Forms parse and check the shape of input; the rules live in the services. Every action form carries
the petition's ``expected_version`` so that a page opened before someone else's change gets the
conflict message instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts import scoping
from xinfang.accounts.models import Membership, Role, User
from xinfang.orgs.models import AREA_KINDS, ORGAN_KINDS, Unit, UnitKind
from xinfang.orgs.selectors import ancestor_paths
from xinfang.petitions.models import Category, Petition, Suggestion
from xinfang.petitions.states import (
    Channel,
    Decision,
    DeliveryMethod,
    NoticeExemption,
    PetitionType,
    Procedure,
    Rating,
    State,
)

from .petitions.queues import QUEUES

BLANK = [("", "—")]
INDENT = "\u3000"  # an ideographic space per tree level keeps Chinese names aligned
COUNTY_LEVEL = 3  # functional departments exist from county level up


# --- unit choices ----------------------------------------------------------------------------------


def unit_label(unit: Unit, base_depth: int = 1) -> str:
    return INDENT * max(0, unit.depth - base_depth) + unit.name


class UnitChoiceField(forms.ModelChoiceField):
    """A select of units in tree order, indented by depth."""

    def label_from_instance(self, obj: Any) -> str:
        return unit_label(obj, getattr(self, "base_depth", 1))


def visible_unit_choices(user: Any, *, kinds: Iterable[str] | None = None) -> QuerySet[Unit]:
    """Active units of the user's jurisdiction (villager groups left out: nothing is sent to them)."""
    qs = scoping.visible_units(user).filter(is_active=True).exclude(kind=UnitKind.GROUP)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.order_by("path")


def addressable_units(user: Any, *, kinds: Iterable[str] | None = None) -> QuerySet[Unit]:
    """Units a matter may be sent to: the user's jurisdiction, plus the organs of the areas just above it
    (a town reports to the county's petition bureau or refers to its discipline commission; a county
    to the city's). Organs higher up are left out: nobody routes a village matter to the province."""
    qs = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.GROUP)
    if not scoping.sees_everything(user):
        condition = scoping.jurisdiction_q(user, "path")
        for root in scoping.jurisdiction_roots(user):
            for path in _enclosing_area_paths(root):
                condition |= Q(
                    path__startswith=path, depth=len(path) // Unit.steplen + 1, kind__in=ORGAN_KINDS
                )
        qs = qs.filter(condition)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.order_by("path")


def _enclosing_area_paths(root: Unit) -> list[str]:
    """Paths of the areas above ``root`` whose organs it addresses: those down from its county for a
    town or village, the parent area for a county or higher."""
    area = root.area()
    paths = ancestor_paths(area.path)
    if area.level > COUNTY_LEVEL:
        return paths[-(area.level - COUNTY_LEVEL) :]
    return paths[-1:]


def area_place_labels(user: Any) -> list[tuple[str, Unit]]:
    """Every visible area as (label, unit); the label names the areas from the top of the
    jurisdiction down (e.g. "望城街道 南屏苑社区"), so that labels are unique and can be typed."""
    units = list(scoping.visible_units(user).filter(is_active=True, kind__in=AREA_KINDS).order_by("path"))
    by_path = {u.path: u for u in units}
    labels = []
    for unit in units:
        names = [by_path[p].name for p in ancestor_paths(unit.path) if p in by_path] + [unit.name]
        # The jurisdiction's own top area is implied: leave it out unless it is the unit itself.
        if len(names) > 1:
            names = names[1:]
        labels.append((" ".join(names), unit))
    return labels


def resolve_place(user: Any, text: str, *, lenient: bool = False) -> Unit | str | None:
    """The visible area named by ``text``: an exact label, a unique name, or a unique partial match.

    Returns the unit, None when nothing matches, or an error message when several do. ``lenient``
    takes the broadest of several matches when it contains all the others (for hints, not for saving).
    """
    text = " ".join(text.split())
    if not text:
        return None
    labels = area_place_labels(user)
    for label, unit in labels:
        if label == text or unit.code == text:
            return unit
    compact = text.replace(" ", "")
    exact = [u for label, u in labels if u.name == compact]
    if len(exact) == 1:
        return exact[0]
    partial = [u for label, u in labels if compact in label.replace(" ", "")]
    if len(partial) == 1:
        return partial[0]
    if lenient and partial:
        # While typing, "南屏苑" means the community rather than one of its compounds.
        top = min(partial, key=lambda u: u.depth)
        if all(u.path.startswith(top.path) for u in partial):
            return top
    if len(exact) > 1 or len(partial) > 1:
        return _("Several places match “%(text)s”; pick one from the list.") % {"text": text}
    return None


class GroupedCategoryIterator(forms.models.ModelChoiceIterator):
    """Categories grouped under their first-level category (one <optgroup> each), so a three-level
    taxonomy of hundreds of entries stays readable; the first-level category itself opens its group."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[int, tuple[str, list[tuple[str, Any]]]] = {}
        for category in self.queryset:
            top = category.top()
            groups.setdefault(top.pk, (top.name, []))[1].append((category.path_name(), self.choice(category)))
        for name, entries in sorted(groups.values(), key=lambda group: group[0]):
            yield (name, [choice for _path, choice in sorted(entries, key=lambda entry: entry[0])])


class CategoryChoiceField(forms.ModelChoiceField):
    iterator = GroupedCategoryIterator

    def label_from_instance(self, obj: Any) -> str:
        names = obj.path_name().split(" / ")
        return " / ".join(names[1:]) if len(names) > 1 else obj.name


# --- petition list ---------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PetitionFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Number, subject, request, name, or an exact phone / ID number"),
            }
        ),
    )
    queue = forms.ChoiceField(label=gettext_lazy("Queue"), required=False)
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), required=False, queryset=Unit.objects.none(), empty_label="—"
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=BLANK + list(State.choices)
    )
    petition_type = forms.ChoiceField(
        label=gettext_lazy("Type"), required=False, choices=BLANK + list(PetitionType.choices)
    )
    category = CategoryChoiceField(
        label=gettext_lazy("Category"), required=False, queryset=Category.objects.none(), empty_label="—"
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), required=False, choices=BLANK + list(Channel.choices)
    )
    received_from = forms.DateField(label=gettext_lazy("Received from"), required=False, widget=DateInput())
    received_to = forms.DateField(label=gettext_lazy("Received until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = BLANK + [(q.key, q.label) for q in QUEUES]  # type: ignore[attr-defined]
        units = self.fields["unit"]
        units.queryset = visible_unit_choices(user)  # type: ignore[attr-defined]
        roots = scoping.jurisdiction_roots(user)
        units.base_depth = min((r.depth for r in roots), default=1)  # type: ignore[attr-defined]
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]


def category_choices() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent__parent").order_by("level", "name")


# --- intake ----------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class IntakeForm(forms.Form):
    """Fast intake at the reception desk or on the phone. Field order is the tab order.

    Required-ness and the ID number and phone checks are the intake service's (``IntakeError``), so that
    the same translated message appears here, in the API and in imports.
    """

    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=Channel.choices,
        widget=forms.Select(attrs={"autofocus": True}),
    )
    principal_name = forms.CharField(label=gettext_lazy("Petitioner's name"), required=False, max_length=100)
    principal_id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    principal_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    principal_address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=200)
    is_anonymous = forms.BooleanField(label=gettext_lazy("Anonymous (accusations only)"), required=False)
    place = forms.CharField(
        label=gettext_lazy("Place of the problem"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Type part of the name of the village, community or town and pick it from the list."
        ),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    people_count = forms.IntegerField(
        label=gettext_lazy("People involved"),
        min_value=1,
        max_value=100000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    representative_count = forms.IntegerField(
        label=gettext_lazy("Representatives at the visit"),
        min_value=0,
        max_value=1000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    agent_name = forms.CharField(label=gettext_lazy("Agent (optional)"), required=False, max_length=100)
    category = CategoryChoiceField(
        label=gettext_lazy("Category"), required=False, queryset=Category.objects.none(), empty_label="—"
    )
    petition_type = forms.ChoiceField(
        label=gettext_lazy("Type (optional at intake)"),
        required=False,
        choices=BLANK + list(PetitionType.choices),
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), required=False, max_length=200)
    request = forms.CharField(
        label=gettext_lazy("Request"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    facts = forms.CharField(
        label=gettext_lazy("Facts and reasons"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    accused_unit = UnitChoiceField(
        label=gettext_lazy("Accused unit"), required=False, queryset=Unit.objects.none(), empty_label="—"
    )
    accused_description = forms.CharField(
        label=gettext_lazy("Accused person or body"), required=False, max_length=200
    )
    is_urgent_major = forms.BooleanField(
        label=gettext_lazy("Major or urgent: report upward at once"), required=False
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments"),
        required=False,
        help_text=gettext_lazy("PDF, images, Word, Excel, text or audio; at most 20 MB each."),
    )
    registering_unit = forms.ModelChoiceField(
        label=gettext_lazy("Registering unit"), required=False, queryset=Unit.objects.none(), empty_label=None
    )

    # Fields whose typing asks for earlier petitions of the same person (the duplicate warning).
    DUPLICATE_FIELDS = ("principal_name", "principal_id_number", "principal_phone", "place", "subject")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.place_unit: Unit | None = None
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]
        accused = self.fields["accused_unit"]
        accused.queryset = visible_unit_choices(user)  # type: ignore[attr-defined]
        roots = scoping.jurisdiction_roots(user)
        accused.base_depth = min((r.depth for r in roots), default=1)  # type: ignore[attr-defined]
        for name in ("principal_name", "place", "subject", "request"):
            # Checked by the intake service (so anonymous accusations pass), but marked for the eye.
            self.fields[name].show_required = True  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["aria-required"] = "true"
        duplicates_url = reverse("web:intake_duplicates")
        for name in self.DUPLICATE_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": duplicates_url,
                    "hx-trigger": "change" if name == "place" else "keyup changed delay:500ms, change",
                    "hx-params": ",".join(self.DUPLICATE_FIELDS),
                }
            )
        seats = intake_seats(user)
        if len(seats) > 1:
            field = self.fields["registering_unit"]
            field.queryset = Unit.objects.filter(pk__in=[m.unit_id for m in seats])  # type: ignore[attr-defined]
            field.required = True
        else:
            del self.fields["registering_unit"]

    def focus_first_error(self) -> None:
        """Sent back with errors: the first wrong field, not the channel, takes the focus."""
        wrong = [name for name in self.fields if name in self.errors]
        if wrong:
            self.fields["channel"].widget.attrs.pop("autofocus", None)
            self.fields[wrong[0]].widget.attrs["autofocus"] = True

    def clean_place(self) -> str:
        text: str = self.cleaned_data.get("place", "")
        found = resolve_place(self.user, text)
        if isinstance(found, str):
            raise forms.ValidationError(found)
        if found is None and text.strip():
            raise forms.ValidationError(
                _("No place in your jurisdiction is called “%(text)s”; pick one from the list.")
                % {"text": text}
            )
        self.place_unit = found
        return text


def intake_seats(user: Any) -> list[Membership]:
    from xinfang.petitions.lifecycle import INTAKE

    return [m for m in scoping.active_memberships(user) if m.role in INTAKE]


# --- personal data ---------------------------------------------------------------------------------


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", "id_number"), ("phone", "phone")], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        required=False,  # the service refuses an empty reason with its own translated message
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Why do you need the full value?")}),
    )


class SuggestionDecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


# --- lifecycle actions -----------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of every action form: the hidden version the page was drawn from."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, petition: Petition, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_version", petition.version)
        super().__init__(*args, **kwargs)
        self.petition = petition
        self.user = user


def _text(label: Any, *, required: bool = True, rows: int = 2) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


def _today_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), initial=timezone.localdate)


class NoFieldsForm(ActionForm):
    pass


class NoteForm(ActionForm):
    note = _text(gettext_lazy("Note"), required=False)


class ReasonForm(ActionForm):
    reason = _text(gettext_lazy("Reason"))


class OptionalReasonForm(ActionForm):
    reason = _text(gettext_lazy("Reason"), required=False)


class PlanForm(ActionForm):
    plan = _text(gettext_lazy("Follow-up plan"), rows=3)


class _UnitForm(ActionForm):
    unit_kinds: tuple[str, ...] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_unit"]
        field.queryset = addressable_units(self.user, kinds=self.unit_kinds).exclude(  # type: ignore[attr-defined]
            pk=self.petition.current_unit_id
        )
        field.base_depth = 1  # type: ignore[attr-defined]


class ForwardForm(_UnitForm):
    to_unit = UnitChoiceField(label=gettext_lazy("Send to"), queryset=Unit.objects.none())
    note = _text(gettext_lazy("Note"), required=False)


class AssignForm(ForwardForm):
    feedback_days = forms.IntegerField(
        label=gettext_lazy("Feedback due in days (empty: the default limit)"),
        required=False,
        min_value=1,
        max_value=90,
    )


class PoliticalLegalForm(_UnitForm):
    unit_kinds = (UnitKind.POLITICAL_LEGAL,)
    to_unit = UnitChoiceField(label=gettext_lazy("Political-legal organ"), queryset=Unit.objects.none())
    reason = _text(gettext_lazy("Legal route explained to the petitioner"))


class DisciplineForm(_UnitForm):
    unit_kinds = (UnitKind.DISCIPLINE,)
    to_unit = UnitChoiceField(label=gettext_lazy("Discipline inspection unit"), queryset=Unit.objects.none())
    reason = _text(gettext_lazy("Note"), required=False)


class EarlierPetitionForm(ActionForm):
    """Names an earlier matter by its number: one the user can see or that detection proposed here."""

    earlier_number = forms.CharField(label=gettext_lazy("Number of the earlier petition"), max_length=32)
    suggestion_kinds: tuple[str, ...] = ()

    def suggested(self) -> QuerySet[Petition]:
        ids = Suggestion.objects.filter(petition=self.petition, kind__in=self.suggestion_kinds).values(
            "candidate_id"
        )
        return Petition.objects.filter(pk__in=ids)

    def clean_earlier_number(self) -> Petition:
        from xinfang.petitions.selectors import visible_petitions

        number = self.cleaned_data["earlier_number"].strip()
        found = (
            Petition.objects.filter(number=number)
            .filter(
                Q(pk__in=visible_petitions(self.user).values("pk")) | Q(pk__in=self.suggested().values("pk"))
            )
            .select_related("current_unit")
            .first()
        )
        if found is None or found.pk == self.petition.pk:
            raise forms.ValidationError(_("No earlier petition with this number is known to you."))
        return found


class DeclineUpperForm(EarlierPetitionForm):
    suggestion_kinds = (Suggestion.Kind.OPEN_BELOW, Suggestion.Kind.REPEAT)


class DeclineFinalForm(EarlierPetitionForm):
    suggestion_kinds = (Suggestion.Kind.FINAL_MATCH,)


class AcceptForm(ActionForm):
    ROUTES = [
        ("", gettext_lazy("Decide later")),
        ("start_handling", gettext_lazy("Investigate and verify")),
        ("start_study", gettext_lazy("Study the suggestion")),
        ("start_duty", gettext_lazy("Perform the duty or answer")),
    ]
    petition_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=BLANK + list(PetitionType.choices))
    notice_sent_on = forms.DateField(
        label=gettext_lazy("Acceptance notice sent on"),
        required=False,
        widget=DateInput(),
        initial=timezone.localdate,
    )
    notice_exemption = forms.ChoiceField(
        label=gettext_lazy("Or no notice is owed because"),
        required=False,
        choices=BLANK + list(NoticeExemption.choices),
    )
    route = forms.ChoiceField(label=gettext_lazy("Then"), required=False, choices=ROUTES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.petition.petition_type:
            self.fields["petition_type"].initial = self.petition.petition_type

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("notice_exemption"):
            data["notice_sent_on"] = None
        return data


class DivertForm(ActionForm):
    procedure = forms.ChoiceField(
        label=gettext_lazy("Procedure to use instead"), choices=BLANK + list(Procedure.choices)
    )
    reason = _text(gettext_lazy("Reason and the body to turn to"))


class ObjectionForm(ActionForm):
    reason = _text(gettext_lazy("Why the matter is not in your remit"), rows=3)


class SettleForm(ActionForm):
    agreement = _text(gettext_lazy("Agreement signed by the parties"), rows=3)
    signed_on = _today_field(gettext_lazy("Signed on"))


class OpinionForm(ActionForm):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=BLANK + list(Decision.choices))
    facts_found = _text(gettext_lazy("Facts found"), rows=3)
    reasons = _text(gettext_lazy("Reasons"), rows=3)
    legal_basis = _text(gettext_lazy("Legal basis"))


class IssueOpinionForm(OpinionForm):
    issued_on = _today_field(gettext_lazy("Issued on"))


class DecideReviewForm(OpinionForm):
    delivered_on = _today_field(gettext_lazy("Delivered on"))


class DecideReReviewForm(DecideReviewForm):
    hearing_days = forms.IntegerField(
        label=gettext_lazy("Hearing days (not counted)"), min_value=0, max_value=60, initial=0, required=False
    )


class DeliverReplyForm(ActionForm):
    delivered_on = _today_field(gettext_lazy("Received by the petitioner on"))
    method = forms.ChoiceField(label=gettext_lazy("Delivered"), choices=BLANK + list(DeliveryMethod.choices))
    reply_text = _text(
        gettext_lazy("Reply (required for suggestions and duty performance)"), required=False, rows=3
    )


class EvaluateForm(ActionForm):
    rating = forms.ChoiceField(label=gettext_lazy("Rating"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = _text(gettext_lazy("Comment"), required=False)


class AppealRequestForm(ActionForm):
    requested_on = _today_field(gettext_lazy("Requested on"))
    grounds = _text(gettext_lazy("What the petitioner disagrees with"), rows=3)


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=gettext_lazy("Extend by days"), min_value=1, max_value=30, initial=30)
    reason = _text(gettext_lazy("Reason (told to the petitioner)"))
    approved_by = forms.ModelChoiceField(label=gettext_lazy("Approved by"), queryset=User.objects.none())
    notice_sent_on = _today_field(gettext_lazy("Petitioner told on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = approvers(self.petition.current_unit)  # type: ignore[attr-defined]


APPROVER_ROLES = (Role.LEADER, Role.COUNTY_OFFICER, Role.TOWN_OFFICER)


def approvers(unit: Unit) -> QuerySet[User]:
    """Users who may approve an extension for ``unit``: heads whose seat covers it (Art. 34)."""
    paths = [*ancestor_paths(unit.path), unit.path]
    seats = Q(unit__path__in=paths)
    for path in paths:
        # Organs of an enclosing area (e.g. the county petition bureau) cover that area.
        seats |= Q(unit__path__startswith=path, unit__depth=len(path) // Unit.steplen + 1)
    candidates = Membership.objects.filter(
        seats, is_active=True, role__in=APPROVER_ROLES, user__is_active=True
    ).select_related("user", "unit")
    ids = {m.user_id for m in candidates if scoping.can_act_in(m.user, unit, *APPROVER_ROLES)}
    return User.objects.filter(pk__in=ids).order_by("username")


def date_or_today(value: dt.date | None) -> dt.date:
    return value or timezone.localdate()
