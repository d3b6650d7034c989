"""The citizen portal: submit a petition online, track it with its number and query code, rate the
handling and request a review. No staff login; the query code is the petitioner's key.

Views stay thin: parse, call the intake or a service, render. A petition opened with its code is
remembered in the session for ``VERIFIED_MINUTES`` so the following pages work without retyping.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit, UnitKind
from xinfang.petitions import documents, services
from xinfang.petitions.intake import IntakeData, IntakeError, PersonData, petition_register
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Channel

from . import ratelimit
from .citizen import citizen_view, find_petition
from .forms import AppealForm, RateForm, SubmitForm, TrackForm, child_areas

VERIFIED_MINUTES = 30
SESSION_PETITION = "portal_petition"
SESSION_UNTIL = "portal_until"
SESSION_SUBMITTED = "portal_submitted"

# Where intake reports each problem, and the portal field it belongs beside.
INTAKE_FIELDS = {
    "principal_name": "name",
    "principal_id_number": "id_number",
    "principal_phone": "phone",
    "subject": "subject",
    "request": "request",
    "place": "town",
    "attachments": "attachments",
}


def receiving_unit(county: Unit) -> Unit:
    """The county's petition office (a petition-office child of the county), or the county itself."""
    office = (
        child_areas(county, UnitKind.PETITION_OFFICE).order_by("path").first()
        if county.kind == UnitKind.COUNTY
        else None
    )
    return office or county


