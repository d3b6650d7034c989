"""Social forces (社会力量), mediation referrals (访调对接) and consent campaigns.

Thin: parse with a form, read through the community selectors (scoped by ``scoping`` and, for anything
about a petition, ``visible_petitions``), write through a service, render. Out of reach answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.community import documents, eligibility, selectors, services
from xinfang.community.models import (
    ConsentStatus,
    ForceKind,
    MediationParty,
    MediationReferral,
    ReferralStatus,
    SocialForce,
    SocialForceLink,
    SocialForceMember,
)
from xinfang.core.errors import DomainError
from xinfang.core.phone import mask_phone
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import get_visible_petition, visible_petitions
from xinfang.petitions.states import PetitionType, State

from ..shortcuts import no_store, or_404, staff_user
from . import forms as f


def _done(request: HttpRequest, message: str, to: str, *args: Any, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse(to, args=args) + (f"#{anchor}" if anchor else ""))


# --- registry ------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = f.ForceFilterForm(request.GET or None)
    forces = selectors.visible_forces(user).order_by("area__path", "kind", "name")
    if form.is_valid():
        if form.cleaned_data["kind"]:
            forces = forces.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["q"].strip():
            text = form.cleaned_data["q"].strip()
            forces = forces.filter(name__icontains=text) | forces.filter(skills__icontains=text)
    rows = [(force, force.members.filter(left_on__isnull=True).count()) for force in forces[:500]]
    may_register = any(
        scoping.can_act_in(user, r, *services.REGISTRY_ROLES) for r in scoping.jurisdiction_roots(user)
    )
    context = {"form": form, "rows": rows, "may_register": may_register or scoping.sees_everything(user)}
    return render(request, "community/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def force_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = f.ForceForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            force = services.social_force_register(
                user=user,
                kind=d["kind"],
                name=d["name"],
                area=d["area"],
                skills=d["skills"],
                description=d["description"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
            )
        except DomainError as exc:
            target = {"phone": "contact_phone", "duplicate": "name", "role_not_allowed": "area"}.get(exc.code)
            form.add_error(target, str(exc))
        else:
            return _done(request, _("Registered."), "community:force_detail", force.pk)
    return render(request, "community/force_form.html", {"form": form})


@login_required
def force_detail(request: HttpRequest, force_id: int) -> HttpResponse:
    user = staff_user(request)
    force = or_404(selectors.get_visible_force, user, force_id)
    members = [(m, mask_phone(m.phone)) for m in force.members.order_by("left_on", "pk")]
    links = (
        SocialForceLink.objects.filter(force=force, petition__in=visible_petitions(user).values("pk"))
        .select_related("petition")
        .order_by("-linked_at")
    )
    context = {
        "force": force,
        "contact_masked": mask_phone(force.contact_phone),
        "members": members,
        "links": links,
        "campaigns": force.campaigns.order_by("-starts_on"),
        "referrals": MediationReferral.objects.filter(
            mediator__force=force, petition__in=visible_petitions(user).values("pk")
        ).select_related("petition", "mediator"),
        "may_edit": scoping.can_act_in(user, force.area, *services.REGISTRY_ROLES),
        "member_form": f.MemberForm(),
        "leave_form": f.LeaveForm(),
    }
    return no_store(render(request, "community/force_detail.html", context))


@login_required
@require_POST
def member_create(request: HttpRequest, force_id: int) -> HttpResponse:
    user = staff_user(request)
    force = or_404(selectors.get_visible_force, user, force_id)
    form = f.MemberForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.member_add(
                user=user,
                force_id=force.pk,
                name=d["name"],
                title=d["title"],
                skills=d["skills"],
                phone=d["phone"],
                joined_on=d["joined_on"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            return _done(request, _("Member added."), "community:force_detail", force.pk, anchor="members")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("community:force_detail", args=[force.pk]) + "#members")


@login_required
@require_POST
def member_leave(request: HttpRequest, member_id: int) -> HttpResponse:
    user = staff_user(request)
    member = SocialForceMember.objects.filter(pk=member_id).first()
    if member is None:
        raise Http404(_("Not found."))
    force = or_404(selectors.get_visible_force, user, member.force_id)
    form = f.LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.member_leave(user=user, member_id=member.pk, left_on=form.cleaned_data["left_on"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Recorded."))
    return redirect(reverse("community:force_detail", args=[force.pk]) + "#members")


@login_required
@require_POST
def force_active(request: HttpRequest, force_id: int) -> HttpResponse:
    user = staff_user(request)
    force = or_404(selectors.get_visible_force, user, force_id)
    try:
        services.social_force_set_active(
            user=user, force_id=force.pk, active=not force.is_active, expected_version=force.version
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded."))
    return redirect("community:force_detail", force_id=force.pk)


# --- a petition's social forces and mediation ------------------------------------------------------


def _petition(request: HttpRequest, petition_id: int) -> Petition:
    return or_404(get_visible_petition, staff_user(request), petition_id)


def _linkable_forces(user: User, petition: Petition) -> Any:
    """Active forces serving the place of the problem (its area or one above it), or of the user's area."""
    condition = services.serving_q(petition.place) | scoping.jurisdiction_q(user, "area__path")
    return (
        SocialForce.objects.filter(condition, is_active=True).select_related("area").order_by("kind", "name")
    )


