"""Conference pages of the workbench. Thin: parse with a form, read through the selectors, write through
a service, render. Anything outside the user's reach answers 404 like a missing page; a refused form
comes back with the message beside its field and the typing kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
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
from xinfang.conferences import access, documents, figures, selectors, services
from xinfang.conferences.models import (
    AgendaItem,
    Decision,
    DecisionStatus,
    Document,
    Escalation,
    ItemStatus,
    JointConference,
    KeyPeriod,
    Meeting,
    MeetingStatus,
    Member,
    Minutes,
    MinutesStatus,
    Participant,
    TaskRole,
)
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit

from . import forms as f

# --- helpers -------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every view here is behind login_required
    return user


def _or_404(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


def _run(request: HttpRequest, form: f.BaseForm, action: Callable[[dict[str, Any]], Any], done: str) -> Any:
    """Validate, call the service; on a refusal put its message on the form and return None."""
    if not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc
    except DomainError as exc:
        form.add_service_error(exc.code, str(exc))
        return None
    messages.success(request, done)
    return result if result is not None else True


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- conferences -------------------------------------------------------------------------------------


@login_required
def conference_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    conferences = list(
        selectors.visible_conferences(user)
        .select_related("area")
        .filter(is_active=True)
        .order_by("area__path")
    )
    today = timezone.localdate()
    rows = []
    for conference in conferences:
        rows.append(
            {
                "c": conference,
                "next": selectors.upcoming_meetings(conference).first(),
                "last": conference.meetings.filter(status=MeetingStatus.HELD).order_by("-held_at").first(),
                "open_items": selectors.agenda(conference).count(),
                "open_decisions": Decision.objects.filter(
                    item__conference=conference, status=DecisionStatus.BINDING
                ).count(),
                "overdue": Decision.objects.filter(
                    item__conference=conference, status=DecisionStatus.BINDING, due_on__lt=today
                ).count(),
            }
        )
    may_create = any(
        access.may_manage(user, root) for root in scoping.jurisdiction_roots(user)
    ) or scoping.sees_everything(user)
    return render(request, "conferences/list.html", {"rows": rows, "may_create": may_create})


@login_required
@require_http_methods(["GET", "POST"])
def conference_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = f.ConferenceNewForm(request.POST or None, user=user)
    if request.method == "POST":
        result = _run(
            request,
            form,
            lambda d: services.conference_create(
                user=user,
                area=d["area"],
                form=d["form"],
                office_unit=d["office_unit"],
                name=d["name"],
            ),
            _("The conference is set up. Name its convenors, secretariat and members."),
        )
        if result:
            return redirect("conferences:conference", pk=result.pk)
    return render(request, "conferences/new.html", {"form": form})


def _detail_context(request: HttpRequest, conference: JointConference, **bound: Any) -> dict[str, Any]:
    user = _user(request)
    secretariat = access.is_secretariat(user, conference)
    manager = access.may_manage(user, conference.area)
    today = timezone.localdate()
    periods = list(conference.key_periods.order_by("-starts_on")[:5])
    context = {
        "conference": conference,
        "is_secretariat": secretariat,
        "is_convenor": access.is_convenor(user, conference),
        "may_manage": manager or access.is_convenor(user, conference),
        "may_switch": access.may_switch_key_period(user, conference),
        "may_propose": access.proposing_unit(user, conference) is not None,
        "participants": selectors.active_participants(conference),
        "members": selectors.active_members(conference),
        "agenda": selectors.agenda(conference),
        "upcoming": selectors.upcoming_meetings(conference)[:6],
        "held": conference.meetings.filter(status=MeetingStatus.HELD).order_by("-held_at")[:6],
        "decisions": Decision.objects.filter(item__conference=conference, status=DecisionStatus.BINDING)
        .select_related("lead_unit")
        .order_by("due_on"),
        "overdue": selectors.overdue_decisions(conference),
        "escalated_out": Escalation.objects.filter(from_item__conference=conference)
        .select_related("upper_item__conference")
        .order_by("-escalated_at")[:10],
        "escalated_in": Escalation.objects.filter(upper_item__conference=conference)
        .select_related("from_item__conference")
        .order_by("-escalated_at")[:10],
        "measures": conference.measures.select_related("unit").order_by("-issued_on")[:10],
        "key_periods": periods,
        "current_period": next((p for p in periods if p.starts_on <= today <= p.last_day), None),
        "today": today,
        "rule_form": bound.get("rule_form")
        or f.RuleForm(
            initial={
                "monthly_day": conference.monthly_day,
                "weekly_weekday": conference.weekly_weekday,
                "meeting_time": conference.meeting_time,
                "default_place": conference.default_place,
                "notice_lead_days": conference.notice_lead_days,
                "escalation_days": conference.escalation_days,
                "expected_version": conference.version,
            }
        ),
        "key_period_form": bound.get("key_period_form") or f.KeyPeriodForm(),
        "member_form": bound.get("member_form") or f.MemberForm(conference=conference),
        "participant_form": bound.get("participant_form") or f.ParticipantForm(conference=conference),
        "measure_form": bound.get("measure_form") or f.MeasureForm(conference=conference),
        "open_form": next(iter(bound), ""),
    }
    return context


@login_required
def conference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _or_404(lambda: selectors.get_visible_conference(request.user, pk))
    return render(request, "conferences/detail.html", _detail_context(request, conference))


SETUP_FORMS: dict[str, tuple[str, Any]] = {
    "rule": ("rule_form", f.RuleForm),
    "key-period": ("key_period_form", f.KeyPeriodForm),
    "member": ("member_form", f.MemberForm),
    "participant": ("participant_form", f.ParticipantForm),
    "measure": ("measure_form", f.MeasureForm),
}


def _setup_action(user: User, conference: JointConference, action: str) -> Callable[[dict[str, Any]], Any]:
    pk = conference.pk
    if action == "rule":
        return lambda d: services.conference_update_rule(
            conference_id=pk,
            user=user,
            expected_version=d["expected_version"],
            rule=services.Rule(
                monthly_day=d["monthly_day"],
                weekly_weekday=d["weekly_weekday"],
                meeting_time=d["meeting_time"],
                default_place=d["default_place"],
                notice_lead_days=d["notice_lead_days"],
                escalation_days=d["escalation_days"],
            ),
        )
    if action == "key-period":
        return lambda d: services.key_period_start(
            conference_id=pk, user=user, starts_on=d["starts_on"], ends_on=d["ends_on"], reason=d["reason"]
        )
    if action == "member":
        return lambda d: services.member_add(conference_id=pk, user=user, unit=d["unit"], duty=d["duty"])
    if action == "participant":
        return lambda d: services.participant_add(
            conference_id=pk, user=user, person=d["person"], role=d["role"], title=d["title"]
        )
    return lambda d: services.supervision_measure_issue(
        conference_id=pk,
        user=user,
        unit=d["unit"],
        kind=d["kind"],
        reason=d["reason"],
        issued_on=d["issued_on"],
        decision_id=d["decision"].pk if d["decision"] else None,
    )


@login_required
@require_POST
def conference_setup(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The settings forms of the conference page: rule, key period, member, participant, measure."""
    if action not in SETUP_FORMS:
        raise Http404(_("Not found."))
    user = _user(request)
    conference = _or_404(lambda: selectors.get_visible_conference(user, pk))
    key, form_class = SETUP_FORMS[action]
    kwargs = {"conference": conference} if action in {"member", "participant", "measure"} else {}
    form = form_class(request.POST, **kwargs)
    if _run(request, form, _setup_action(user, conference, action), _("Saved.")):
        return redirect(reverse("conferences:conference", args=[pk]) + f"#{action}")
    context = _detail_context(request, conference, **{key: form})
    return render(request, "conferences/detail.html", context, status=200)


