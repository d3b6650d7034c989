"""Petition pages of the staff workbench. Thin: parse with a form, read through the selectors, write
through a service, render. A petition outside the user's reach answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.agency import events as agency_events
from xinfang.community import events as community_events
from xinfang.conferences.events import EVENT_LABELS as CONFERENCE_EVENT_LABELS
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import DomainError
from xinfang.core.idnumber import mask_id_number, normalize_id_number
from xinfang.core.models import Limit
from xinfang.core.phone import mask_phone, parse_phone
from xinfang.core.services import personal_data_reveal
from xinfang.core.xlsx import XLSX_CONTENT_TYPE, build_xlsx
from xinfang.petitions import detection, documents, lifecycle, selectors
from xinfang.petitions.intake import IntakeData, IntakeError, PersonData, petition_register
from xinfang.petitions.models import (
    Attachment,
    Extension,
    Petition,
    PetitionParty,
    PetitionUnit,
    Reminder,
    Suggestion,
)
from xinfang.petitions.states import Decision, Procedure, Rating
from xinfang.petitions.states import PetitionType as PT
from xinfang.petitions.sweep import NO_REMINDER_KINDS

from .. import forms as f
from . import actions, listing, queues

# --- helpers ---------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every view here is behind login_required
    return user


def _petition_or_404(request: HttpRequest, pk: int) -> Petition:
    try:
        return selectors.get_visible_petition(request.user, pk)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


def _detail_petition(request: HttpRequest, pk: int) -> Petition:
    qs = selectors.visible_petitions(request.user).select_related(
        "category__parent__parent",
        "place",
        "current_unit",
        "registering_unit",
        "handling_unit",
        "registered_by",
        "accused_unit",
        "first_handler",
        "repeat_of",
    )
    petition = qs.filter(pk=pk).first()
    if petition is None:
        raise Http404(_("Not found."))
    return petition


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages with personal data are not kept in shared browser caches."""
    response["Cache-Control"] = "no-store"
    return response


