"""Core writes: opening a full personal value, which is always logged."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import validate_ipv46_address
from django.db import models, transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .fields import EncryptedTextField
from .models import PersonalDataAccess

logger = logging.getLogger(__name__)


@transaction.atomic
def personal_data_reveal(*, user: Any, obj: models.Model, field: str, reason: str, ip: str = "") -> str:
    """Return the stored plaintext of ``obj.<field>`` and log who opened it, when, why and from where.

    The log row and the read share one transaction: no value leaves without its record. The value is
    read from the database, not from ``obj``, so what is logged is what was stored. Whether ``user`` may
    see ``obj`` at all is the caller's check (jurisdiction scoping). ``ip`` is the client address
    (``REMOTE_ADDR``); a malformed one is recorded as unknown.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        raise DomainError(
            _("Only an active, signed-in user can open personal data."), code="reveal_forbidden"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for opening the full value."), code="reveal_reason_required")
    model = type(obj)
    try:
        model_field = model._meta.get_field(field)
    except FieldDoesNotExist:
        model_field = None
    if not isinstance(model_field, EncryptedTextField):
        raise DomainError(
            _("%(field)s is not a protected personal data field.") % {"field": field},
            code="reveal_field_invalid",
        )
    if obj.pk is None:
        raise DomainError(_("This record has not been saved yet."), code="reveal_unsaved")
    ip = (ip or "").strip()
    if ip:
        try:
            validate_ipv46_address(ip)
        except ValidationError:
            # A proxy header the caller did not parse must not block the reveal or its record.
            logger.warning("personal_data_reveal: ignoring malformed IP address %r", ip[:100])
            ip = ""
    row = model._base_manager.filter(pk=obj.pk).values_list(field).first()
    if row is None:
        raise DomainError(_("This record no longer exists."), code="reveal_missing")
    PersonalDataAccess.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field_name=field,
        reason=reason,
        ip_address=ip or None,
    )
    return row[0] or ""
