"""Masking of personal data (PIPL): ID numbers and phones are shown masked unless revealed."""

from typing import Any


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return value[:2] + "*" * (len(value) - 2)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """A person's name as a record's page may show it to anyone: the family name only (张**)."""
    value = value.strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


class MaskedPersonalData:
    """Model mixin: `audit_masked` names the personal-data fields and their masks; the model then has
    `<field>_masked` for display and can be revealed (and logged) through `reveal()`."""

    audit_masked: dict[str, Any] = {}
    id_number: str  # the fields named in audit_masked, on the model
    phone: str

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


def reveal(actor: Any, model: Any, pk: Any, field: str) -> str:
    """The full value of a masked field, for a role allowed to `reveal`; every full view is audited."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from . import audit
    from .access import require

    if field not in model.audit_masked:
        raise ValidationError(_("Unknown field."))
    obj = model.objects.visible_to(actor, "view").filter(pk=pk).first()
    if obj is None:
        raise model.DoesNotExist(_("%(model)s not found.") % {"model": model._meta.verbose_name})
    require(actor, "reveal", obj)
    with audit.acting_as(actor):
        audit.record("pii_view", obj, note=field)
    value: str = getattr(obj, field)
    return value
