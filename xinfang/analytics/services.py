"""Writes of the analytics app: the near-duplicate index of petitions and routing corrections.

The index is derived data: ``petition_index`` (re)writes one petition's band keys when its text changed,
``index_rebuild`` catches up with petitions not yet indexed. A correction of a petition's category is a
record (``RoutingCorrection``) and an event on the petition's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.petitions.lifecycle import INTAKE
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.selectors import get_visible_petition
from xinfang.petitions.services import _check_version, acting_membership, event_append

from . import fingerprints
from .models import RoutingCorrection, TextBand, TextFingerprint
from .routing import petition_text, suggest

BATCH = 500


def _write_index(items: Iterable[tuple[int, str]]) -> int:
    """Index (petition id, text) pairs in bulk; unchanged texts are skipped. Returns how many changed.

    An entry is current when its text digest matches and its 3-gram set is there (entries written before
    the 3-gram set was kept have none and are rewritten).
    """
    pairs = list(items)
    complete = ExpressionWrapper(Q(grams__isnull=False), output_field=BooleanField())
    rows = (
        TextFingerprint.objects.filter(petition_id__in=[pk for pk, _t in pairs])
        .annotate(complete=complete)
        .values_list("petition_id", "text_hash", "complete")
    )
    existing: set[int] = set()
    known: dict[int, str] = {}
    for pk, digest, whole in rows:
        existing.add(pk)
        if whole:
            known[pk] = digest
    # The digest first: unchanged texts (most, in a rebuild) cost one normalisation, not a fingerprint.
    changed = [(pk, text) for pk, text in pairs if known.get(pk) != fingerprints.text_hash(text)]
    if not changed:
        return 0
    prints = fingerprints.many_fingerprints(text for _pk, text in changed)
    todo = [(pk, found) for (pk, _text), found in zip(changed, prints, strict=True)]
    now = timezone.now()
    fresh: list[TextFingerprint] = []
    bands: list[TextBand] = []
    for pk, found in todo:
        fresh.append(
            TextFingerprint(
                petition_id=pk,
                text_hash=found.digest,
                shingles=found.size,
                grams=found.packed,
                indexed_at=now,
            )
        )
        bands.extend(TextBand(key=key, petition_id=pk) for key in set(found.keys))
    stale = [pk for pk, _found in todo if pk in existing]
    if stale:
        # Derived rows only: the petition's own record is untouched.
        TextBand.objects.filter(petition_id__in=stale).delete()
        TextFingerprint.objects.filter(petition_id__in=stale).delete()
    TextFingerprint.objects.bulk_create(fresh, batch_size=BATCH)
    TextBand.objects.bulk_create(bands, batch_size=BATCH * 4)
    return len(fresh)


@transaction.atomic
def petition_index(*, petition: Petition) -> bool:
    """Index one petition (at registration, in the same transaction). True when its keys were written."""
    return _write_index([(petition.pk, petition_text(petition))]) > 0


def index_rebuild(*, only_missing: bool = True) -> int:
    """Index every petition (or those not yet indexed, or indexed without their 3-gram set), in batches
    of their own transactions."""
    qs = Petition.objects.order_by("pk")
    if only_missing:
        qs = qs.filter(Q(text_fingerprint__isnull=True) | Q(text_fingerprint__grams__isnull=True))
    done = 0
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).values_list("pk", "subject", "request", "facts")[:BATCH])
        if not batch:
            return done
        with transaction.atomic():
            done += _write_index((pk, f"{s} {r} {f}") for pk, s, r, f in batch)
        last = batch[-1][0]


@transaction.atomic
def category_correct(
    *,
    user: User,
    petition_id: int,
    category: Category | None,
    note: str = "",
    expected_version: int | None = None,
) -> RoutingCorrection:
    """Staff set or correct a petition's category; the correction is kept for the next training."""
    petition = get_visible_petition(user, petition_id)
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    _check_version(petition, expected_version)
    membership = acting_membership(user, [petition.current_unit, petition.registering_unit], INTAKE)
    if membership is None and not scoping.sees_everything(user):
        raise DomainError(
            _("Only petition staff of the units handling this matter correct its category."),
            code="role_not_allowed",
        )
    if category is None or not category.is_active:
        raise DomainError(_("Choose the category."), code="required")
    if category.pk == petition.category_id:
        raise DomainError(_("The petition already has this category."), code="unchanged")
    if len(note) > 300:
        raise DomainError(_("At most 300 characters."), code="too_long")
    suggestion = suggest(petition_text(petition))
    correction = RoutingCorrection.objects.create(
        petition=petition,
        from_category=petition.category,
        to_category=category,
        suggested=suggestion.best.label if suggestion.best else "",
        model_version=suggestion.model_version,
        corrected_by=user,
        note=note.strip(),
    )
    before = petition.category
    petition.category = category
    petition.version += 1
    petition.save(update_fields=["category", "version", "updated_at"])
    event_append(
        petition=petition,
        action="category_corrected",
        actor=user,
        actor_unit=membership.unit if membership else None,
        from_state=petition.state,
        to_state=petition.state,
        reason=note.strip(),
        payload={
            "from_category": before.path_name() if before else "",
            "to_category": category.path_name(),
            "suggested": correction.suggested,
            "model_version": correction.model_version,
        },
    )
    return correction
