"""States, types, channels and the other vocabularies of a petition matter (信访事项)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    RECEIVED = "received", _("Received")  # 收到
    REGISTERED = "registered", _("Registered")  # 登记
    NOT_ACCEPTED_UPPER = "not_accepted_upper", _("Not accepted: handled below")  # 上级不予受理
    NOT_ACCEPTED_FINAL = "not_accepted_final", _("Not accepted: already final")  # 终结后不再受理
    TRIAGE = "triage", _("Triage")  # 分流
    FORWARDED = "forwarded", _("Forwarded")  # 转送
    ASSIGNED = "assigned", _("Assigned")  # 交办
    OBJECTION_RAISED = "objection_raised", _("Objection raised")  # 异议
    REDIRECTED = "redirected", _("Told to apply elsewhere")  # 告知另行提出
    REFERRED_POLITICAL_LEGAL = "referred_political_legal", _("Referred to political-legal organs")  # 诉访分离
    REFERRED_DISCIPLINE = "referred_discipline", _("Referred to discipline inspection")  # 转纪检监察
    ACCEPTED = "accepted", _("Accepted")  # 受理
    SUGGESTION_STUDY = "suggestion_study", _("Suggestion under study")  # 研究论证
    DIVERTED_PROCEDURE = "diverted_procedure", _("Not accepted: other procedure")  # 导入相应程序
    DUTY_PERFORMANCE = "duty_performance", _("Duty performance")  # 依法履行或者答复
    IN_HANDLING = "in_handling", _("In handling")  # 调查核实
    HEARING = "hearing", _("Hearing")  # 听证
    MEDIATION = "mediation", _("Mediation")  # 调解/和解
    SETTLED = "settled", _("Settled by agreement")  # 达成协议
    OPINION_ISSUED = "opinion_issued", _("Opinion issued")  # 出具意见书
    REPLIED = "replied", _("Replied, awaiting evaluation")  # 答复送达 · 待评价
    EVALUATED = "evaluated", _("Evaluated")  # 已评价
    CLOSED = "closed", _("Closed")  # 办结
    REVIEW_REQUESTED = "review_requested", _("Review requested")  # 复查
    REVIEW_DECIDED = "review_decided", _("Review decided")  # 复查意见
    RE_REVIEW_REQUESTED = "re_review_requested", _("Re-review requested")  # 复核
    FINAL = "final", _("Final")  # 终结
    POST_FINAL_FOLLOWUP = "post_final_followup", _("Follow-up after finality")  # 终结后化解


TERMINAL_STATES = frozenset(
    {
        State.NOT_ACCEPTED_UPPER,
        State.NOT_ACCEPTED_FINAL,
        State.REDIRECTED,
        State.REFERRED_POLITICAL_LEGAL,
        State.REFERRED_DISCIPLINE,
        State.DIVERTED_PROCEDURE,
        State.CLOSED,
        State.FINAL,
        State.POST_FINAL_FOLLOWUP,
    }
)
OPEN_STATES = frozenset(set(State.values) - {s.value for s in TERMINAL_STATES})


class PetitionType(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestions and opinions")  # 建议意见类
    ACCUSATION = "accusation", _("Reports and accusations")  # 检举控告类
    GRIEVANCE = "grievance", _("Grievances and requests")  # 申诉求决类


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    VISIT = "visit", _("Visit")
    HOTLINE = "hotline", _("12345 hotline")
    AGENT = "agent", _("Through an agent")
    GRID = "grid", _("Grid worker")
    STATION = "station", _("Reception station")


class PartyRole(models.TextChoices):
    PRINCIPAL = "principal", _("Petitioner")
    CO_PETITIONER = "co_petitioner", _("Co-petitioner")
    REPRESENTATIVE = "representative", _("Representative")
    AGENT = "agent", _("Agent")


class Procedure(models.TextChoices):
    """Where a matter goes instead of petition handling (Art. 31 (1)-(4)); 诉访分离."""

    LITIGATION = "litigation", _("Litigation (court, procuratorate, police)")
    ARBITRATION = "arbitration", _("Arbitration")
    PARTY_APPEAL = "party_appeal", _("Party-member appeal")
    ADMINISTRATIVE = "administrative", _("Administrative reconsideration or other administrative procedure")


class Decision(models.TextChoices):
    SUPPORT = "support", _("Supported")  # 支持
    EXPLAIN = "explain", _("Explained")  # 解释说明
    NOT_SUPPORT = "not_support", _("Not supported")  # 不予支持


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("By phone, written copy sent")


class NoticeExemption(models.TextChoices):
    """Art. 23 ¶2: no written notice is owed when the petitioner cannot be reached."""

    NAME_UNCLEAR = "name_unclear", _("Name unclear")
    ADDRESS_UNCLEAR = "address_unclear", _("Address unclear")