def _setup_button(
    request: HttpRequest, conference_id: int, call: Callable[[User], Any], done: str
) -> HttpResponse:
    """A one-button change of the set-up (switch off, step down, remove): do it, say so, go back."""
    _or_404(lambda: selectors.get_visible_conference(request.user, conference_id))
    try:
        call(_user(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("conferences:conference", pk=conference_id)


@login_required
@require_POST
def key_period_end(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(KeyPeriod, pk=pk)
    return _setup_button(
        request,
        period.conference_id,
        lambda user: services.key_period_end(key_period_id=period.pk, user=user),
        _("The key period is switched off."),
    )


@login_required
@require_POST
def participant_end(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=pk)
    return _setup_button(
        request,
        participant.conference_id,
        lambda user: services.participant_end(participant_id=participant.pk, user=user),
        _("Saved."),
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member, pk=pk)
    return _setup_button(
        request,
        member.conference_id,
        lambda user: services.member_remove(member_id=member.pk, user=user),
        _("Saved."),
    )


# --- agenda ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_propose(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    conference = _or_404(lambda: selectors.get_visible_conference(user, pk))
    unit = access.proposing_unit(user, conference)
    if unit is None:
        raise PermissionDenied(
            _("Only staff of the conference's area or of its member units may propose items.")
        )
    initial = {}
    if request.method == "GET" and request.GET.get("petition"):
        initial["numbers"] = request.GET["petition"]
    form = f.ProposeForm(request.POST or None, user=user, conference=conference, initial=initial)
    if request.method == "POST":
        item = _run(
            request,
            form,
            lambda d: services.agenda_item_propose(
                user=user,
                conference_id=conference.pk,
                title=d["title"],
                reasons=d["reasons"],
                petition_ids=d["petition_ids"],
                source=d["source"],
                dispute_units=[u.pk for u in d["dispute_units"]] or None,
            ),
            _("The item is sent to the conference's secretariat."),
        )
        if item:
            return redirect("conferences:item", pk=item.pk)
    return render(request, "conferences/propose.html", {"conference": conference, "form": form, "unit": unit})


ITEM_FORMS = {
    "accept": f.AcceptForm,
    "schedule": f.AcceptForm,
    "return": f.ReturnForm,
    "escalate": f.EscalateForm,
}


def _item_context(
    request: HttpRequest, item: AgendaItem, bound: f.BaseForm | None = None, key: str = ""
) -> dict[str, Any]:
    user = _user(request)
    conference = item.conference
    petitions, hidden = selectors.item_petitions(user, item)
    secretariat = access.is_secretariat(user, conference)
    version = {"expected_version": item.version}
    initial_accept = {**version, "meeting": item.meeting_id, "position": item.position}
    forms_: dict[str, f.BaseForm] = {
        "accept": f.AcceptForm(conference=conference, initial=initial_accept),
        "schedule": f.AcceptForm(conference=conference, initial=initial_accept),
        "return": f.ReturnForm(initial=version),
        "escalate": f.EscalateForm(initial=version),
    }
    if bound is not None:
        forms_[key] = bound
    decision = Decision.objects.filter(item=item).select_related("minutes", "lead_unit").first()
    escalation = Escalation.objects.filter(from_item=item).select_related("upper_item__conference").first()
    came_from = Escalation.objects.filter(upper_item=item).select_related("from_item__conference").first()
    return {
        "item": item,
        "conference": conference,
        "petitions": petitions,
        "hidden_petitions": hidden,
        "dispute": getattr(item, "dispute", None),
        "decision": decision,
        "escalation": escalation,
        "came_from": came_from,
        "is_secretariat": secretariat,
        "has_actions": secretariat
        and (item.status == ItemStatus.PROPOSED or (item.status == ItemStatus.ACCEPTED and decision is None)),
        "forms": forms_,
        "open_form": key,
        "upper": selectors.parent_conference(conference),
    }


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _or_404(lambda: selectors.get_visible_item(request.user, pk))
    return _no_store(render(request, "conferences/item.html", _item_context(request, item)))


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ITEM_FORMS:
        raise Http404(_("Not found."))
    user = _user(request)
    item = _or_404(lambda: selectors.get_visible_item(user, pk))
    form_class = ITEM_FORMS[action]
    form: f.BaseForm
    if form_class is f.AcceptForm:
        form = f.AcceptForm(request.POST, conference=item.conference)
    elif form_class is f.EscalateForm:
        form = f.EscalateForm(request.POST, request.FILES)
    else:
        form = form_class(request.POST)

    def run(d: dict[str, Any]) -> Any:
        common = {"item_id": item.pk, "user": user, "expected_version": d["expected_version"]}
        if action == "accept":
            meeting = d["meeting"].pk if d["meeting"] else None
            return services.agenda_item_accept(**common, meeting_id=meeting, position=d["position"])
        if action == "schedule":
            meeting = d["meeting"].pk if d["meeting"] else None
            return services.agenda_item_schedule(**common, meeting_id=meeting, position=d["position"])
        if action == "return":
            return services.agenda_item_return(**common, reason=d["reason"])
        return services.agenda_item_escalate(**common, reason=d["reason"], documents=d["documents"])

    labels = {
        "accept": _("The item is on the agenda."),
        "schedule": _("The agenda is updated."),
        "return": _("The item is returned to its proposer."),
        "escalate": _("The item is escalated to the next conference."),
    }
    if _run(request, form, run, labels[action]):
        return redirect("conferences:item", pk=item.pk)
    return _no_store(render(request, "conferences/item.html", _item_context(request, item, form, action)))


# --- meetings -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    conference = _or_404(lambda: selectors.get_visible_conference(user, pk))
    if not access.is_secretariat(user, conference):
        raise PermissionDenied(_("Only the conference's secretariat or a convenor may do this."))
    initial = {"place": conference.default_place, "time": conference.meeting_time}
    form = f.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        meeting = _run(
            request,
            form,
            lambda d: services.meeting_schedule(
                conference_id=conference.pk,
                user=user,
                kind=d["kind"],
                scheduled_at=form.scheduled_at(),
                place=d["place"],
                topic=d["topic"],
            ),
            _("The meeting is called."),
        )
        if meeting:
            return redirect("conferences:meeting", pk=meeting.pk)
    return render(request, "conferences/meeting_new.html", {"conference": conference, "form": form})


MEETING_ACTIONS = {"notify", "cancel", "hold", "minutes"}


def _meeting_context(
    request: HttpRequest, meeting: Meeting, bound: f.BaseForm | None = None, key: str = ""
) -> dict[str, Any]:
    user = _user(request)
    conference = meeting.conference
    minutes = Minutes.objects.filter(meeting=meeting).first()
    forms_: dict[str, Any] = {
        "cancel": f.CancelForm(initial={"expected_version": meeting.version}),
        "hold": f.HoldForm(
            conference=conference, meeting=meeting, initial={"expected_version": meeting.version}
        ),
        "minutes": f.MinutesForm(
            initial={
                "summary": minutes.summary if minutes else "",
                "distribution": minutes.distribution if minutes else "",
                "expected_version": minutes.version if minutes else None,
            }
        ),
    }
    if bound is not None:
        forms_[key] = bound
    return {
        "meeting": meeting,
        "conference": conference,
        "items": meeting.items.select_related("proposing_unit").order_by("position", "pk"),
        "attendance": meeting.attendance.select_related("unit").order_by("unit__path"),
        "minutes": minutes,
        "is_secretariat": access.is_secretariat(user, conference),
        "forms": forms_,
        "open_form": key,
        "may_hold": meeting.status in (MeetingStatus.PLANNED, MeetingStatus.NOTIFIED),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _or_404(lambda: selectors.get_visible_meeting(request.user, pk))
    return render(request, "conferences/meeting.html", _meeting_context(request, meeting))


@login_required
@require_POST
def meeting_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in MEETING_ACTIONS:
        raise Http404(_("Not found."))
    user = _user(request)
    meeting = _or_404(lambda: selectors.get_visible_meeting(user, pk))
    if action == "notify":
        try:
            count = services.meeting_notify(meeting_id=meeting.pk, user=user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Notices sent to %(n)d member units.") % {"n": count})
        return redirect("conferences:meeting", pk=meeting.pk)
    form: f.BaseForm
    if action == "cancel":
        form = f.CancelForm(request.POST)
        result = _run(
            request,
            form,
            lambda d: services.meeting_cancel(
                meeting_id=meeting.pk, user=user, reason=d["reason"], expected_version=d["expected_version"]
            ),
            _("The meeting is cancelled."),
        )
    elif action == "hold":
        hold = f.HoldForm(request.POST, conference=meeting.conference, meeting=meeting)
        form = hold
        result = _run(
            request,
            hold,
            lambda d: services.meeting_hold(
                meeting_id=meeting.pk,
                user=user,
                held_at=hold.held_at(),
                chair=d["chair"],
                attendance=hold.entries(),
                expected_version=d["expected_version"],
            ),
            _("The meeting is recorded as held. Write its minutes."),
        )
    else:
        form = f.MinutesForm(request.POST)
        result = _run(
            request,
            form,
            lambda d: services.minutes_draft(
                meeting_id=meeting.pk,
                user=user,
                summary=d["summary"],
                distribution=d["distribution"],
                expected_version=d["expected_version"],
            ),
            _("The draft minutes are saved."),
        )
        if result:
            return redirect("conferences:minutes", pk=result.pk)
    if result:
        return redirect("conferences:meeting", pk=meeting.pk)
    return render(request, "conferences/meeting.html", _meeting_context(request, meeting, form, action))


# --- minutes -------------------------------------------------------------------------------------------


def _minutes_context(
    request: HttpRequest, minutes: Minutes, bound: f.BaseForm | None = None, bound_item: int | None = None
) -> dict[str, Any]:
    user = _user(request)
    conference = minutes.conference
    rows = []
    for item in minutes.meeting.items.select_related("proposing_unit").order_by("position", "pk"):
        decision = Decision.objects.filter(item=item).select_related("lead_unit").first()
        if bound is not None and bound_item == item.pk:
            form = bound
        else:
            form = f.DecisionForm(conference=conference, decision=decision)
        rows.append({"item": item, "decision": decision, "form": form})
    return {
        "minutes": minutes,
        "meeting": minutes.meeting,
        "conference": conference,
        "rows": rows,
        "decisions": minutes.decisions.select_related("item", "lead_unit").prefetch_related(
            "cooperating_units"
        ),
        "is_secretariat": access.is_secretariat(user, conference),
        "is_convenor": access.is_convenor(user, conference),
        "draft": minutes.status == MinutesStatus.DRAFT,
        "bound_item": bound_item,
        "approve_error": bound.non_field_errors() if bound is not None and bound_item is None else None,
    }


@login_required
def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    minutes = _or_404(lambda: selectors.get_visible_minutes(request.user, pk))
    return render(request, "conferences/minutes.html", _minutes_context(request, minutes))


@login_required
@require_POST
def decision_record(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    user = _user(request)
    minutes = _or_404(lambda: selectors.get_visible_minutes(user, pk))
    form = f.DecisionForm(request.POST, conference=minutes.conference)
    result = _run(
        request,
        form,
        lambda d: services.decision_record(
            minutes_id=minutes.pk,
            item_id=item_id,
            user=user,
            expected_version=d["expected_version"],
            data=services.DecisionData(
                statement=d["statement"],
                measures=d["measures"],
                lead_unit=d["lead_unit"],
                cooperating_units=list(d["cooperating_units"]),
                funding=d["funding"],
                funding_reference=d["funding_reference"],
                budget_amount=d["budget_amount"],
                due_on=d["due_on"],
            ),
        ),
        _("The decision is written into the draft minutes."),
    )
    if result:
        return redirect(reverse("conferences:minutes", args=[minutes.pk]) + f"#item-{item_id}")
    context = _minutes_context(request, minutes, form, item_id)
    return render(request, "conferences/minutes.html", context)


@login_required
@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    minutes = _or_404(lambda: selectors.get_visible_minutes(user, pk))
    form = f.VersionedForm(request.POST)
    result = _run(
        request,
        form,
        lambda d: services.minutes_approve(
            minutes_id=minutes.pk, user=user, expected_version=d["expected_version"]
        ),
        _("The minutes are approved: their decisions now bind."),
    )
    if result:
        return redirect("conferences:minutes", pk=minutes.pk)
    return render(request, "conferences/minutes.html", _minutes_context(request, minutes, form, None))


@login_required
def minutes_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    minutes = _or_404(lambda: selectors.get_visible_minutes(request.user, pk))
    if fmt not in {"docx", "pdf"}:
        raise Http404(_("Not found."))
    try:
        if fmt == "pdf":
            body, content_type = documents.render_pdf(minutes), "application/pdf"
        else:
            body = documents.render_docx(minutes)
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(body, content_type=content_type)
    name = f"minutes-{minutes.conference_id}-{minutes.sequence or 'draft'}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


# --- decisions ------------------------------------------------------------------------------------------

DECISION_TABS = {
    "lead": gettext_lazy("Led by my units"),
    "cooperating": gettext_lazy("My units cooperate"),
    "overdue": gettext_lazy("Overdue"),
    "all": gettext_lazy("All I may see"),
}


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tab = request.GET.get("tab", "lead")
    if tab not in DECISION_TABS:
        tab = "lead"
    today = timezone.localdate()
    tasks = selectors.open_tasks(user)
    qs = selectors.visible_decisions(user)
    if tab == "lead":
        qs = qs.filter(pk__in=tasks.filter(role=TaskRole.LEAD).values("decision_id"))
    elif tab == "cooperating":
        qs = qs.filter(pk__in=tasks.filter(role=TaskRole.COOPERATING).values("decision_id"))
    elif tab == "overdue":
        qs = qs.filter(pk__in=tasks.values("decision_id"), due_on__lt=today)
    else:
        qs = qs.exclude(status=DecisionStatus.DRAFT)
    qs = qs.select_related("item__conference", "lead_unit", "minutes").order_by("status", "due_on", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    counts = selectors.task_counts(user)
    tabs = [(key, label, counts.get(key) if key in counts else None) for key, label in DECISION_TABS.items()]
    return render(
        request,
        "conferences/decisions.html",
        {"page": page, "tab": tab, "tabs": tabs, "today": today},
    )


def _decision_context(
    request: HttpRequest, decision: Decision, bound: f.BaseForm | None = None, key: str = ""
) -> dict[str, Any]:
    user = _user(request)
    conference = decision.item.conference
    ids = selectors.decision_petition_ids(decision)
    from xinfang.petitions.selectors import visible_petitions

    petitions = list(visible_petitions(user).filter(pk__in=ids).select_related("current_unit").order_by("pk"))
    rows = [
        {
            "p": p,
            "step": services.reply_step(p),
            "may_reply": decision.status == DecisionStatus.DONE and services.may_reply(user, p),
            "form": f.ReplyForm(initial={"expected_version": p.version}),
        }
        for p in petitions
    ]
    forms_: dict[str, Any] = {
        "progress": f.ProgressForm(),
        "complete": f.CompleteForm(initial={"expected_version": decision.version}),
    }
    if bound is not None:
        forms_[key] = bound
    tasks = list(decision.tasks.select_related("unit").order_by("-role", "unit__path"))  # lead first
    acting = access.acting_unit_ids(user)
    in_progress = decision.status == DecisionStatus.BINDING
    return {
        "decision": decision,
        "conference": conference,
        "minutes": decision.minutes,
        "tasks": tasks,
        "cooperating": decision.cooperating_units.order_by("path"),
        "reports": decision.reports.select_related("unit", "by"),
        "evidence": decision.evidence.order_by("uploaded_at"),
        "petitions": rows,
        "hidden_petitions": len(ids) - len(petitions),
        "bound_items": decision.bound_items.select_related("conference"),
        "measures": decision.supervision_measures.select_related("unit"),
        "may_report": in_progress
        and (any(t.unit_id in acting for t in tasks) or access.is_secretariat(user, conference)),
        "may_complete": in_progress
        and (access.acts_for(user, decision.lead_unit) or access.is_secretariat(user, conference)),
        "forms": forms_,
        "open_form": key,
        "today": timezone.localdate(),
    }


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _or_404(lambda: selectors.get_visible_decision(request.user, pk))
    return _no_store(render(request, "conferences/decision.html", _decision_context(request, decision)))


@login_required
@require_POST
def decision_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in {"progress", "complete"}:
        raise Http404(_("Not found."))
    user = _user(request)
    decision = _or_404(lambda: selectors.get_visible_decision(user, pk))
    form: f.BaseForm
    if action == "progress":
        form = f.ProgressForm(request.POST)
        result = _run(
            request,
            form,
            lambda d: services.decision_report_progress(decision_id=decision.pk, user=user, text=d["text"]),
            _("The progress is reported."),
        )
    else:
        form = f.CompleteForm(request.POST, request.FILES)
        result = _run(
            request,
            form,
            lambda d: services.decision_complete(
                decision_id=decision.pk,
                user=user,
                result=d["result"],
                evidence=d["evidence"],
                done_on=d["done_on"],
                expected_version=d["expected_version"],
            ),
            _("The decision is recorded as carried out. The petitions' handlers are told."),
        )
    if result:
        return redirect("conferences:decision", pk=decision.pk)
    return _no_store(
        render(request, "conferences/decision.html", _decision_context(request, decision, form, action))
    )


@login_required
@require_POST
def decision_reply(request: HttpRequest, pk: int, petition_id: int) -> HttpResponse:
    """The one click: the next step of the written reply of one petition, from the decision's result."""
    user = _user(request)
    decision = _or_404(lambda: selectors.get_visible_decision(user, pk))
    form = f.ReplyForm(request.POST)
    if form.is_valid():
        try:
            petition = services.decision_reply(
                decision_id=decision.pk,
                petition_id=petition_id,
                user=user,
                method=form.cleaned_data["method"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except scoping.OutOfJurisdiction as exc:
            raise Http404(_("Not found.")) from exc
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(number)s: %(state)s.")
                % {"number": petition.number, "state": petition.get_state_display()},
            )
    return redirect(reverse("conferences:decision", args=[decision.pk]) + "#petitions")


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(Document, pk=pk)
    user = _user(request)
    decision_id, escalation_id = document.decision_id, document.escalation_id
    if decision_id is not None:
        _or_404(lambda: selectors.get_visible_decision(user, decision_id))
    elif escalation_id is not None:
        _or_404(lambda: selectors.get_visible_escalation(user, escalation_id))
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- escalations, measures, figures, notices -------------------------------------------------------------


@login_required
def escalation_list(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.visible_escalations(_user(request))
        .select_related("from_item__conference", "upper_item__conference")
        .order_by("-escalated_at")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "conferences/escalations.html", {"page": page})


@login_required
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    escalation = _or_404(lambda: selectors.get_visible_escalation(user, pk))
    upper = escalation.upper_item
    decision = Decision.objects.filter(item=upper).select_related("lead_unit", "minutes").first()
    petitions, hidden = selectors.item_petitions(user, escalation.from_item)
    return render(
        request,
        "conferences/escalation.html",
        {
            "escalation": escalation,
            "lower": escalation.from_item,
            "upper": upper,
            "decision": decision,
            "documents": escalation.documents.order_by("uploaded_at"),
            "petitions": petitions,
            "hidden_petitions": hidden,
            "today": timezone.localdate(),
        },
    )


@login_required
def measure_list(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.visible_measures(_user(request))
        .select_related("conference", "unit", "issued_by", "decision")
        .order_by("-issued_on", "-pk")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "conferences/measures.html", {"page": page, "lift_form": f.LiftForm()})


@login_required
@require_POST
def measure_lift(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    measure = get_object_or_404(selectors.visible_measures(user), pk=pk)
    form = f.LiftForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_measure_lift(
                measure_id=measure.pk, user=user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The measure is lifted."))
    else:
        messages.error(request, _("Give the reason for lifting the measure."))
    return redirect("conferences:measures")


def _coverage_area(request: HttpRequest) -> Unit:
    from xinfang.web.dashboard.views import area_allowed, home_area

    user = request.user
    area = home_area(user)
    wanted = request.GET.get("area")
    if wanted:
        try:
            area = Unit.objects.filter(pk=int(wanted)).first()
        except ValueError:
            area = None
        if area is None or not area_allowed(user, area):
            raise Http404(_("Not found."))
    if area is None:
        raise Http404(_("You hold no post with a jurisdiction."))
    return area


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """The list behind the dashboard's coverage figure, and the other conference figures of the year."""
    area = _coverage_area(request)
    today = timezone.localdate()
    start, end = dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)
    return render(
        request,
        "conferences/coverage.html",
        {
            "area": area,
            "breakdown": figures.coverage_breakdown(area, today),
            "since": figures.coverage_since(today),
            "today": today,
            "figures": figures.figures(area, start, end, today),
            "period_start": start,
            "period_last": end - dt.timedelta(days=1),
        },
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.notice_read(notice_id=pk, user=_user(request))
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc
    if getattr(request, "htmx", False):
        return HttpResponse("")
    return redirect("web:home")
