"""Assertions that a service refused with the guard's own message: a later check (the model's full_clean, a
constraint) that also refuses must not hide a guard's removal (scripts/guard_mutants.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def field_refusal(call: Callable[[], Any], field: str, message: str) -> None:
    """`call` raises a ValidationError whose only message on `field` is `message` (an English msgid)."""
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.message_dict[field] == [str(_(message))]


def refusal(call: Callable[[], Any], message: str) -> None:
    """`call` raises a ValidationError whose only message is `message` (an English msgid)."""
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.messages == [str(_(message))]
