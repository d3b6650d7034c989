"""Detection at intake: repeat (同人+同事), bypass (越级), finality match, first-time, collective, threat.

The system proposes; staff confirm or dismiss each ``Suggestion`` and both outcomes are recorded.
Flags drive analysis and trace-back of cadres, never a penalty on the petitioner.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.orgs.models import AREA_KINDS

from .models import Clock, ClockStatus, Petition, Reminder, Suggestion
from .states import OPEN_STATES, Channel, State

REPEAT_THRESHOLD = 0.3
COLLECTIVE_REPRESENTATIVES = 5  # Art. 20 ¶3: a collective visit sends at most five representatives.
COLLECTIVE_PEOPLE = 5  # design choice, configurable per locality later
# Words that signal a threat of extreme action (扬言); a hit alerts the responsible leader at once.
THREAT_WORDS = (
    "自杀",
    "跳楼",
    "自焚",
    "喝农药",
    "服毒",
    "同归于尽",
    "爆炸",
    "炸掉",
    "杀了",
    "报复社会",
    "拉横幅",
    "堵路",
    "堵门",
    "进京",
    "去北京",
    "到北京上访",
    "集体上访",
    "闹大",
    "扬言",
    "轻生",
    "不想活了",
    "跳河",
    "卧轨",
    "以死相逼",
    "死给你们看",
    "极端行动",
    "去省里上访",
)
FINAL_STATES = {State.FINAL, State.POST_FINAL_FOLLOWUP}
COUNTY_LEVEL = 3


# Reasons are stored as codes with parameters and translated when shown, in the reader's language.
REASON_TEXTS = {
    "same_person": gettext_lazy("same person"),
    "same_category": gettext_lazy("same category"),
    "same_place": gettext_lazy("same place"),
    "same_name": gettext_lazy("same name"),
    "similar_text": gettext_lazy("similar text (%(score)d%%)"),
    "collective_representatives": gettext_lazy(
        "%(n)d representatives at the visit; at most 5 are expected (Art. 20)."
    ),
    "visit_level": gettext_lazy("Visit at level %(at)d; the competent level is %(competent)d."),
}


def reason(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params}


def reason_texts(reasons: list[Any]) -> list[str]:
    """Readable reasons; plain strings (e.g. the threat words found) are shown as they are."""
    texts = []
    for item in reasons or []:
        if isinstance(item, dict) and item.get("code") in REASON_TEXTS:
            template = str(REASON_TEXTS[item["code"]])
            texts.append(template % item.get("params", {}) if item.get("params") else template)
        else:
            texts.append(str(item))
    return texts


def text_similarity(a: str, b: str) -> float:
    """Same matter, from the text: the near-duplicate index's precise score (3-gram Jaccard after
    normalisation; see ``xinfang.analytics.text.similarity``)."""
    from xinfang.analytics.text import similarity

    return similarity(a, b)


def matter_text(petition: Petition) -> str:
    return f"{petition.subject} {petition.request} {petition.facts}"


def same_person_q(petition: Petition) -> Q:
    """Earlier petitions sharing a person: principal, co-signers, representatives, agent (both sides)."""
    parties = list(petition.parties.select_related("petitioner"))
    ids = {p.petitioner_id for p in parties}
    id_hashes = {p.petitioner.id_number_hash for p in parties if p.petitioner.id_number_hash}
    phone_hashes = {p.petitioner.phone_hash for p in parties if p.petitioner.phone_hash}
    condition = Q(parties__petitioner_id__in=ids)
    if id_hashes:
        condition |= Q(parties__petitioner__id_number_hash__in=id_hashes)
    if phone_hashes:
        condition |= Q(parties__petitioner__phone_hash__in=phone_hashes)
    if petition.is_anonymous and petition.accused_unit_id:
        # Anonymous accusations: the same accused counts as the same person (domain.md §4).
        condition |= Q(is_anonymous=True, accused_unit_id=petition.accused_unit_id)
    return condition


def earlier_same_person(petition: Petition) -> Any:
    return (
        Petition.objects.filter(same_person_q(petition))
        .exclude(pk=petition.pk)
        .filter(received_at__lte=petition.received_at)
        .distinct()
        .select_related("current_unit", "category", "place")
        .order_by("-received_at")
    )


def _within_limit(candidate: Petition) -> bool:
    today = timezone.localdate()
    return not Clock.objects.filter(petition=candidate, status=ClockStatus.RUNNING, due_on__lt=today).exists()


def _is_below(candidate: Petition, petition: Petition) -> bool:
    upper = petition.registering_unit.area()
    lower = candidate.current_unit
    return lower.path.startswith(upper.path) and lower.area().depth > upper.depth


def competent_level(petition: Petition) -> int:
    """Functional departments exist from county level up, so most matters belong at county level or below."""
    place_level = petition.place.area().level
    return min(place_level, COUNTY_LEVEL)


def _same_name_same_text(petition: Petition, known: set[int]) -> list[Suggestion]:
    """同人+同事 where no ID number or phone links the people: an earlier petition with substantially the
    same text (near-duplicate index) whose petitioners include someone of the same name."""
    from xinfang.analytics.selectors import same_matter_any_person

    if petition.is_anonymous:
        return []
    names = set(petition.parties.values_list("petitioner__name", flat=True))
    matches = [m for m in same_matter_any_person(petition) if m.petition_id not in known]
    if not matches or not names:
        return []
    named = set(
        Petition.objects.filter(
            pk__in=[m.petition_id for m in matches], is_anonymous=False, parties__petitioner__name__in=names
        ).values_list("pk", flat=True)
    )
    found = []
    for match in matches:
        if match.petition_id not in named:
            continue
        candidate = Petition.objects.get(pk=match.petition_id)
        reasons = [reason("same_name"), reason("similar_text", score=round(100 * match.score))]
        kind = Suggestion.Kind.FINAL_MATCH if candidate.state in FINAL_STATES else Suggestion.Kind.REPEAT
        found.append(
            Suggestion(
                petition=petition,
                kind=kind,
                candidate=candidate,
                score=round(match.score, 3),
                reasons=reasons,
            )
        )
    return found[:5]


def detect_at_intake(*, petition: Petition, user: User | None) -> list[Suggestion]:
    from xinfang.analytics.services import petition_index

    petition_index(petition=petition)
    suggestions: list[Suggestion] = []
    text = matter_text(petition)
    earlier = list(earlier_same_person(petition)[:100])
    petition.is_first_time = not earlier
    for candidate in earlier:
        score = text_similarity(text, matter_text(candidate))
        reasons: list[Any] = [reason("same_person")]
        if candidate.category_id and candidate.category_id == petition.category_id:
            score += 0.1
            reasons.append(reason("same_category"))
        if candidate.place_id == petition.place_id:
            score += 0.1
            reasons.append(reason("same_place"))
        if score < REPEAT_THRESHOLD:
            continue
        reasons.append(reason("similar_text", score=round(100 * min(score, 1.0))))
        if candidate.state in FINAL_STATES:
            kind = Suggestion.Kind.FINAL_MATCH
        elif candidate.state in OPEN_STATES and _is_below(candidate, petition) and _within_limit(candidate):
            kind = Suggestion.Kind.OPEN_BELOW
        else:
            kind = Suggestion.Kind.REPEAT
        suggestions.append(
            Suggestion(
                petition=petition,
                kind=kind,
                candidate=candidate,
                score=round(min(score, 1.0), 3),
                reasons=reasons,
            )
        )
    suggestions.extend(_same_name_same_text(petition, {c.pk for c in earlier}))
    suggestions.extend(_visit_bypass(petition))
    if petition.representative_count > COLLECTIVE_REPRESENTATIVES:
        suggestions.append(
            Suggestion(
                petition=petition,
                kind=Suggestion.Kind.COLLECTIVE,
                reasons=[reason("collective_representatives", n=petition.representative_count)],
            )
        )
    petition.is_collective = petition.people_count >= COLLECTIVE_PEOPLE or petition.representative_count > 1
    words = [word for word in THREAT_WORDS if word in text]
    if words:
        suggestions.append(Suggestion(petition=petition, kind=Suggestion.Kind.THREAT, reasons=words))
        _alert(
            petition,
            Reminder.Kind.THREAT,
            _("Threat words in %(number)s: %(words)s")
            % {"number": petition.number, "words": "、".join(words)},
        )
    if petition.is_urgent_major:
        _alert(
            petition,
            Reminder.Kind.URGENT,
            _("Major or urgent matter %(number)s: report upward at once.") % {"number": petition.number},
            upward=True,
        )
    Suggestion.objects.bulk_create(suggestions)
    petition.save(update_fields=["is_first_time", "is_collective"])
    return suggestions


def _visit_bypass(petition: Petition) -> list[Suggestion]:
    """Art. 20 ¶1: a visit more than one level above the competent unit."""
    if petition.channel != Channel.VISIT:
        return []
    received_level = petition.registering_unit.area().level
    expected = competent_level(petition)
    if expected - received_level < 2:
        return []
    return [
        Suggestion(
            petition=petition,
            kind=Suggestion.Kind.BYPASS,
            score=float(expected - received_level),
            reasons=[reason("visit_level", at=received_level, competent=expected)],
        )
    ]


def _alert(petition: Petition, kind: str, message: str, *, upward: bool = False) -> None:
    """Raise a reminder for the registering unit's area, where the responsible leader sits.

    A major or urgent matter is also reported at once to the next level up (Art. 25); each reminder
    is timestamped, which is the record of when the report was made.
    """
    area = petition.registering_unit.area()
    Reminder.objects.create(unit=area, petition=petition, kind=kind, message=message[:300])
    if upward:
        from xinfang.orgs.selectors import ancestors

        parent = ancestors(area).filter(kind__in=AREA_KINDS).order_by("-depth").first()
        if parent is not None:
            Reminder.objects.create(unit=parent, petition=petition, kind=kind, message=message[:300])


@transaction.atomic
def suggestion_decide(*, suggestion_id: int, user: User, confirm: bool, note: str = "") -> Suggestion:
    from xinfang.accounts import scoping

    from .lifecycle import INTAKE
    from .selectors import get_visible_petition
    from .services import acting_membership, event_append

    suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_id).first()
    if suggestion is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    petition = get_visible_petition(user, suggestion.petition_id)
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    membership = acting_membership(user, [petition.current_unit, petition.registering_unit], INTAKE)
    if membership is None and not scoping.sees_everything(user):
        raise DomainError(
            _("Only petition staff of the units handling this matter decide its checks."),
            code="role_not_allowed",
        )
    if suggestion.status != Suggestion.Status.PENDING:
        raise DomainError(_("This suggestion has already been decided."), code="decided")
    suggestion.status = Suggestion.Status.CONFIRMED if confirm else Suggestion.Status.DISMISSED
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.note = note[:300]
    suggestion.save()
    if confirm:
        _apply_confirmed(petition, suggestion)
    petition.version += 1
    petition.save()
    event_append(
        petition=petition,
        action="suggestion_confirmed" if confirm else "suggestion_dismissed",
        actor=user,
        actor_unit=membership.unit if membership else None,
        from_state=petition.state,
        to_state=petition.state,
        reason=note,
        payload={"suggestion": suggestion.pk, "kind": suggestion.kind, "candidate": suggestion.candidate_id},
    )
    return suggestion


def _apply_confirmed(petition: Petition, suggestion: Suggestion) -> None:
    kind = suggestion.kind
    if kind in {Suggestion.Kind.REPEAT, Suggestion.Kind.OPEN_BELOW, Suggestion.Kind.FINAL_MATCH}:
        petition.is_repeat = True
        petition.is_first_time = False
        petition.repeat_of = petition.repeat_of or suggestion.candidate
    if kind == Suggestion.Kind.FINAL_MATCH:
        petition.final_of = suggestion.candidate
    if kind in {Suggestion.Kind.BYPASS, Suggestion.Kind.OPEN_BELOW}:
        petition.is_bypass = True
        petition.bypass_destination_level = _area_level(petition)
    if kind == Suggestion.Kind.THREAT:
        petition.is_threat = True
    if kind == Suggestion.Kind.COLLECTIVE:
        petition.is_collective = True
    if kind == Suggestion.Kind.URGENT:
        petition.is_urgent_major = True


def _area_level(petition: Petition) -> int:
    unit = petition.registering_unit
    return unit.level if unit.kind in AREA_KINDS else unit.area().level
