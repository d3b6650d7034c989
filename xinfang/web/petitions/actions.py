"""The lifecycle actions offered on a petition page: which ones, with which form, calling which service.

Which actions a user sees is the transition table's answer (``lifecycle.allowed_actions`` for the state,
``services.acting_membership`` for the role at the acting units), never a second copy of the rules. The
services check everything again when the form is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.petitions import intake, lifecycle, services
from xinfang.petitions.models import Extension, Petition

from .. import forms as f

Runner = Callable[[Petition, User, dict[str, Any]], Petition]


@dataclass(frozen=True)
class ActionSpec:
    action: str
    form_class: type[f.ActionForm]
    run: Runner
    # Actions that end the matter here or refuse it are drawn apart from the everyday ones.
    style: str = "normal"


def _common(petition: Petition, user: User, data: dict[str, Any]) -> dict[str, Any]:
    return {"petition_id": petition.pk, "user": user, "expected_version": data["expected_version"]}


def _spec(action: str, form_class: type[f.ActionForm], run: Runner, style: str = "normal") -> ActionSpec:
    return ActionSpec(action, form_class, run, style)


def _route(action: str) -> Runner:
    return lambda p, u, d: services.petition_start_route(**_common(p, u, d), route=action)


SPECS: dict[str, ActionSpec] = {
    s.action: s
    for s in [
        _spec(
            "register", f.NoFieldsForm, lambda p, u, d: intake.petition_register_received(**_common(p, u, d))
        ),
        _spec("triage", f.NoFieldsForm, lambda p, u, d: services.petition_triage(**_common(p, u, d))),
        _spec(
            "forward",
            f.ForwardForm,
            lambda p, u, d: services.petition_forward(
                **_common(p, u, d), to_unit=d["to_unit"], note=d["note"]
            ),
        ),
        _spec(
            "assign",
            f.AssignForm,
            lambda p, u, d: services.petition_assign(
                **_common(p, u, d), to_unit=d["to_unit"], note=d["note"], feedback_days=d.get("feedback_days")
            ),
        ),
        _spec(
            "accept",
            f.AcceptForm,
            lambda p, u, d: services.petition_accept(
                **_common(p, u, d),
                petition_type=d["petition_type"],
                notice_sent_on=d.get("notice_sent_on"),
                notice_exemption=d.get("notice_exemption") or "",
                route=d.get("route") or None,
            ),
        ),
        _spec(
            "raise_objection",
            f.ObjectionForm,
            lambda p, u, d: services.petition_raise_objection(**_common(p, u, d), reason=d["reason"]),
        ),
        _spec(
            "agree_objection",
            f.NoteForm,
            lambda p, u, d: services.petition_agree_objection(**_common(p, u, d), note=d["note"]),
        ),
        _spec(
            "reject_objection",
            f.ReasonForm,
            lambda p, u, d: services.petition_reject_objection(**_common(p, u, d), reason=d["reason"]),
        ),
        _spec("start_handling", f.NoFieldsForm, _route("start_handling")),
        _spec("start_study", f.NoFieldsForm, _route("start_study")),
        _spec("start_duty", f.NoFieldsForm, _route("start_duty")),
        _spec(
            "open_hearing",
            f.NoteForm,
            lambda p, u, d: services.petition_open_hearing(**_common(p, u, d), note=d["note"]),
        ),
        _spec(
            "close_hearing",
            f.NoteForm,
            lambda p, u, d: services.petition_close_hearing(**_common(p, u, d), note=d["note"]),
        ),
        _spec(
            "start_mediation",
            f.NoteForm,
            lambda p, u, d: services.petition_start_mediation(**_common(p, u, d), note=d["note"]),
        ),
        _spec(
            "settle",
            f.SettleForm,
            lambda p, u, d: services.petition_settle(
                **_common(p, u, d), agreement=d["agreement"], signed_on=d["signed_on"]
            ),
        ),
        _spec(
            "end_mediation",
            f.ReasonForm,
            lambda p, u, d: services.petition_end_mediation(**_common(p, u, d), reason=d["reason"]),
        ),
        _spec(
            "issue_opinion",
            f.IssueOpinionForm,
            lambda p, u, d: services.petition_issue_opinion(
                **_common(p, u, d),
                decision=d["decision"],
                facts_found=d["facts_found"],
                reasons=d["reasons"],
                legal_basis=d["legal_basis"],
                issued_on=d["issued_on"],
            ),
        ),
        _spec(
            "deliver_reply",
            f.DeliverReplyForm,
            lambda p, u, d: services.petition_deliver_reply(
                **_common(p, u, d),
                delivered_on=d["delivered_on"],
                method=d["method"],
                reply_text=d["reply_text"],
            ),
        ),
        _spec(
            "evaluate",
            f.EvaluateForm,
            lambda p, u, d: services.petition_evaluate(
                **_common(p, u, d), rating=d["rating"], comment=d["comment"]
            ),
        ),
        _spec(
            "request_review",
            f.AppealRequestForm,
            lambda p, u, d: services.petition_request_review(
                **_common(p, u, d), requested_on=d["requested_on"], grounds=d["grounds"]
            ),
        ),
        _spec(
            "decide_review",
            f.DecideReviewForm,
            lambda p, u, d: services.petition_decide_review(
                **_common(p, u, d),
                decision=d["decision"],
                facts_found=d["facts_found"],
                reasons=d["reasons"],
                legal_basis=d["legal_basis"],
                delivered_on=d["delivered_on"],
            ),
        ),
        _spec(
            "request_re_review",
            f.AppealRequestForm,
            lambda p, u, d: services.petition_request_re_review(
                **_common(p, u, d), requested_on=d["requested_on"], grounds=d["grounds"]
            ),
        ),
        _spec(
            "decide_re_review",
            f.DecideReReviewForm,
            lambda p, u, d: services.petition_decide_re_review(
                **_common(p, u, d),
                decision=d["decision"],
                facts_found=d["facts_found"],
                reasons=d["reasons"],
                legal_basis=d["legal_basis"],
                delivered_on=d["delivered_on"],
                hearing_days=d.get("hearing_days") or 0,
            ),
        ),
        _spec(
            "close",
            f.OptionalReasonForm,
            lambda p, u, d: services.petition_close(**_common(p, u, d), reason=d["reason"]),
        ),
        _spec(
            "start_followup",
            f.PlanForm,
            lambda p, u, d: services.petition_start_followup(**_common(p, u, d), plan=d["plan"]),
        ),
        _spec(
            "extend",
            f.ExtendForm,
            lambda p, u, d: services.petition_extend(
                **_common(p, u, d),
                days=d["days"],
                reason=d["reason"],
                approved_by=d["approved_by"],
                notice_sent_on=d["notice_sent_on"],
            ),
        ),
        # Ways out: the matter leaves petition handling here.
        _spec(
            "redirect",
            f.ReasonForm,
            lambda p, u, d: services.petition_redirect(**_common(p, u, d), reason=d["reason"]),
            "exit",
        ),
        _spec(
            "divert",
            f.DivertForm,
            lambda p, u, d: services.petition_divert(
                **_common(p, u, d), procedure=d["procedure"], reason=d["reason"]
            ),
            "exit",
        ),
        _spec(
            "refer_political_legal",
            f.PoliticalLegalForm,
            lambda p, u, d: services.petition_refer_political_legal(
                **_common(p, u, d), to_unit=d["to_unit"], reason=d["reason"]
            ),
            "exit",
        ),
        _spec(
            "refer_discipline",
            f.DisciplineForm,
            lambda p, u, d: services.petition_refer_discipline(
                **_common(p, u, d), to_unit=d["to_unit"], reason=d["reason"]
            ),
            "exit",
        ),
        _spec(
            "decline_upper",
            f.DeclineUpperForm,
            lambda p, u, d: services.petition_decline_upper(
                **_common(p, u, d), open_case=d["earlier_number"]
            ),
            "exit",
        ),
        _spec(
            "decline_final",
            f.DeclineFinalForm,
            lambda p, u, d: services.petition_decline_final(
                **_common(p, u, d), final_case=d["earlier_number"]
            ),
            "exit",
        ),
    ]
}

EXTEND_LABEL: Promise = _("Extend handling (once, at most 30 days)")


@dataclass
class OfferedAction:
    action: str
    label: Any
    article: str
    spec: ActionSpec
    form: f.ActionForm


def available(petition: Petition, user: User) -> list[str]:
    """The actions the current state and the user's role allow, in the order of the transition table."""
    names = []
    for transition in lifecycle.allowed_actions(petition.state):
        if transition.action not in SPECS:
            continue
        # The units an action is taken at are the service's rule; ask it rather than restate it.
        units = services._acting_units(petition, transition)
        if scoping.sees_everything(user) or services.acting_membership(user, units, transition.roles):
            names.append(transition.action)
    if petition.state in lifecycle.EXTENDABLE_STATES and _may_extend(petition, user):
        names.append("extend")
    return names


