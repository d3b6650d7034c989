"""What the petitioner sees of their petition: plain words, promised dates, a timeline without staff
names or internal notes, the written reply and the documents that apply.

Accusations (检举控告) are reduced further: the state and the dates only, never the accused, the handling
unit or anything that would tell which unit is looking at the matter (Art. 30, 46(5)).
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.core.models import Limit
from xinfang.petitions import documents
from xinfang.petitions.models import ClockStatus, Opinion, Petition
from xinfang.petitions.states import Decision, PetitionType, State

# A code no petition has (query codes avoid 0, 1, I and O): compared when the number is unknown, so a
# wrong number costs the same time as a wrong code.
_NO_CODE = "0000000000"


def normalize_number(value: str) -> str:
    """Spaces dropped and full-width or long dashes made plain; letters keep their case."""
    return "".join((value or "").split()).replace("—", "-").replace("－", "-").replace("–", "-")


def normalize_code(value: str) -> str:
    return "".join((value or "").split()).upper()


def find_petition(number: str, code: str) -> Petition | None:
    """The petition with this number and query code, or None; one answer for any mismatch."""
    number, code = normalize_number(number), normalize_code(code)
    petition = Petition.objects.filter(number=number).only("pk", "query_code").first() if number else None
    expected = petition.query_code if petition is not None else _NO_CODE
    matches = hmac.compare_digest(expected.encode(), code.encode())
    if petition is None or not matches or not code:
        return None
    return Petition.objects.get(pk=petition.pk)


def is_accusation(petition: Petition) -> bool:
    return bool(
        petition.petition_type == PetitionType.ACCUSATION
        or petition.accused_unit_id
        or petition.accused_user_id
        or petition.accused_description.strip()
        or petition.state == State.REFERRED_DISCIPLINE
    )


# --- the state in plain words --------------------------------------------------------------------

_ROUTING = _("The petition office is working out which unit is in charge of your matter.")
STATE_TEXT: dict[str, tuple[Promise, Promise]] = {
    State.RECEIVED: (
        _("Received, waiting to be registered"),
        _(
            "Your petition has arrived. The petition office will register it and send it to the unit "
            "in charge."
        ),
    ),
    State.REGISTERED: (
        _("Registered"),
        _("Your petition is registered and will be sent to the unit in charge."),
    ),
    State.TRIAGE: (_("Being routed"), _ROUTING),
    State.OBJECTION_RAISED: (_("Being routed"), _ROUTING),
    State.FORWARDED: (
        _("Sent to the unit in charge"),
        _("The unit in charge must tell you in writing whether it accepts your petition."),
    ),
    State.ASSIGNED: (
        _("Sent to the unit in charge"),
        _("The unit in charge must tell you in writing whether it accepts your petition."),
    ),
    State.ACCEPTED: (
        _("Accepted"),
        _("Your petition is accepted. The reply is due by the date shown below."),
    ),
    State.SUGGESTION_STUDY: (
        _("Your suggestion is being studied"),
        _("The unit in charge is studying your suggestion and will answer you in writing."),
    ),
    State.DUTY_PERFORMANCE: (
        _("Being handled"),
        _("The unit in charge is acting on your request and will answer you in writing."),
    ),
    State.IN_HANDLING: (
        _("Being investigated"),
        _("The facts are being checked. You may be contacted to give your account."),
    ),
    State.HEARING: (_("Hearing"), _("A hearing is being held on your petition.")),
    State.MEDIATION: (_("Mediation"), _("Mediation between the parties is under way.")),
    State.SETTLED: (
        _("Settled by agreement"),
        _("An agreement was signed. You may rate how your matter was handled."),
    ),
    State.OPINION_ISSUED: (
        _("Decided, reply on its way"),
        _("A written decision has been made and will be delivered to you."),
    ),
    State.REPLIED: (
        _("Reply delivered"),
        _(
            "You have received the written reply. You may rate the handling and, if you disagree, "
            "request a review within 30 days of receiving the reply."
        ),
    ),
    State.EVALUATED: (
        _("Rated"),
        _(
            "Thank you for your rating. If you disagree with the reply you may still request a review "
            "in time."
        ),
    ),
    State.CLOSED: (_("Closed"), _("The handling of your petition is complete.")),
    State.REVIEW_REQUESTED: (
        _("Review under way"),
        _("Your request for a review (复查) is being decided one level up."),
    ),
    State.REVIEW_DECIDED: (
        _("Review decided"),
        _("The review opinion was delivered. If you disagree you may request a re-review (复核) in time."),
    ),
    State.RE_REVIEW_REQUESTED: (
        _("Re-review under way"),
        _("Your request for a re-review (复核) is being decided one more level up."),
    ),
    State.FINAL: (
        _("Final"),
        _("The re-review opinion is final: the same facts and reasons are not accepted again (Art. 36)."),
    ),
    State.POST_FINAL_FOLLOWUP: (
        _("Final, with follow-up"),
        _("The matter is final. Staff keep in touch with you to help where they can."),
    ),
    State.NOT_ACCEPTED_UPPER: (
        _("Handled at a lower level"),
        _(
            "The same matter is already being handled at a lower level within its time limit; it goes "
            "on there."
        ),
    ),
    State.NOT_ACCEPTED_FINAL: (
        _("Not accepted again"),
        _(
            "The same facts and reasons were already decided finally. New facts or reasons make a new "
            "petition."
        ),
    ),
    State.REDIRECTED: (
        _("To be raised elsewhere"),
        _("The matter is outside the petition system. The written notice tells you where to raise it."),
    ),
    State.REFERRED_POLITICAL_LEGAL: (
        _("Referred to the political-legal organs"),
        _("The matter belongs to legal procedures and has been referred to the political-legal organs."),
    ),
    State.REFERRED_DISCIPLINE: (
        _("Referred to discipline inspection"),
        _("Your report has been referred to the discipline inspection and supervision organs."),
    ),
    State.DIVERTED_PROCEDURE: (
        _("Another procedure applies"),
        _("The matter is to be raised through another procedure; the written notice tells you which."),
    ),
}

# --- promised dates: the running clocks the petitioner may rely on ---------------------------------

CLOCK_TEXT: dict[str, Promise] = {
    Limit.FORWARD: _("To be sent to the unit in charge by"),
    Limit.NOTICE: _("Written notice of acceptance due by"),
    Limit.HANDLING: _("Reply due by"),
    Limit.DUTY_PERFORMANCE: _("Reply due by"),
    Limit.SUGGESTION_STUDY: _("Reply due by"),
    Limit.REVIEW_DECISION: _("Review opinion due by"),
    Limit.RE_REVIEW_DECISION: _("Re-review opinion due by"),
    Limit.EVALUATION_WINDOW: _("You may rate the handling until"),
    Limit.REVIEW_REQUEST: _("You may request a review until"),
    Limit.RE_REVIEW_REQUEST: _("You may request a re-review until"),
}

# The petitioner's own windows (as opposed to the units' duties).
PETITIONER_WINDOWS = frozenset({Limit.EVALUATION_WINDOW, Limit.REVIEW_REQUEST, Limit.RE_REVIEW_REQUEST})

# --- timeline: which actions the petitioner sees, and in which words ------------------------------

EVENT_TEXT: dict[str, Promise] = {
    "receive": _("Submitted online"),
    "register": _("Registered"),
    "triage": _("Routing started"),
    "forward": _("Sent to the unit in charge"),
    "assign": _("Sent to the unit in charge"),
    "accept": _("Accepted"),
    "start_study": _("Study of the suggestion started"),
    "start_duty": _("Handling started"),
    "start_handling": _("Investigation started"),
    "open_hearing": _("Hearing opened"),
    "close_hearing": _("Hearing ended"),
    "start_mediation": _("Mediation started"),
    "end_mediation": _("Mediation ended; handling continues"),
    "settle": _("Agreement signed"),
    "extend": _("Time for handling extended"),
    "issue_opinion": _("Handling opinion issued"),
    "deliver_reply": _("Written reply delivered"),
    "evaluate": _("Handling rated"),
    "request_review": _("Review requested"),
    "decide_review": _("Review opinion delivered"),
    "request_re_review": _("Re-review requested"),
    "decide_re_review": _("Re-review opinion delivered"),
    "close": _("Closed"),
    "start_followup": _("Follow-up started"),
    "redirect": _("Told where to raise the matter"),
    "refer_political_legal": _("Referred to the political-legal organs"),
    "refer_discipline": _("Referred to discipline inspection"),
    "divert": _("Another procedure applies"),
    "decline_upper": _("Not accepted here: handled at a lower level"),
    "decline_final": _("Not accepted again: the matter is final"),
}

DECISION_TEXT: dict[str, Promise] = {
    Decision.SUPPORT: _("Your request is supported"),
    Decision.EXPLAIN: _("Explained: your request is reasonable but lacks a legal basis"),
    Decision.NOT_SUPPORT: _("Your request is not supported"),
}


@dataclass
class Promised:
    label: Promise
    due_on: dt.date
    days_left: int

    @property
    def days_ago(self) -> int:
        return max(0, -self.days_left)


@dataclass
class Step:
    label: Promise
    on: dt.date


@dataclass
class Reply:
    title: Promise
    on: dt.date | None
    decision: Promise | None = None
    facts_found: str = ""
    reasons: str = ""
    legal_basis: str = ""
    text: str = ""
    issuer: str = ""


@dataclass
class CitizenView:
    petition: Petition
    accusation: bool
    headline: Promise | str
    explanation: Promise | str
    received_on: dt.date
    promised: list[Promised] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    can_rate: bool = False
    rate_until: dt.date | None = None
    appeal: str = ""  # "request_review" / "request_re_review" / ""
    appeal_until: dt.date | None = None
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def appeal_open(self) -> bool:
        return self.appeal_until is not None and self.today <= self.appeal_until


def citizen_view(petition: Petition) -> CitizenView:
    today = timezone.localdate()
    accusation = is_accusation(petition)
    headline, explanation = STATE_TEXT.get(petition.state, (State(petition.state).label, ""))
    view = CitizenView(
        petition=petition,
        accusation=accusation,
        headline=headline,
        explanation=explanation,
        received_on=timezone.localdate(petition.received_at),
        today=today,
    )
    running = {
        clock.kind: clock
        for clock in petition.clocks.filter(status=ClockStatus.RUNNING, kind__in=list(CLOCK_TEXT)).order_by(
            "started_on", "pk"
        )
    }
    for kind, clock in sorted(running.items(), key=lambda item: item[1].due_on):
        if kind in PETITIONER_WINDOWS and clock.due_on < today:
            continue  # a right that lapsed is no promise any more; the action sections say so
        view.promised.append(Promised(CLOCK_TEXT[kind], clock.due_on, (clock.due_on - today).days))
    window = running.get(Limit.EVALUATION_WINDOW)
    if petition.state in (State.REPLIED, State.SETTLED):
        view.can_rate = window is not None and today <= window.due_on
        view.rate_until = window.due_on if window else None
    appeal_window = None
    if petition.state in (State.REPLIED, State.EVALUATED):
        view.appeal = "request_review"
        appeal_window = running.get(Limit.REVIEW_REQUEST)
    elif petition.state == State.REVIEW_DECIDED:
        view.appeal = "request_re_review"
        appeal_window = running.get(Limit.RE_REVIEW_REQUEST)
    view.appeal_until = appeal_window.due_on if appeal_window else None
    if accusation:
        return view
    for event in petition.events.order_by("sequence").only("action", "at"):
        label = EVENT_TEXT.get(event.action)
        if label is not None:
            view.steps.append(Step(label, timezone.localdate(event.at)))
    view.replies = _replies(petition)
    view.documents = documents.available_documents(petition)
    return view


def _replies(petition: Petition) -> list[Reply]:
    replies: list[Reply] = []
    titles = {
        Opinion.Stage.HANDLING: _("Handling opinion"),
        Opinion.Stage.REVIEW: _("Review opinion"),
        Opinion.Stage.RE_REVIEW: _("Re-review opinion"),
    }
    for opinion in petition.opinions.select_related("unit").order_by("issued_on", "pk"):
        if opinion.delivered_on is None:
            continue  # decided, not yet delivered: the petitioner reads it once it reaches them
        replies.append(
            Reply(
                title=titles[Opinion.Stage(opinion.stage)],
                on=opinion.delivered_on,
                decision=DECISION_TEXT.get(opinion.decision),
                facts_found=opinion.facts_found,
                reasons=opinion.reasons,
                legal_basis=opinion.legal_basis,
                issuer=documents.official_name(opinion.unit),
            )
        )
    # Suggestions and duty performance are answered in words, an agreement is its own reply.
    for event in petition.events.filter(action__in=["deliver_reply", "settle"]).order_by("sequence"):
        payload = event.payload or {}
        text = payload.get("reply") or payload.get("agreement") or ""
        if text:
            title = _("Agreement") if event.action == "settle" else _("Written reply")
            replies.append(Reply(title=title, on=timezone.localdate(event.at), text=text))
    return replies