@login_required
def petition_panel(request: HttpRequest, petition_id: int, link_form: Any = None) -> HttpResponse:
    user = staff_user(request)
    petition = _petition(request, petition_id)
    referrals = petition.mediation_referrals.select_related("mediator__force").order_by("-referred_at")
    may_refer = (
        petition.petition_type == PetitionType.GRIEVANCE
        and petition.state == State.IN_HANDLING
        and not any(r.is_open for r in referrals)
    )
    context = {
        "petition": petition,
        "links": selectors.petition_links(petition),
        "referrals": referrals,
        "may_refer": may_refer,
        "link_form": link_form or f.LinkForm(forces=_linkable_forces(user, petition)),
    }
    return no_store(
        render(request, "community/petition_panel.html", context, status=400 if link_form else 200)
    )


@login_required
@require_POST
def link_create(request: HttpRequest, petition_id: int) -> HttpResponse:
    user = staff_user(request)
    petition = _petition(request, petition_id)
    form = f.LinkForm(request.POST, forces=_linkable_forces(user, petition))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.social_force_link(
                user=user, petition_id=petition.pk, force_id=d["force"].pk, role=d["role"], note=d["note"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(
                request,
                _("The social force takes part in the petition."),
                "community:petition_panel",
                petition.pk,
            )
    return petition_panel(request, petition.pk, link_form=form)


@login_required
@require_POST
def link_end(request: HttpRequest, link_id: int) -> HttpResponse:
    user = staff_user(request)
    link = SocialForceLink.objects.filter(pk=link_id).first()
    if link is None:
        raise Http404(_("Not found."))
    petition = _petition(request, link.petition_id)
    try:
        services.social_force_unlink(user=user, link_id=link.pk, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded."))
    return redirect("community:petition_panel", petition_id=petition.pk)


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The eligibility checklist; an ineligible matter is refused with the reasons, nothing recorded."""
    user = staff_user(request)
    petition = _petition(request, petition_id)
    items = eligibility.checklist_for(petition.current_unit)
    form = f.ReferralForm(request.POST or None, items=items, initial={"expected_version": petition.version})
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.mediation_refer(
                user=user,
                petition_id=petition.pk,
                answers=form.answers(),
                respondents=form.respondent_names(),
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:
            form.add_error("respondents" if exc.code == "respondents" else None, str(exc))
        else:
            return _done(request, _("Referred to mediation."), "community:referral_detail", referral.pk)
    return render(
        request,
        "community/referral_form.html",
        {"form": form, "petition": petition},
        status=400 if form.errors else 200,
    )


# --- referral page -------------------------------------------------------------------------------


def _referral(request: HttpRequest, referral_id: int) -> MediationReferral:
    return or_404(selectors.get_visible_referral, staff_user(request), referral_id)


def _referral_context(request: HttpRequest, referral: MediationReferral, **forms_: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "referral": referral,
        "petition": referral.petition,
        "parties": selectors.parties_with_consent(referral),
        "checklist": eligibility.answered(referral.checklist),
        "overdue": referral.contact_overdue(now),
        "on_time": referral.contact_on_time(),
        "agreement": getattr(referral, "agreement", None),
        "consent_form": forms_.get("consent_form") or f.ConsentForm(),
        "assign_form": forms_.get("assign_form")
        or f.AssignForm(
            mediators=services.mediator_choices(referral), initial={"expected_version": referral.version}
        ),
        "contact_form": forms_.get("contact_form") or f.ContactForm(),
        "agreement_form": forms_.get("agreement_form")
        or f.AgreementForm(initial={"expected_version": referral.version}),
        "fail_form": forms_.get("fail_form") or f.FailForm(initial={"expected_version": referral.version}),
        "bound": forms_.get("bound", ""),
    }


@login_required
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    return no_store(render(request, "community/referral_detail.html", _referral_context(request, referral)))


def _referral_action(
    request: HttpRequest, referral_id: int, form_name: str, form: Any, run: Any
) -> HttpResponse:
    referral = _referral(request, referral_id)
    if form.is_valid():
        try:
            run(referral, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, _("Recorded."), "community:referral_detail", referral.pk)
    referral = _referral(request, referral_id)
    context = _referral_context(request, referral, **{form_name: form, "bound": form_name})
    return no_store(render(request, "community/referral_detail.html", context, status=400))


@login_required
@require_POST
def consent_record(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = staff_user(request)

    def run(referral: MediationReferral, d: dict[str, Any]) -> None:
        party = MediationParty.objects.filter(pk=d["party"], referral=referral).first()
        if party is None:
            raise DomainError(_("Not found."), code="party")
        services.mediation_consent_record(
            user=user,
            party_id=party.pk,
            consents=d["consents"],
            given_on=d["given_on"],
            method=d["method"],
            note=d["note"],
        )

    return _referral_action(request, referral_id, "consent_form", f.ConsentForm(request.POST), run)


@login_required
@require_POST
def assign(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = staff_user(request)
    referral = _referral(request, referral_id)
    form = f.AssignForm(request.POST, mediators=services.mediator_choices(referral))

    def run(referral: MediationReferral, d: dict[str, Any]) -> None:
        services.mediation_assign(
            user=user,
            referral_id=referral.pk,
            member_id=d["mediator"].pk,
            expected_version=d["expected_version"],
        )

    return _referral_action(request, referral_id, "assign_form", form, run)


@login_required
@require_POST
def contact(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = staff_user(request)

    def run(referral: MediationReferral, d: dict[str, Any]) -> None:
        services.mediation_first_contact(
            user=user,
            referral_id=referral.pk,
            contacted_at=d["contacted_at"],
            method=d["method"],
            note=d["note"],
        )

    return _referral_action(request, referral_id, "contact_form", f.ContactForm(request.POST), run)


@login_required
@require_POST
def agree(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = staff_user(request)

    def run(referral: MediationReferral, d: dict[str, Any]) -> None:
        services.mediation_agree(
            user=user,
            referral_id=referral.pk,
            dispute=d["dispute"],
            terms=d["terms"],
            performance=d["performance"],
            signed_on=d["signed_on"],
            expected_version=d["expected_version"],
        )

    return _referral_action(request, referral_id, "agreement_form", f.AgreementForm(request.POST), run)


@login_required
@require_POST
def fail(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = staff_user(request)

    def run(referral: MediationReferral, d: dict[str, Any]) -> None:
        services.mediation_fail(
            user=user, referral_id=referral.pk, reason=d["reason"], expected_version=d["expected_version"]
        )

    return _referral_action(request, referral_id, "fail_form", f.FailForm(request.POST), run)


@login_required
def agreement_document(request: HttpRequest, referral_id: int, fmt: str) -> HttpResponse:
    referral = _referral(request, referral_id)
    if fmt not in {"pdf", "docx"} or getattr(referral, "agreement", None) is None:
        raise Http404(_("Not found."))
    if fmt == "pdf":
        body, content_type = documents.agreement_pdf(referral), "application/pdf"
    else:
        body = documents.agreement_docx(referral)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{referral.petition.number}-mediation-agreement.{fmt}"'
    )
    return no_store(response)


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    referrals = selectors.visible_referrals(user).order_by("-referred_at")
    status = request.GET.get("status", "")
    listed = referrals.filter(status=status) if status in ReferralStatus.values else referrals
    now = timezone.now()
    context = {
        "figures": selectors.mediation_figures(referrals, now),
        "rows": [(r, r.contact_overdue(now), r.contact_on_time()) for r in listed[:300]],
        "statuses": ReferralStatus.choices,
        "status": status,
    }
    return render(request, "community/referral_list.html", context)


# --- consent campaigns ---------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    rows = []
    for campaign in selectors.visible_campaigns(user).order_by("-starts_on"):
        series = selectors.consent_series(campaign)
        rows.append((campaign, series[-1], selectors.threshold_reached_on(campaign, series)))
    may_create = any(
        scoping.can_act_in(user, r, *services.REGISTRY_ROLES) for r in scoping.jurisdiction_roots(user)
    )
    return render(request, "community/campaign_list.html", {"rows": rows, "may_create": may_create})


def _campaign_forces(user: User) -> Any:
    return (
        selectors.visible_forces(user)
        .filter(is_active=True, kind__in=[k for k in ForceKind.values if k != ForceKind.MEDIATOR])
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = f.CampaignForm(request.POST or None, user=user, forces=_campaign_forces(user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.campaign_create(
                user=user,
                name=d["name"],
                area=d["area"],
                goal=d["goal"],
                social_force_id=d["social_force"].pk,
                starts_on=d["starts_on"],
                threshold=d["threshold"],
            )
        except DomainError as exc:
            form.add_error({"force": "social_force", "threshold": "threshold"}.get(exc.code), str(exc))
        else:
            return _done(
                request,
                _("Campaign created. Now list its households."),
                "community:campaign_detail",
                campaign.pk,
            )
    return render(request, "community/campaign_form.html", {"form": form})


def _campaign_context(request: HttpRequest, campaign: Any, **forms_: Any) -> dict[str, Any]:
    series = selectors.consent_series(campaign)
    reached = selectors.threshold_reached_on(campaign, series)
    counts = selectors.status_counts(campaign)
    households = campaign.households.order_by("address_label")
    members = campaign.social_force.members.filter(left_on__isnull=True).order_by("pk")
    selected = request.GET.get("household")
    initial: dict[str, Any] = {}
    if selected and selected.isdigit():
        chosen = households.filter(pk=int(selected)).first()
        if chosen is not None:
            initial = {"household": chosen, "expected_version": chosen.version, "expected_for": chosen.pk}
    chart = {
        "days": [p.day.isoformat() for p in series],
        "rates": [float(p.rate) for p in series],
        "threshold": float(campaign.threshold),
        "name": _("Consent rate"),
        "thresholdName": _("Threshold"),
    }
    return {
        "campaign": campaign,
        "series": series,
        "latest": series[-1],
        "reached": reached,
        "counts": [(label, counts[value]) for value, label in ConsentStatus.choices],
        "households": households,
        "to_win": [h for h in households if h.status != ConsentStatus.CONSENTED],
        "consented": [h for h in households if h.status == ConsentStatus.CONSENTED],
        "work": selectors.member_work(campaign),
        "chart": chart,
        "may_edit": scoping.can_act_in(staff_user(request), campaign.area, *services.REGISTRY_ROLES),
        "record_form": forms_.get("record_form")
        or f.HouseholdConsentForm(households=households, members=members, initial=initial),
        "households_form": forms_.get("households_form") or f.HouseholdsForm(),
    }


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = or_404(selectors.get_visible_campaign, staff_user(request), campaign_id)
    return render(request, "community/campaign_detail.html", _campaign_context(request, campaign))


@login_required
@require_POST
def households_create(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = staff_user(request)
    campaign = or_404(selectors.get_visible_campaign, user, campaign_id)
    form = f.HouseholdsForm(request.POST)
    if form.is_valid():
        try:
            made = services.households_add(user=user, campaign_id=campaign.pk, households=form.households())
        except DomainError as exc:
            form.add_error("lines", str(exc))
        else:
            return _done(
                request,
                _("%(n)d households added.") % {"n": len(made)},
                "community:campaign_detail",
                campaign.pk,
                anchor="households",
            )
    context = _campaign_context(request, campaign, households_form=form)
    return render(request, "community/campaign_detail.html", context, status=400)


@login_required
@require_POST
def household_record(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = staff_user(request)
    campaign = or_404(selectors.get_visible_campaign, user, campaign_id)
    households = campaign.households.order_by("address_label")
    members = campaign.social_force.members.filter(left_on__isnull=True)
    form = f.HouseholdConsentForm(request.POST, households=households, members=members)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.household_consent_record(
                user=user,
                household_id=d["household"].pk,
                status=d["status"],
                on=d["on"],
                worked_by_id=d["worked_by"].pk if d["worked_by"] else None,
                note=d["note"],
                # The version on the page is that of the household it was drawn for, not of another one.
                expected_version=d["expected_version"] if d["expected_for"] == d["household"].pk else None,
            )
        except DomainError as exc:
            form.add_error({"on": "on", "worked_by": "worked_by", "status": "status"}.get(exc.code), str(exc))
        else:
            return _done(request, _("Recorded."), "community:campaign_detail", campaign.pk, anchor="record")
    context = _campaign_context(request, campaign, record_form=form)
    return render(request, "community/campaign_detail.html", context, status=400)