def _may_extend(petition: Petition, user: User) -> bool:
    if Extension.objects.filter(petition=petition).exists():
        return False
    roles = lifecycle.TRANSITIONS["start_handling"].roles
    return scoping.sees_everything(user) or bool(
        services.acting_membership(user, [petition.current_unit], roles)
    )


def _focus_first_error(form: f.ActionForm) -> None:
    """The page comes back scrolled to the sent form: its first wrong (or first) field takes the focus."""
    visible = [field.name for field in form.visible_fields()]
    wrong = [name for name in visible if name in form.errors]
    targets = wrong or visible
    if targets:
        form.fields[targets[0]].widget.attrs["autofocus"] = True


def _visible_fields(spec: ActionSpec) -> list[str]:
    return [name for name, field in spec.form_class.base_fields.items() if not field.widget.is_hidden]


def label_of(action: str) -> Any:
    if action == "extend":
        return EXTEND_LABEL
    return lifecycle.TRANSITIONS[action].label


def offer(petition: Petition, user: User, bound: f.ActionForm | None = None) -> list[OfferedAction]:
    """A form for every available action; ``bound`` (one sent back with errors) replaces its blank twin."""
    offered = []
    names = available(petition, user)
    if bound is not None and bound.prefix not in names:
        # Sent from a page drawn for an earlier state: keep showing it, with its error and the typing.
        names.append(str(bound.prefix))
    # Everyday steps first (quick one-click ones leading), then the ways out of petition handling.
    names.sort(key=lambda name: (SPECS[name].style == "exit", bool(_visible_fields(SPECS[name]))))
    for action in names:
        spec = SPECS[action]
        if bound is not None and bound.prefix == action:
            form = bound
            _focus_first_error(form)
        else:
            form = spec.form_class(petition=petition, user=user, prefix=action)
        transition = lifecycle.TRANSITIONS.get(action)
        offered.append(
            OfferedAction(action, label_of(action), transition.article if transition else "34", spec, form)
        )
    return offered
