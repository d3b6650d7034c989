"""The eligibility checklist of a mediation referral (访调对接), domain.md §7.4.

With both parties' consent a 申诉求决 matter may go to people's mediation if it is a civil dispute;
excluded are matters reserved by law to special organs, matters whose legal procedure is unfinished,
administrative disputes, and any matter a party refuses to mediate (the Shandong 2025 rules, taken as
the model). These built-in questions always apply. A locality adds its own (``EligibilityCheck`` on a
unit, e.g. a ceiling on the amount in dispute); a referral from a unit gets the questions of every
locality above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import ancestors

from .models import EligibilityCheck


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    question: str | Promise
    excludes_when_yes: bool
    reason: str | Promise

    def excludes(self, answer: bool) -> bool:
        return answer is self.excludes_when_yes


BUILTIN_CHECKS: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "civil_dispute",
        gettext_lazy(
            "Is it a civil dispute: between citizens, with a legal person, or about civil rights "
            "against an administrative organ?"
        ),
        False,
        gettext_lazy("It is not a civil dispute; people's mediation settles civil disputes only."),
    ),
    ChecklistItem(
        "special_organ",
        gettext_lazy("Is the matter reserved by law to special organs (courts, procuratorates, police)?"),
        True,
        gettext_lazy("The matter is reserved by law to special organs."),
    ),
    ChecklistItem(
        "legal_procedure",
        gettext_lazy("Is a lawsuit, arbitration or other legal procedure on it under way and unfinished?"),
        True,
        gettext_lazy("A legal procedure on the matter is not finished."),
    ),
    ChecklistItem(
        "administrative_dispute",
        gettext_lazy("Is it an administrative dispute (about an administrative act)?"),
        True,
        gettext_lazy("It is an administrative dispute; it belongs to administrative procedures."),
    ),
    ChecklistItem(
        "party_refuses",
        gettext_lazy("Has any party refused mediation?"),
        True,
        gettext_lazy("A party refuses mediation; mediation needs the consent of every party (Art. 33)."),
    ),
)


BUILTIN_BY_CODE = {item.code: item for item in BUILTIN_CHECKS}


def checklist_for(unit: Unit) -> list[ChecklistItem]:
    """The built-in questions, then the active ones of every locality from the top down to ``unit``."""
    local = EligibilityCheck.objects.filter(
        unit__in=ancestors(unit, include_self=True), is_active=True
    ).order_by("unit__depth", "order", "pk")
    return [*BUILTIN_CHECKS] + [
        ChecklistItem(f"local-{check.pk}", check.question, check.excludes_when_yes, check.reason)
        for check in local
    ]


def assess(items: list[ChecklistItem], answers: dict[str, bool]) -> tuple[list[dict[str, Any]], list[str]]:
    """The answered checklist (kept with the referral) and the reasons that exclude the matter."""
    missing = [item for item in items if not isinstance(answers.get(item.code), bool)]
    if missing:
        raise DomainError(
            _("Answer every question of the checklist: %(questions)s")
            % {"questions": " ".join(str(item.question) for item in missing)},
            code="checklist_incomplete",
        )
    rows, reasons = [], []
    for item in items:
        answer = answers[item.code]
        excluded = item.excludes(answer)
        row: dict[str, Any] = {"code": item.code, "answer": answer, "excludes": excluded}
        if item.code not in BUILTIN_BY_CODE:
            # A locality's own question is kept as worded; built-in ones read in each reader's language.
            row["question"] = str(item.question)
        rows.append(row)
        if excluded:
            reasons.append(str(item.reason))
    return rows, reasons


def answered(checklist: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checklist kept with a referral, each row with its question in the reader's language."""
    return [
        {
            **row,
            "question": str(BUILTIN_BY_CODE[row["code"]].question)
            if row["code"] in BUILTIN_BY_CODE
            else row.get("question", row["code"]),
        }
        for row in checklist
    ]
