"""Checks shared by every room: mainland mobile numbers and the width of what people type."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)


def halfwidth(text: str) -> str:
    """Full-width digits and letters, as Chinese input methods type them, made ASCII."""
    return unicodedata.normalize("NFKC", text or "")


def normalise_mobile(number: str) -> str:
    """A mainland mobile number without country code, spaces or hyphens."""
    digits = re.sub(r"[\s\-()]", "", halfwidth(number))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
            break
    return digits


def is_mobile(number: str) -> bool:
    """True for a mainland mobile number (after stripping +86 / 0086 / 86)."""
    return bool(_MOBILE.match(normalise_mobile(number)))


def validate_mobile_field(form: Form, field: Field) -> None:
    """WTForms validator for an optional mainland mobile number."""
    if field.data and not is_mobile(field.data):
        raise ValidationError(_l("Please enter a mainland mobile number such as 138 0013 8000."))