def too_many(request: HttpRequest, rate: ratelimit.Rate) -> HttpResponse:
    response = render(request, "portal/ratelimited.html", {"minutes": max(1, rate.seconds // 60)}, status=429)
    response["Retry-After"] = str(ratelimit.retry_after(rate))
    return response


# --- session: the petition the visitor proved they hold the code of --------------------------------


def remember(request: HttpRequest, petition: Petition) -> None:
    request.session.cycle_key()  # a fresh session id once a code is proved
    request.session[SESSION_PETITION] = petition.pk
    until = timezone.now() + dt.timedelta(minutes=VERIFIED_MINUTES)
    request.session[SESSION_UNTIL] = until.isoformat()


def forget(request: HttpRequest) -> None:
    for key in (SESSION_PETITION, SESSION_UNTIL, SESSION_SUBMITTED):
        request.session.pop(key, None)


def verified_petition(request: HttpRequest) -> Petition | None:
    petition_id = request.session.get(SESSION_PETITION)
    until = request.session.get(SESSION_UNTIL)
    if not petition_id or not until:
        return None
    try:
        expired = dt.datetime.fromisoformat(until) < timezone.now()
    except ValueError:
        expired = True
    if expired:
        forget(request)
        return None
    return Petition.objects.filter(pk=petition_id).first()


def _require_verified(request: HttpRequest) -> Petition | HttpResponse:
    petition = verified_petition(request)
    if petition is None:
        messages.info(request, _("For your safety, enter the petition number and query code again."))
        return redirect("portal:track")
    return petition


# --- pages --------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"open_petition": verified_petition(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/submit.html", {"form": SubmitForm(), "files_dropped": False})
    if "_places" in request.POST:
        # Without JavaScript, "Show towns/villages" sends the form back to fill the next list; nothing
        # typed is lost and nothing is checked yet.
        form = SubmitForm(initial=request.POST.dict())
        focus = "id_village" if request.POST.get("_places") == "village" else "id_town"
        context = {"form": form, "files_dropped": bool(request.FILES), "focus": focus}
        return render(request, "portal/submit.html", context)
    if ratelimit.exceeded(ratelimit.SUBMIT, request):
        return too_many(request, ratelimit.SUBMIT)
    if ratelimit.exceeded(ratelimit.SUBMIT_ATTEMPT, request):
        return too_many(request, ratelimit.SUBMIT_ATTEMPT)
    ratelimit.hit(ratelimit.SUBMIT_ATTEMPT, request)
    form = SubmitForm(request.POST, request.FILES)
    petition = _register(form) if form.is_valid() else None
    if petition is None:
        context = {"form": form, "files_dropped": bool(request.FILES), "focus": "error-summary"}
        return render(request, "portal/submit.html", context, status=400)
    ratelimit.hit(ratelimit.SUBMIT, request)
    remember(request, petition)
    request.session[SESSION_SUBMITTED] = petition.pk
    return redirect("portal:submitted")


def _register(form: SubmitForm) -> Petition | None:
    data = form.cleaned_data
    county: Unit = data["county"]
    intake = IntakeData(
        channel=Channel.ONLINE,
        subject=data["subject"],
        request=data["request"],
        facts=data.get("facts", ""),
        place=form.place(),
        category=data.get("category"),
        principal=PersonData(
            name=data["name"], id_number=data["id_number"], phone=data["phone"], address=data["address"]
        ),
        attachments=data.get("attachments") or [],
    )
    try:
        return petition_register(user=None, data=intake, registering_unit=receiving_unit(county))
    except IntakeError as exc:
        for key, problems in exc.errors.items():
            for problem in problems:
                form.add_error(INTAKE_FIELDS.get(key), problem)
        return None
    except DomainError as exc:
        form.add_error(None, str(exc))
        return None


@never_cache
@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    petition = verified_petition(request)
    if petition is None or request.session.get(SESSION_SUBMITTED) != petition.pk:
        return redirect("portal:track")
    return render(request, "portal/submitted.html", {"petition": petition})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/track.html", {"form": TrackForm()})
    if ratelimit.exceeded(ratelimit.TRACK, request):
        return too_many(request, ratelimit.TRACK)
    ratelimit.hit(ratelimit.TRACK, request)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=400)
    petition = find_petition(form.cleaned_data["number"], form.cleaned_data["code"])
    if petition is None:
        form.add_error(
            None,
            _("No petition matches this number and query code. Check both and try again."),
        )
        return render(request, "portal/track.html", {"form": form, "not_found": True}, status=404)
    forget(request)
    remember(request, petition)
    return redirect("portal:case")


@never_cache
@require_GET
def case(request: HttpRequest) -> HttpResponse:
    found = _require_verified(request)
    if isinstance(found, HttpResponse):
        return found
    return _case_page(request, found)


def _case_page(
    request: HttpRequest,
    petition: Petition,
    *,
    rate_form: RateForm | None = None,
    appeal_form: AppealForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = citizen_view(petition)
    context: dict[str, Any] = {
        "view": view,
        "petition": petition,
        "rate_form": rate_form or RateForm(),
        "appeal_form": appeal_form or AppealForm(),
        "until": request.session.get(SESSION_UNTIL),
    }
    return render(request, "portal/case.html", context, status=status)


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    found = _require_verified(request)
    if isinstance(found, HttpResponse):
        return found
    form = RateForm(request.POST)
    if not form.is_valid():
        return _case_page(request, found, rate_form=form, status=400)
    try:
        services.petition_evaluate(
            petition_id=found.pk,
            user=None,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            via_portal=True,
        )
    except DomainError as exc:
        form.add_error(None, str(exc))
        return _case_page(request, found, rate_form=form, status=409)
    messages.success(request, _("Thank you. Your rating has been recorded."))
    return redirect("portal:case")


@never_cache
@require_POST
def appeal(request: HttpRequest) -> HttpResponse:
    found = _require_verified(request)
    if isinstance(found, HttpResponse):
        return found
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _case_page(request, found, appeal_form=form, status=400)
    view = citizen_view(found)
    service = {
        "request_review": services.petition_request_review,
        "request_re_review": services.petition_request_re_review,
    }.get(view.appeal)
    try:
        if service is None:
            raise DomainError(
                _("A review can no longer be requested for this petition."), code="not_allowed_in_state"
            )
        service(
            petition_id=found.pk,
            user=None,
            requested_on=timezone.localdate(),
            grounds=form.cleaned_data["grounds"],
            citizen=True,
        )
    except DomainError as exc:
        form.add_error(None, str(exc))
        return _case_page(request, found, appeal_form=form, status=409)
    if view.appeal == "request_re_review":
        messages.success(request, _("Your request for a re-review has been recorded."))
    else:
        messages.success(request, _("Your request for a review has been recorded."))
    return redirect("portal:case")


@never_cache
@require_GET
def document(request: HttpRequest, kind: str) -> HttpResponse:
    found = _require_verified(request)
    if isinstance(found, HttpResponse):
        return found
    view = citizen_view(found)
    if kind not in {str(k) for k in view.documents}:  # accusations have none; others only those that apply
        raise Http404(_("Not found."))
    try:
        pdf = documents.render_pdf(found, kind)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{found.number}-{kind}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    forget(request)
    messages.info(request, _("You have left the petition page. Keep your number and query code."))
    return redirect("portal:home")


@require_GET
def places(request: HttpRequest) -> JsonResponse:
    """The towns of a county or the villages of a town, for the dependent selects."""
    parent = Unit.objects.filter(pk=_int(request.GET.get("parent")), is_active=True).first()
    if parent is None or parent.kind not in (UnitKind.COUNTY, UnitKind.TOWN):
        return JsonResponse({"options": []})
    kind = UnitKind.TOWN if parent.kind == UnitKind.COUNTY else UnitKind.VILLAGE
    options: QuerySet[Unit] = child_areas(parent, kind)
    return JsonResponse({"options": [{"id": u.pk, "name": u.name} for u in options]})


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