def _is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx sent (django-htmx's middleware sets ``request.htmx``)."""
    return bool(getattr(request, "htmx", False))


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


# --- workbench -------------------------------------------------------------------------------------


def workbench_context(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    counts = queues.queue_counts(user, today)
    reminders = queues.unread_reminders(user)
    return {
        "queues": [(q, counts[q.key]) for q in queues.QUEUES],
        "reminders": list(reminders[:20]),
        "reminder_count": reminders.count(),
        "may_register": bool(f.intake_seats(user)) or scoping.sees_everything(user),
        "today": today,
    }


@login_required
@require_POST
def reminder_read(request: HttpRequest, reminder_id: int) -> HttpResponse:
    user = _user(request)
    reminder = get_object_or_404(queues.unread_reminders(user), pk=reminder_id)
    # A reminder is a note to the unit's queue, not part of the case record: marking it read is no event.
    Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())
    if _is_htmx(request):
        return HttpResponse("")
    return redirect("web:home")


# --- list and export -------------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> f.PetitionFilterForm:
    form = f.PetitionFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    return form


def _filtered(
    request: HttpRequest, form: f.PetitionFilterForm, today: dt.date
) -> tuple[QuerySet[Petition], dict[str, Any]]:
    data = form.cleaned_data if form.is_bound else {}
    return listing.filtered_petitions(request.user, data, today), data


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = _filter_form(request)
    qs, data = _filtered(request, form, today)
    queue = queues.QUEUE_BY_KEY.get(data.get("queue") or "")
    page = Paginator(listing.for_table(qs, by_due=bool(queue and queue.urgent)), listing.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for p in page:
        left = listing.days_left(p.next_due, today)  # type: ignore[attr-defined]
        rows.append(
            {
                "p": p,
                "flags": listing.flags_of(p),
                "left": left,
                "late": -left if left is not None else None,
                "due_class": listing.due_class(left),
            }
        )
    context = {"form": form, "page": page, "rows": rows, "queue": queue, "today": today}
    return render(request, "web/petition_list.html", context)


@login_required
def petition_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as XLSX: same filters, same scoping, personal data masked."""
    today = timezone.localdate()
    form = _filter_form(request)
    qs, _data = _filtered(request, form, today)
    qs = (
        qs.select_related("place", "current_unit", "category__parent__parent", "principal", "agent")
        .annotate(next_due=listing.next_due_subquery())
        .order_by("-received_at", "-pk")
    )
    headers = [
        _("Number"),
        _("Received at"),
        _("Channel"),
        _("Type"),
        _("Category"),
        _("Subject"),
        _("Request"),
        _("Petitioner"),
        _("ID number (masked)"),
        _("Phone (masked)"),
        _("Agent"),
        _("People involved"),
        _("Place of the problem"),
        _("Current unit"),
        _("State"),
        _("Next deadline"),
        _("Flags"),
    ]
    rows = []
    for p in qs[: listing.EXPORT_LIMIT]:
        principal = p.principal
        rows.append(
            [
                p.number,
                timezone.localtime(p.received_at).strftime("%Y-%m-%d %H:%M"),
                p.get_channel_display(),
                p.get_petition_type_display(),
                p.category.path_name() if p.category else "",
                p.subject,
                p.request,
                principal.name,
                mask_id_number(principal.id_number),
                mask_phone(principal.phone),
                p.agent.name if p.agent else "",
                p.people_count,
                p.place.name,
                p.current_unit.name,
                p.get_state_display(),
                p.next_due.isoformat() if p.next_due else "",
                "、".join(listing.flags_of(p, with_first_time=True)),
            ]
        )
    body = build_xlsx(title=_("Petitions"), headers=headers, rows=rows)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="petitions-{today.isoformat()}.xlsx"'
    return _no_store(response)


# --- petition page ---------------------------------------------------------------------------------

EVENT_LABELS = {
    **CONFERENCE_EVENT_LABELS,
    "register": gettext_lazy("Registered"),
    "receive": gettext_lazy("Received without staff"),
    "extend": actions.EXTEND_LABEL,
    "suggestion_confirmed": gettext_lazy("Check confirmed"),
    "suggestion_dismissed": gettext_lazy("Check dismissed"),
    "station_visit": gettext_lazy("Came in at a reception station"),
    "hotline_signal": gettext_lazy("Came in as a hotline ticket"),
    "category_corrected": gettext_lazy("Category corrected"),
    **agency_events.EVENT_LABELS,
    **community_events.EVENT_LABELS,
}
# Windows the petitioner may use: shown with their end date, never coloured as the unit's lateness.
PETITIONER_WINDOWS = frozenset(str(k) for k in NO_REMINDER_KINDS)


def event_label(action: str) -> Any:
    if action in EVENT_LABELS:
        return EVENT_LABELS[action]
    transition = lifecycle.TRANSITIONS.get(action)
    return transition.label if transition is not None else action


def event_details(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The parts of an event's payload a reader needs, labelled."""
    details: list[tuple[str, str]] = []

    def choice(enum: Any, value: str) -> str:
        try:
            return str(enum(value).label)
        except ValueError:
            return value

    if payload.get("kind") and payload.get("suggestion"):
        details.append((_("Check"), choice(Suggestion.Kind, payload["kind"])))
    if payload.get("to_category"):
        details.append((_("Category"), f"{payload.get('from_category') or '—'} → {payload['to_category']}"))
    if payload.get("to_unit_name"):
        details.append((_("To"), payload["to_unit_name"]))
    if payload.get("unit_name"):
        details.append((_("Deciding unit"), payload["unit_name"]))
    if payload.get("feedback_due_on"):
        details.append((_("Feedback due"), payload["feedback_due_on"]))
    if payload.get("petition_type"):
        details.append((_("Type"), choice(PT, payload["petition_type"])))
    if payload.get("decision"):
        details.append((_("Decision"), choice(Decision, payload["decision"])))
    if payload.get("rating"):
        details.append((_("Rating"), choice(Rating, payload["rating"])))
    if payload.get("procedure"):
        details.append((_("Procedure"), choice(Procedure, payload["procedure"])))
    if payload.get("days"):
        details.append((_("Extended by days"), str(payload["days"])))
    if payload.get("due_on"):
        details.append((_("New due date"), str(payload["due_on"])))
    if payload.get("agreement"):
        details.append((_("Agreement"), payload["agreement"]))
    if payload.get("reply"):
        details.append((_("Reply"), payload["reply"]))
    details += agency_events.event_details(payload) + community_events.event_details(payload)
    return details


def _limit_label(kind: str) -> str:
    try:
        return str(Limit(kind).label)
    except ValueError:
        return kind


def _parties(petition: Petition) -> list[dict[str, Any]]:
    parties = (
        PetitionParty.objects.filter(petition=petition)
        .select_related("petitioner")
        .annotate(
            order=Case(When(role="principal", then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("order", "pk")
    )
    return [
        {
            "party": party,
            "person": party.petitioner,
            "id_masked": mask_id_number(party.petitioner.id_number),
            "phone_masked": mask_phone(party.petitioner.phone),
        }
        for party in parties
    ]


def _suggestions(request: HttpRequest, petition: Petition) -> list[dict[str, Any]]:
    items = list(
        petition.suggestions.select_related("candidate__current_unit", "decided_by").order_by(
            Case(
                When(status=Suggestion.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "-created_at",
        )
    )
    candidate_ids = [s.candidate_id for s in items if s.candidate_id]
    visible = set(
        selectors.visible_petitions(request.user).filter(pk__in=candidate_ids).values_list("pk", flat=True)
    )
    result = []
    for s in items:
        candidate = s.candidate
        result.append(
            {
                "s": s,
                "candidate_visible": candidate is not None and candidate.pk in visible,
                # An earlier accusation the user may not see is not even named.
                "candidate_hidden": candidate is not None
                and candidate.pk not in visible
                and candidate.petition_type == PT.ACCUSATION,
                "reasons": detection.reason_texts(s.reasons),
            }
        )
    return result


def _clocks(petition: Petition, today: dt.date) -> list[dict[str, Any]]:
    result = []
    for clock in selectors.running_clocks(petition).select_related("unit"):
        left = (clock.due_on - today).days
        window = clock.kind in PETITIONER_WINDOWS
        result.append(
            {
                "clock": clock,
                "label": _limit_label(clock.kind),
                "left": left,
                "overdue_by": -left,
                "window": window,
                "css": "window" if window else listing.due_class(left),
            }
        )
    return result


def detail_context(
    request: HttpRequest, petition: Petition, bound: f.ActionForm | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    user = _user(request)
    suggestions = _suggestions(request, petition)
    events = [
        {"e": e, "label": event_label(e.action), "details": event_details(e.payload or {})}
        for e in selectors.timeline(petition)
    ]
    return {
        "petition": petition,
        "documents": documents.available_documents(petition),
        "parties": _parties(petition),
        "events": events,
        "clocks": _clocks(petition, today),
        "suggestions": suggestions,
        "pending_suggestions": any(item["s"].status == Suggestion.Status.PENDING for item in suggestions),
        "attachments": list(petition.attachments.order_by("uploaded_at", "pk")),
        "opinions": list(petition.opinions.select_related("unit", "issued_by").order_by("issued_on", "pk")),
        "evaluations": list(petition.evaluations.order_by("at")),
        "appeals": list(petition.appeals.select_related("unit").order_by("requested_on")),
        "extension": Extension.objects.filter(petition=petition).select_related("approved_by").first(),
        "offered": actions.offer(petition, user, bound),
        "bound_action": bound.prefix if bound is not None else "",
        "flags": listing.flags_of(petition, with_first_time=True),
        "today": today,
    }


@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _detail_petition(request, pk)
    return _no_store(render(request, "web/petition_detail.html", detail_context(request, petition)))


@login_required
@require_POST
def petition_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send one action form. Refusals and conflicts come back as form errors with the typed input kept."""
    spec = actions.SPECS.get(action)
    if spec is None:
        raise Http404(_("Not found."))
    user = _user(request)
    petition = _detail_petition(request, pk)
    form = spec.form_class(request.POST, petition=petition, user=user, prefix=action)
    if form.is_valid():
        try:
            spec.run(petition, user, form.cleaned_data)
        except DomainError as exc:  # ConflictError included: a stale page gets the conflict message
            form.add_error(None, str(exc))
        except scoping.OutOfJurisdiction as exc:
            raise Http404(_("Not found.")) from exc
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": actions.label_of(action)})
            if not selectors.visible_petitions(user).filter(pk=pk).exists():
                # e.g. referred to discipline inspection outside the user's reach.
                return redirect("web:petition_list")
            return redirect(reverse("web:petition_detail", args=[pk]) + "#timeline")
    # Drawn again with the sent form open, its errors and the typed input; if the action is no longer
    # possible in the state someone else moved the matter to, the form still shows so nothing is lost.
    response = render(request, "web/petition_detail.html", detail_context(request, petition, bound=form))
    return _no_store(response)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    petition = _petition_or_404(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, petition=petition)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- personal data and suggestions (htmx) ----------------------------------------------------------


@login_required
@require_POST
def petitioner_reveal(request: HttpRequest, pk: int, petitioner_id: int) -> HttpResponse:
    """Open a full ID or phone number: a reason is required and the opening is logged."""
    petition = _petition_or_404(request, pk)
    party = (
        PetitionParty.objects.filter(petition=petition, petitioner_id=petitioner_id)
        .select_related("petitioner")
        .first()
    )
    if party is None:
        raise Http404(_("Not found."))
    form = f.RevealForm(request.POST)
    value = None
    if form.is_valid():
        try:
            value = personal_data_reveal(
                user=request.user,
                obj=party.petitioner,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                ip=_client_ip(request),
            )
        except DomainError as exc:
            form.add_error("reason", str(exc))
    field = form.data.get("field", "")
    context = {
        "petition": petition,
        "person": party.petitioner,
        "form": form,
        "value": value,
        "field": field,
        "masked": mask_id_number(party.petitioner.id_number)
        if field == "id_number"
        else mask_phone(party.petitioner.phone),
    }
    template = "web/partials/reveal.html" if _is_htmx(request) else "web/petition_reveal.html"
    return _no_store(
        render(request, template, context, status=200 if value is not None or _is_htmx(request) else 400)
    )


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, pk: int, suggestion_id: int, decision: str) -> HttpResponse:
    if decision not in {"confirm", "dismiss"}:
        raise Http404(_("Not found."))
    petition = _petition_or_404(request, pk)
    suggestion = get_object_or_404(Suggestion, pk=suggestion_id, petition=petition)
    form = f.SuggestionDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    error = ""
    try:
        detection.suggestion_decide(
            suggestion_id=suggestion.pk, user=_user(request), confirm=decision == "confirm", note=note
        )
    except DomainError as exc:
        error = str(exc)
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("web:petition_detail", pk=pk)
    petition = _detail_petition(request, pk)
    context = detail_context(request, petition)
    context["suggestion_error"] = error
    return _no_store(render(request, "web/partials/suggestions_swap.html", context))


# --- intake ----------------------------------------------------------------------------------------


def _require_intake(user: Any) -> None:
    if not (f.intake_seats(user) or scoping.sees_everything(user)):
        raise PermissionDenied(_("You hold no post that may register petitions."))


def _default_place(user: Any) -> str:
    """A village cadre registers matters of their own village: start from it."""
    seats = [m for m in scoping.active_memberships(user) if m.unit.is_area]
    if len(seats) == 1 and seats[0].unit.kind == "village":
        for label, unit in f.area_place_labels(user):
            if unit.pk == seats[0].unit_id:
                return label
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def petition_intake(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_intake(user)
    files_dropped = False
    if request.method == "POST":
        form = f.IntakeForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            petition = _register(request, form)
            if petition is not None:
                return petition
        files_dropped = bool(request.FILES.getlist("attachments"))
        form.focus_first_error()
    else:
        initial = {"channel": request.session.get("intake_channel", "visit"), "place": _default_place(user)}
        form = f.IntakeForm(initial=initial, user=user)
    context = {
        "form": form,
        "places": f.area_place_labels(user),
        "files_dropped": files_dropped,
        "accusation": PT.ACCUSATION.value,
    }
    return render(request, "web/petition_intake.html", context, status=200)


def _register(request: HttpRequest, form: f.IntakeForm) -> HttpResponse | None:
    user = _user(request)
    d = form.cleaned_data
    is_accusation = d["petition_type"] == PT.ACCUSATION
    data = IntakeData(
        channel=d["channel"],
        subject=d["subject"],
        request=d["request"],
        facts=d["facts"],
        place=form.place_unit,  # type: ignore[arg-type]  # None is refused by the service, beside the field
        principal=PersonData(
            name=d["principal_name"],
            id_number=d["principal_id_number"],
            phone=d["principal_phone"],
            address=d["principal_address"],
        ),
        category=d["category"],
        petition_type=d["petition_type"],
        agent=PersonData(name=d["agent_name"]) if d["agent_name"].strip() else None,
        people_count=d["people_count"],
        representative_count=d["representative_count"],
        is_anonymous=d["is_anonymous"],
        accused_unit=d["accused_unit"] if is_accusation else None,
        accused_description=d["accused_description"] if is_accusation else "",
        is_urgent_major=d["is_urgent_major"],
        attachments=d["attachments"],
    )
    try:
        petition = petition_register(user=user, data=data, registering_unit=d.get("registering_unit"))
    except IntakeError as exc:
        for field, problems in exc.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return None
    except DomainError as exc:
        form.add_error(None, str(exc))
        return None
    request.session["intake_channel"] = d["channel"]
    messages.success(
        request,
        _("Registered as %(number)s. Query code for the petitioner: %(code)s")
        % {"number": petition.number, "code": petition.query_code},
    )
    if not selectors.visible_petitions(user).filter(pk=petition.pk).exists():
        # An accusation against the user's own unit is registered but never shown to them.
        return redirect("web:petition_list")
    return redirect("web:petition_detail", pk=petition.pk)


@login_required
@require_POST
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    """While the desk types: earlier petitions of the same person (ID or phone hash, or name + place).

    A warning only; it never blocks registering. Only petitions the user may see are listed.
    """
    user = _user(request)
    name = request.POST.get("principal_name", "").strip()
    id_number = normalize_id_number(request.POST.get("principal_id_number", ""))
    phone = request.POST.get("principal_phone", "").strip()
    subject = request.POST.get("subject", "").strip()
    place = f.resolve_place(user, request.POST.get("place", ""), lenient=True)
    people = PetitionParty.objects.filter(petition=OuterRef("pk"))
    condition = Q(pk__in=[])
    asked = False
    if len(id_number) in (15, 18):
        condition |= Q(
            Exists(people.filter(petitioner__id_number_hash=keyed_hash(id_number, purpose="id_number")))
        )
        asked = True
    if parse_phone(phone) is not None:
        condition |= Q(Exists(people.filter(petitioner__phone_hash=keyed_hash(phone, purpose="phone"))))
        asked = True
    if name and len(name) >= 2 and not isinstance(place, str) and place is not None:
        near = PetitionUnit.objects.filter(petition=OuterRef("pk"), unit_path__startswith=place.path)
        condition |= Q(Exists(people.filter(petitioner__name=name))) & (Q(place=place) | Q(Exists(near)))
        asked = True
    matches: list[dict[str, Any]] = []
    if asked:
        found = (
            selectors.visible_petitions(user)
            .filter(condition)
            .select_related("current_unit")
            .order_by("-received_at")[:6]
        )
        for p in found:
            score = detection.text_similarity(subject, p.subject) if subject else 0.0
            matches.append({"p": p, "similar": score >= 0.3, "score": round(score * 100)})
    return render(request, "web/partials/duplicates.html", {"asked": asked, "matches": matches})


__all__ = [
    "attachment_download",
    "intake_duplicates",
    "petition_act",
    "petition_detail",
    "petition_export",
    "petition_intake",
    "petition_list",
    "petitioner_reveal",
    "reminder_read",
    "suggestion_decide",
    "workbench_context",
]


@login_required
def petition_document(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    """A generated notice or opinion (DOCX or PDF) of a petition the user may see."""
    petition = _petition_or_404(request, pk)
    try:
        document_kind = documents.DocumentKind(kind)
    except ValueError as exc:
        raise Http404(_("Not found.")) from exc
    if document_kind not in documents.available_documents(petition) or fmt not in {"docx", "pdf"}:
        raise Http404(_("Not found."))
    if fmt == "pdf":
        body, content_type = documents.render_pdf(petition, document_kind), "application/pdf"
    else:
        body = documents.render_docx(petition, document_kind)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{petition.number}-{document_kind.value}.{fmt}"'
    return _no_store(response)
