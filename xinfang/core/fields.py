"""``EncryptedTextField``: a text column holding Fernet ciphertext (see ``xinfang.core.crypto``).

The database never sees the plaintext, so it cannot compare it either: every lookup other than
``isnull`` is refused with a clear error. Store a ``keyed_hash`` beside the field to find rows by value.
'' is stored as '' (that a value is missing is not secret) and None as NULL.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import checks
from django.core.exceptions import FieldError
from django.db import models

from .crypto import DecryptionError, decrypt_str, encrypt_str


class EncryptedTextField(models.TextField):
    description = "Encrypted text"

    def get_internal_type(self) -> str:
        return "TextField"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        for option in ("unique", "db_index", "primary_key"):
            if getattr(self, option, False):
                errors.append(
                    checks.Error(
                        f"EncryptedTextField cannot use {option}=True: the ciphertext differs on every save.",
                        hint="Index a keyed_hash column instead.",
                        obj=self,
                        id="core.E002",
                    )
                )
        return errors

    def _refuse(self, lookup_name: str) -> FieldError:
        owner = f"{self.model.__name__}.{self.name}" if hasattr(self, "model") else self.name
        return FieldError(
            f"{owner} is encrypted; it cannot be filtered or transformed with '{lookup_name}'. "
            "Only 'isnull' works: match on its keyed-hash column instead."
        )

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise self._refuse(lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise self._refuse(lookup_name)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_str(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        try:
            return decrypt_str(value)
        except DecryptionError as exc:
            owner = f"{self.model.__name__}.{self.name}" if hasattr(self, "model") else self.name
            raise DecryptionError(f"{owner}: {exc}") from exc

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        # A short value (an ID number, a phone) gets a one-line input rather than a text area.
        if self.max_length is not None and "widget" not in kwargs:
            form_class = form_class or forms.CharField
            kwargs["widget"] = forms.TextInput
        return super().formfield(form_class=form_class, choices_form_class=choices_form_class, **kwargs)
