"""Intake: registering a petition from any channel, with its people, clocks and detection checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.crypto import keyed_hash
from xinfang.core.errors import DomainError
from xinfang.core.idnumber import validate_id_number
from xinfang.core.models import Limit
from xinfang.core.phone import validate_phone
from xinfang.orgs.models import Unit, UnitKind

from . import clocks, detection
from .lifecycle import INTAKE
from .models import (
    Attachment,
    Category,
    LinkRole,
    NumberSequence,
    PartyRole,
    Petition,
    Petitioner,
    PetitionerKind,
    PetitionParty,
)
from .services import event_append, link_unit
from .states import Channel, PetitionType, State

ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# Magic numbers for the binary types: the extension alone is not trusted.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
}
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class PersonData:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    kind: str = PetitionerKind.PERSON
    home_unit: Unit | None = None
    # A petitioner already on record (the principal of an agency mandate, a station's walk-in visitor): used
    # as is, with no matching, so that a person without an ID number does not become a second petitioner.
    existing: Petitioner | None = None


@dataclass
class IntakeData:
    channel: str
    subject: str
    request: str
    place: Unit
    principal: PersonData
    facts: str = ""
    category: Category | None = None
    petition_type: str = ""
    co_petitioners: list[PersonData] = field(default_factory=list)
    representatives: list[PersonData] = field(default_factory=list)
    agent: PersonData | None = None
    people_count: int = 1
    representative_count: int = 0
    is_anonymous: bool = False
    accused_unit: Unit | None = None
    accused_description: str = ""
    is_urgent_major: bool = False
    received_at: dt.datetime | None = None
    attachments: list[UploadedFile] = field(default_factory=list)


class IntakeError(DomainError):
    """Field-by-field validation errors, so forms can show each one beside its field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            "; ".join(message for messages in errors.values() for message in messages), code="invalid"
        )


