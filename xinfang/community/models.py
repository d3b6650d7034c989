"""Social forces (社会力量), petition–mediation linkage (访调对接) and consent campaigns.

* ``SocialForce``: the registry of social organisations, self-help committees (群众自助委员会), people's
  mediation committees and mediators (人民调解员), volunteers and "两代表一委员", with their members.
* ``MediationReferral``: a 申诉求决 matter in handling sent to people's mediation after an eligibility
  check, with each party's consent, a mediator, a first-contact deadline and an agreement or a return
  to handling.
* ``ConsentCampaign``: canvassing households for a collective project (e.g. a shanty-town relocation)
  until the consent rate passes a threshold; every status change is a dated row.

Records are never deleted; what changes is recorded as new rows or on the petition's timeline.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.core.fields import EncryptedTextField
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition, Petitioner


class ForceKind(models.TextChoices):
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")  # 社会组织
    SELF_HELP_COMMITTEE = "self_help_committee", _("Self-help committee")  # 群众自助委员会
    MEDIATION_COMMITTEE = "mediation_committee", _("People's mediation committee")  # 人民调解委员会
    MEDIATOR = "mediator", _("People's mediator")  # 人民调解员
    VOLUNTEER = "volunteer", _("Volunteer")  # 志愿者
    DEPUTY = "deputy", _("Deputy or committee member (两代表一委员)")


# Who may mediate a referred matter.
MEDIATING_KINDS = (ForceKind.MEDIATION_COMMITTEE, ForceKind.MEDIATOR)


class SocialForce(models.Model):
    """An organisation, committee or person of the social forces, serving an area."""

    kind = models.CharField(_("type"), max_length=30, choices=ForceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="social_forces", verbose_name=_("area served")
    )
    skills = models.CharField(_("skills"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("social force")
        verbose_name_plural = _("social forces")
        ordering = ["area__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "kind", "name"], name="community_force_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SocialForceMember(models.Model):
    """A member of a social force (for a single mediator or volunteer: that person)."""

    force = models.ForeignKey(
        SocialForce, on_delete=models.PROTECT, related_name="members", verbose_name=_("social force")
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("post"), max_length=60, blank=True)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["force", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class LinkRole(models.TextChoices):
    CO_HANDLER = "co_handler", _("Co-handler")  # 协同化解
    REPRESENTATIVE_BODY = "representative_body", _("Representative body")  # 代表群众


class SocialForceLink(models.Model):
    """A social force working on a petition, as co-handler or as the body that represents the people."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="social_force_links", verbose_name=_("petition")
    )
    force = models.ForeignKey(
        SocialForce, on_delete=models.PROTECT, related_name="links", verbose_name=_("social force")
    )
    role = models.CharField(_("role"), max_length=30, choices=LinkRole.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("linked by")
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("social force on a petition")
        verbose_name_plural = _("social forces on petitions")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "force", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="community_link_once_while_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.force} · {self.get_role_display()}"


# --- mediation -----------------------------------------------------------------------------------


class EligibilityCheck(models.Model):
    """A locality's own question on the mediation eligibility checklist, beside the built-in ones.

    Applies to referrals from units in ``unit``'s subtree. ``excludes_when_yes``: answering "yes"
    (or, when unticked, "no") makes the matter ineligible.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("locality"))
    question = models.CharField(_("question"), max_length=200)
    excludes_when_yes = models.BooleanField(_("“yes” excludes"), default=True)
    reason = models.CharField(_("reason shown when it excludes"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("mediation eligibility question")
        verbose_name_plural = _("mediation eligibility questions")
        ordering = ["unit__path", "order", "pk"]

    def __str__(self) -> str:
        return self.question


class ReferralStatus(models.TextChoices):
    PENDING_CONSENT = "pending_consent", _("Waiting for consent")
    IN_MEDIATION = "in_mediation", _("In mediation")
    AGREED = "agreed", _("Agreement signed")
    FAILED = "failed", _("Mediation failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REFERRAL_STATUSES = (ReferralStatus.PENDING_CONSENT, ReferralStatus.IN_MEDIATION)


class MediationReferral(models.Model):
    """访调对接: a 申诉求决 matter in handling referred to people's mediation (Art. 33, 37)."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="mediation_referrals", verbose_name=_("petition")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("referring unit")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING_CONSENT
    )
    # The checklist as answered: [{"code", "question", "answer", "excludes"}], kept for the record.
    checklist = models.JSONField(_("eligibility checklist"), default=list)
    note = models.TextField(_("note"), blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("referred by")
    )
    referred_at = models.DateTimeField(_("referred at"), default=timezone.now)
    mediator = models.ForeignKey(
        SocialForceMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("mediator"),
    )
    assigned_at = models.DateTimeField(_("mediator assigned at"), null=True, blank=True)
    first_contact_due_at = models.DateTimeField(_("first contact due by"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    first_contact_method = models.CharField(_("first contact by"), max_length=20, blank=True)
    contact_reminded_at = models.DateTimeField(_("overdue reminder sent at"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("mediation referral")
        verbose_name_plural = _("mediation referrals")
        ordering = ["-referred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"],
                condition=models.Q(status__in=["pending_consent", "in_mediation"]),
                name="community_one_open_referral_per_petition",
            )
        ]
        indexes = [models.Index(fields=["status", "first_contact_due_at"], name="community_referral_sla")]

    def __str__(self) -> str:
        return f"{self.petition} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES

    def contact_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(
            self.first_contact_due_at is not None
            and self.first_contact_at is None
            and self.is_open
            and now > self.first_contact_due_at
        )

    def contact_on_time(self) -> bool | None:
        """None while undecided; True when the first contact came by the deadline."""
        if self.first_contact_due_at is None:
            return None
        if self.first_contact_at is not None:
            return self.first_contact_at <= self.first_contact_due_at
        return False if timezone.now() > self.first_contact_due_at else None


class PartySide(models.TextChoices):
    APPLICANT = "applicant", _("Petitioner side")
    RESPONDENT = "respondent", _("Other side")


class MediationParty(models.Model):
    """A party to the dispute. Petitioners come from the petition; the other side by name."""

    referral = models.ForeignKey(
        MediationReferral, on_delete=models.PROTECT, related_name="parties", verbose_name=_("referral")
    )
    side = models.CharField(_("side"), max_length=20, choices=PartySide.choices)
    name = models.CharField(_("name"), max_length=100)
    petitioner = models.ForeignKey(
        Petitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("party to the mediation")
        verbose_name_plural = _("parties to the mediation")
        ordering = ["referral", "side", "pk"]

    def __str__(self) -> str:
        return self.name


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("Signed in writing")
    IN_PERSON = "in_person", _("Stated in person")
    PHONE = "phone", _("By phone")
    ONLINE = "online", _("Online")


class MediationConsent(models.Model):
    """One party's consent or refusal, dated; the latest row counts (a party may withdraw)."""

    party = models.ForeignKey(
        MediationParty, on_delete=models.PROTECT, related_name="consents", verbose_name=_("party")
    )
    consents = models.BooleanField(_("consents"))
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent to mediation")
        verbose_name_plural = _("consents to mediation")
        ordering = ["party", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.party} · {self.consents}"


class MediationAgreement(models.Model):
    """调解协议书: what the parties agreed, how and by when it is performed, the signing date."""

    referral = models.OneToOneField(
        MediationReferral, on_delete=models.PROTECT, related_name="agreement", verbose_name=_("referral")
    )
    number = models.CharField(_("document number"), max_length=60)
    dispute = models.TextField(_("facts of the dispute"))
    terms = models.TextField(_("terms agreed"))
    performance = models.TextField(_("how and when it is performed"))
    signed_on = models.DateField(_("signed on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self) -> str:
        return self.number


# --- consent campaigns ---------------------------------------------------------------------------


class ConsentCampaign(models.Model):
    """A canvassing campaign for a collective project (e.g. 棚户区改造 relocation consent)."""

    name = models.CharField(_("name"), max_length=120)
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    goal = models.TextField(_("goal"))
    threshold = models.DecimalField(
        _("threshold (%)"), max_digits=5, decimal_places=2, default=Decimal("95.00")
    )
    social_force = models.ForeignKey(
        SocialForce, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("social force")
    )
    starts_on = models.DateField(_("starts on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent campaign")
        verbose_name_plural = _("consent campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gt=0) & models.Q(threshold__lte=100),
                name="community_campaign_threshold_percent",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ConsentStatus(models.TextChoices):
    NOT_VISITED = "not_visited", _("Not visited")
    UNDECIDED = "undecided", _("Undecided")
    CONSENTED = "consented", _("Consented")
    REFUSED = "refused", _("Refused")


class Household(models.Model):
    """A household of a campaign, known by its address label and the head's masked name.

    Households are not petitioners: they are canvassed, not petitioning, so they stay out of the
    petitioner records and repeat detection, and only a masked name (王**) is kept: the address
    identifies the household, and the canvassers know the people.
    """

    campaign = models.ForeignKey(
        ConsentCampaign, on_delete=models.PROTECT, related_name="households", verbose_name=_("campaign")
    )
    address_label = models.CharField(_("address"), max_length=100)
    head_name = models.CharField(_("head of household (masked)"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ConsentStatus.choices, default=ConsentStatus.NOT_VISITED
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["campaign", "address_label"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "address_label"], name="community_household_unique")
        ]

    def __str__(self) -> str:
        return self.address_label


class HouseholdConsent(models.Model):
    """One dated change of a household's consent status: who recorded it, which member did the work."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="changes", verbose_name=_("household")
    )
    status = models.CharField(_("status"), max_length=20, choices=ConsentStatus.choices)
    on = models.DateField(_("on"))
    worked_by = models.ForeignKey(
        SocialForceMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_work",
        verbose_name=_("member who did the work"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("household consent change")
        verbose_name_plural = _("household consent changes")
        ordering = ["household", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_status_display()} · {self.on}"
