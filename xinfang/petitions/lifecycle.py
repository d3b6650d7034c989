"""The transition table of a petition matter, read like the regulation (domain.md §3.1).

Each action names the states it may start from, the state it leads to, and the roles that may take
it. Services consult this table before changing anything; a refused action changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import Role

from .states import State

# The state before an objection: a rejected objection sends the matter back where it was.
RETURN_TO_ROUTED = "__routed__"

PETITION_DEPT = frozenset({Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN})
HANDLERS = frozenset(
    {Role.DEPARTMENT_HANDLER, Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.VILLAGE_CADRE, Role.SYSTEM_ADMIN}
)
INTAKE = PETITION_DEPT | {Role.VILLAGE_CADRE, Role.DEPARTMENT_HANDLER}
DECIDERS = HANDLERS | {Role.LEADER}
# Evaluations and appeal requests come from the petitioner; petition staff record them (a return visit or
# the reception desk). The handler never records the rating of its own handling.
RECORDERS = PETITION_DEPT | {Role.VILLAGE_CADRE}


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    article: str = ""


def _t(
    action: str, label: Promise, sources: Iterable[str], target: str, roles: frozenset[str], article: str = ""
) -> Transition:
    return Transition(action, label, frozenset(sources), target, roles, article)


S = State
ROUTABLE = {S.REGISTERED, S.TRIAGE}
ROUTED = {S.FORWARDED, S.ASSIGNED}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("register", _("Register"), {S.RECEIVED}, S.REGISTERED, INTAKE, "22"),
        _t(
            "decline_upper",
            _("Not accepted: already handled below"),
            {S.REGISTERED, S.TRIAGE},
            S.NOT_ACCEPTED_UPPER,
            PETITION_DEPT,
            "19 ¶3",
        ),
        _t(
            "decline_final",
            _("Not accepted again: matter is final"),
            {S.REGISTERED, S.TRIAGE},
            S.NOT_ACCEPTED_FINAL,
            PETITION_DEPT,
            "36 ¶3",
        ),
        _t("triage", _("Start triage"), {S.REGISTERED}, S.TRIAGE, PETITION_DEPT, "22"),
        _t("forward", _("Forward"), ROUTABLE, S.FORWARDED, PETITION_DEPT, "22"),
        _t("assign", _("Assign with feedback deadline"), ROUTABLE, S.ASSIGNED, PETITION_DEPT, "22"),
        _t(
            "redirect",
            _("Tell petitioner to apply elsewhere"),
            ROUTABLE | ROUTED,
            S.REDIRECTED,
            HANDLERS,
            "23 ¶1",
        ),
        _t(
            "refer_political_legal",
            _("Refer to political-legal organs"),
            ROUTABLE | ROUTED | {S.ACCEPTED},
            S.REFERRED_POLITICAL_LEGAL,
            HANDLERS,
            "22 ¶2",
        ),
        _t(
            "refer_discipline",
            _("Refer to discipline inspection"),
            ROUTABLE | ROUTED | {S.ACCEPTED},
            S.REFERRED_DISCIPLINE,
            HANDLERS,
            "22 ¶2, 30",
        ),
        _t("accept", _("Accept"), ROUTABLE | ROUTED, S.ACCEPTED, HANDLERS, "23, 34"),
        _t("raise_objection", _("Object: not our remit"), ROUTED, S.OBJECTION_RAISED, HANDLERS, "23 ¶3"),
        _t(
            "agree_objection",
            _("Agree with objection"),
            {S.OBJECTION_RAISED},
            S.TRIAGE,
            PETITION_DEPT,
            "23 ¶3",
        ),
        _t(
            "reject_objection",
            _("Reject objection"),
            {S.OBJECTION_RAISED},
            RETURN_TO_ROUTED,
            PETITION_DEPT,
            "23 ¶3",
        ),
        _t(
            "divert",
            _("Not accepted: use another procedure"),
            ROUTABLE | ROUTED | {S.ACCEPTED},
            S.DIVERTED_PROCEDURE,
            HANDLERS,
            "31 (1)-(4)",
        ),
        _t("start_study", _("Study the suggestion"), {S.ACCEPTED}, S.SUGGESTION_STUDY, HANDLERS, "29"),
        _t(
            "start_duty",
            _("Perform the duty or answer"),
            {S.ACCEPTED},
            S.DUTY_PERFORMANCE,
            HANDLERS,
            "31 (5)",
        ),
        _t("start_handling", _("Investigate and verify"), {S.ACCEPTED}, S.IN_HANDLING, HANDLERS, "31 (6)"),
        _t("open_hearing", _("Hold a hearing"), {S.IN_HANDLING}, S.HEARING, HANDLERS, "31 (6), 36"),
        _t("close_hearing", _("End the hearing"), {S.HEARING}, S.IN_HANDLING, HANDLERS, "31 (6)"),
        _t("start_mediation", _("Start mediation"), {S.IN_HANDLING}, S.MEDIATION, HANDLERS, "33"),
        _t("settle", _("Record the agreement"), {S.MEDIATION}, S.SETTLED, HANDLERS, "33"),
        _t(
            "end_mediation",
            _("Mediation failed: resume handling"),
            {S.MEDIATION},
            S.IN_HANDLING,
            HANDLERS,
            "33",
        ),
        _t(
            "issue_opinion",
            _("Issue the handling opinion"),
            {S.IN_HANDLING},
            S.OPINION_ISSUED,
            HANDLERS,
            "32",
        ),
        _t(
            "deliver_reply",
            _("Deliver the written reply"),
            {S.SUGGESTION_STUDY, S.DUTY_PERFORMANCE, S.OPINION_ISSUED},
            S.REPLIED,
            HANDLERS,
            "32, 35",
        ),
        _t("evaluate", _("Record satisfaction"), {S.REPLIED, S.SETTLED}, S.EVALUATED, RECORDERS, "21"),
        _t(
            "request_review",
            _("Request review"),
            {S.REPLIED, S.EVALUATED},
            S.REVIEW_REQUESTED,
            RECORDERS,
            "35",
        ),
        _t("decide_review", _("Decide the review"), {S.REVIEW_REQUESTED}, S.REVIEW_DECIDED, DECIDERS, "35"),
        _t(
            "request_re_review",
            _("Request re-review"),
            {S.REVIEW_DECIDED},
            S.RE_REVIEW_REQUESTED,
            RECORDERS,
            "36",
        ),
        _t(
            "decide_re_review",
            _("Decide the re-review (final)"),
            {S.RE_REVIEW_REQUESTED},
            S.FINAL,
            DECIDERS,
            "36",
        ),
        _t(
            "close",
            _("Close"),
            {S.REPLIED, S.EVALUATED, S.SETTLED, S.REVIEW_DECIDED},
            S.CLOSED,
            HANDLERS | {Role.LEADER},
            "",
        ),
        _t(
            "start_followup",
            _("Start follow-up after finality"),
            {S.FINAL},
            S.POST_FINAL_FOLLOWUP,
            HANDLERS | {Role.LEADER},
            "37 ¶3",
        ),
    ]
}

# Actions that change no state but are refused once a matter is no longer in handling.
EXTENDABLE_STATES = frozenset({S.IN_HANDLING, S.HEARING, S.MEDIATION})


def allowed_actions(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.sources]


def is_allowed(action: str, state: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and state in transition.sources