def validate_intake(data: IntakeData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.channel not in Channel.values:
        add("channel", _("Choose how the petition came in."))
    if not data.subject.strip():
        add("subject", _("Give the petition a short subject."))
    elif len(data.subject) > 200:
        add("subject", _("The subject may have at most 200 characters."))
    if not data.request.strip():
        add("request", _("Write down what the petitioner asks for."))
    if data.petition_type and data.petition_type not in PetitionType.values:
        add("petition_type", _("Unknown petition type."))
    if data.place is None:
        add("place", _("Choose where the problem arose."))
    if data.people_count < 1:
        add("people_count", _("At least one person is involved."))
    if data.representative_count < 0:
        add("representative_count", _("The number of representatives cannot be negative."))
    if data.received_at and data.received_at > timezone.now() + dt.timedelta(minutes=5):
        add("received_at", _("The time of receipt cannot be in the future."))
    people = [("principal", data.principal)] + [("co_petitioners", p) for p in data.co_petitioners]
    people += [("representatives", p) for p in data.representatives]
    if data.agent is not None:
        people.append(("agent", data.agent))
    for name, person in people:
        _validate_person(name, person, anonymous=data.is_anonymous and name == "principal", add=add)
    if len(data.accused_description) > 200:
        add("accused_description", _("At most 200 characters."))
    if data.petition_type == PetitionType.ACCUSATION and not (
        data.accused_unit or data.accused_description.strip()
    ):
        add("accused_description", _("Say who or which body the accusation is against."))
    for upload in data.attachments:
        problem = attachment_problem(upload)
        if problem:
            add("attachments", problem)
    return errors


def _validate_person(name: str, person: PersonData, *, anonymous: bool, add) -> None:
    from django.core.exceptions import ValidationError

    if not anonymous and not person.name.strip():
        add(f"{name}_name", _("Give the petitioner's name."))
    if len(person.name) > 100:
        add(f"{name}_name", _("A name may have at most 100 characters."))
    if len(person.address) > 200:
        add(f"{name}_address", _("An address may have at most 200 characters."))
    if person.id_number.strip():
        try:
            person.id_number = validate_id_number(person.id_number)
        except ValidationError as exc:
            add(f"{name}_id_number", " ".join(exc.messages))
    if person.phone.strip():
        try:
            person.phone = validate_phone(person.phone)
        except ValidationError as exc:
            add(f"{name}_phone", " ".join(exc.messages))


def attachment_problem(upload: UploadedFile) -> str:
    name = (upload.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in ALLOWED_ATTACHMENT_TYPES:
        return _("%(name)s: this file type is not accepted (PDF, images, Word, Excel, text, audio).") % {
            "name": upload.name
        }
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        return _("%(name)s is larger than 20 MB.") % {"name": upload.name}
    if (upload.size or 0) == 0:
        return _("%(name)s is empty.") % {"name": upload.name}
    magic = MAGIC.get(extension)
    if magic:
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(m) for m in magic):
            return _("%(name)s does not look like a %(ext)s file.") % {"name": upload.name, "ext": extension}
    return ""


def petitioner_upsert(person: PersonData) -> Petitioner:
    """Find a petitioner by ID number (keyed hash) or create one; never overwrite recorded data."""
    if person.existing is not None:
        return person.existing
    id_hash = keyed_hash(person.id_number, purpose="id_number")
    phone_hash = keyed_hash(person.phone, purpose="phone")
    if id_hash:
        existing = Petitioner.objects.filter(id_number_hash=id_hash).first()
        if existing is not None:
            if phone_hash and not existing.phone_hash:
                existing.phone, existing.phone_hash = person.phone, phone_hash
                existing.save(update_fields=["phone", "phone_hash"])
            return existing
    return Petitioner.objects.create(
        kind=person.kind,
        name=person.name.strip() or _("Anonymous"),
        id_number=person.id_number,
        id_number_hash=id_hash,
        phone=person.phone,
        phone_hash=phone_hash,
        address=person.address.strip(),
        home_unit=person.home_unit,
    )


def numbering_scope(unit: Unit) -> str:
    """The nearest area with an official division code numbers the matter (a town uses its county's)."""
    from xinfang.orgs.selectors import ancestors

    coded = ancestors(unit, include_self=True).exclude(division_code="").order_by("-depth").first()
    return coded.division_code if coded is not None else unit.area().code


def next_number(unit: Unit, year: int) -> str:
    """Petition number per numbering scope and year, e.g. 341502-2026-000123."""
    scope = numbering_scope(unit)
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(scope=scope, year=year)
    NumberSequence.objects.filter(pk=sequence.pk).update(last=sequence.last + 1)
    return f"{scope}-{year}-{sequence.last + 1:06d}"


def new_query_code() -> str:
    while True:
        code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(10))
        if not Petition.objects.filter(query_code=code).exists():
            return code


def registering_membership(user: User, unit: Unit | None):
    memberships = [m for m in scoping.active_memberships(user) if m.role in INTAKE]
    if unit is not None:
        memberships = [m for m in memberships if m.unit_id == unit.pk]
    return memberships[0] if memberships else None


def _forwarding_limit(unit: Unit) -> Limit:
    """A petition department owes forwarding within 15 days; any other unit owes the notice (Art. 22-23)."""
    if unit.kind in (UnitKind.PETITION_OFFICE,) or unit.is_area:
        return Limit.FORWARD
    return Limit.NOTICE


