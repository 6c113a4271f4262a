"""Checks for what enterprises type: the unified social credit code (GB 32100-2015)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

# The mobile checks moved down to the core; the notification room still imports them from here.
from servicedesk.validators import halfwidth, is_mobile, normalise_mobile

__all__ = [
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "is_mobile",
    "normalise_mobile",
    "normalise_uscc",
    "uscc_check_character",
    "uscc_problem",
    "validate_uscc_field",
]

# GB 32100-2015: 31 characters, no I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# re.ASCII: \d must not accept other scripts' digits, which are not in the alphabet.
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", re.ASCII)


def normalise_uscc(code: str) -> str:
    """Upper-case ASCII, without spaces or hyphens people paste in."""
    return re.sub(r"[\s-]", "", halfwidth(code)).upper()


def uscc_check_character(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None when it is."""
    code = normalise_uscc(code)
    if len(code) != 18:
        return str(
            _l("A unified social credit code has 18 characters; this one has %(n)d.", n=len(code))
        )
    if not _USCC_SHAPE.match(code):
        return str(
            _l(
                "A unified social credit code uses digits and the letters "
                "A–Y except I, O, S, V and Z; characters 3 to 8 are digits."
            )
        )
    if uscc_check_character(code[:17]) != code[17]:
        return str(
            _l(
                "The check character of this unified social credit code does not match; "
                "please check for a typing error."
            )
        )
    return None


def validate_uscc_field(form: Form, field: Field) -> None:
    """WTForms validator: the field must hold a valid USCC."""
    problem = uscc_problem(field.data or "")
    if problem:
        raise ValidationError(problem)