@transaction.atomic
def petition_register(
    *, user: User | None, data: IntakeData, registering_unit: Unit | None = None
) -> Petition:
    """Register a petition received through any channel. Staff intake lands in ``registered``;
    an online submission without staff (``user`` is None) lands in ``received`` at ``registering_unit``.
    """
    errors = validate_intake(data)
    membership = None
    if user is not None:
        membership = registering_membership(user, registering_unit)
        if membership is None and not scoping.sees_everything(user):
            errors.setdefault("registering_unit", []).append(
                _("You hold no post that may register petitions.")
            )
        elif membership is not None:
            registering_unit = membership.unit
    if registering_unit is None:
        errors.setdefault("registering_unit", []).append(_("No unit receives this petition."))
    if errors:
        raise IntakeError(errors)
    assert registering_unit is not None

    principal = petitioner_upsert(data.principal)
    agent = petitioner_upsert(data.agent) if data.agent else None
    received_at = data.received_at or timezone.now()
    state = State.REGISTERED if user is not None else State.RECEIVED
    petition = Petition.objects.create(
        number=next_number(registering_unit, timezone.localdate(received_at).year),
        query_code=new_query_code(),
        state=state,
        channel=data.channel,
        petition_type=data.petition_type,
        category=data.category,
        subject=data.subject.strip(),
        request=data.request.strip(),
        facts=data.facts.strip(),
        place=data.place,
        principal=principal,
        agent=agent,
        people_count=data.people_count,
        representative_count=data.representative_count,
        is_anonymous=data.is_anonymous,
        accused_unit=data.accused_unit,
        accused_description=data.accused_description.strip(),
        received_at=received_at,
        registered_at=timezone.now() if user is not None else None,
        registering_unit=registering_unit,
        registered_by=user,
        current_unit=registering_unit,
        is_urgent_major=data.is_urgent_major,
    )
    PetitionParty.objects.create(petition=petition, petitioner=principal, role=PartyRole.PRINCIPAL)
    for person in data.co_petitioners:
        PetitionParty.objects.get_or_create(
            petition=petition, petitioner=petitioner_upsert(person), role=PartyRole.CO_PETITIONER
        )
    for person in data.representatives:
        PetitionParty.objects.get_or_create(
            petition=petition, petitioner=petitioner_upsert(person), role=PartyRole.REPRESENTATIVE
        )
    if agent is not None:
        PetitionParty.objects.create(petition=petition, petitioner=agent, role=PartyRole.AGENT)
    link_unit(petition=petition, unit=registering_unit, role=LinkRole.REGISTERED)
    link_unit(petition=petition, unit=data.place, role=LinkRole.PLACE)
    for upload in data.attachments:
        attachment_store(petition=petition, upload=upload, user=user)
    event_append(
        petition=petition,
        action="receive" if state == State.RECEIVED else "register",
        actor=user,
        actor_unit=registering_unit if user is not None else None,
        to_state=state,
        payload={"channel": data.channel},
    )
    if state == State.REGISTERED:
        registration_checks(petition=petition, user=user)
    return petition


def registration_checks(*, petition: Petition, user: User | None) -> None:
    """Start the first clock and run detection (repeat, bypass, finality, first-time, collective, threat)."""
    received_on = timezone.localdate(petition.received_at)
    clocks.clock_start(
        petition=petition,
        limit=_forwarding_limit(petition.registering_unit),
        unit=petition.registering_unit,
        start=received_on,
    )
    detection.detect_at_intake(petition=petition, user=user)


@transaction.atomic
def petition_register_received(
    *, petition_id: int, user: User, expected_version: int | None = None
) -> Petition:
    """Staff register an online or agent submission that arrived without them (received → registered)."""
    from .services import transition_apply

    def apply(petition: Petition, membership) -> dict[str, str]:
        petition.registered_at = timezone.now()
        petition.registered_by = user
        return {}

    petition = transition_apply(
        petition_id=petition_id, action="register", user=user, expected_version=expected_version, apply=apply
    )
    registration_checks(petition=petition, user=user)
    return petition


def attachment_store(*, petition: Petition, upload: UploadedFile, user: User | None) -> Attachment:
    problem = attachment_problem(upload)
    if problem:
        raise DomainError(problem, code="attachment")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "file").rsplit("/", 1)[-1]
    extension = name[name.rfind(".") :].lower()
    attachment = Attachment(
        petition=petition,
        original_name=name[:200],
        content_type=ALLOWED_ATTACHMENT_TYPES[extension],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment
