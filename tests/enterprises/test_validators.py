"""The checks for what enterprises type: credit codes (GB 32100-2015) and mainland mobiles."""

from __future__ import annotations

import pytest

from servicedesk.enterprises.validators import (
    normalise_uscc,
    uscc_check_character,
    uscc_problem,
)
from servicedesk.validators import is_mobile, normalise_mobile

VALID = "91110000600037341L"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_a_real_code_passes():
    assert uscc_check_character(VALID[:17]) == "L"
    assert uscc_problem(VALID) is None


def test_codes_are_normalised_before_checking():
    assert normalise_uscc(" 9111-0000 6000 3734 1l ") == VALID
    assert uscc_problem("91110000-600037341l") is None
    assert normalise_uscc(None) == ""


def test_any_single_typing_error_is_caught():
    # 31 is prime and no weight is a multiple of it: every one-character change moves the sum.
    for i in range(17):
        for c in ALPHABET:
            if c == VALID[i] or (2 <= i < 8 and not c.isdigit()):
                continue
            assert uscc_problem(VALID[:i] + c + VALID[i + 1 :]) is not None, (i, c)


def test_full_width_characters_from_chinese_input_methods_are_accepted():
    assert normalise_uscc("９１１１００００６０００３７３４１ｌ") == VALID
    assert uscc_problem("91１10000600037341L") is None  # mixed widths, as pasted
    assert normalise_mobile("＋８６ １３８－００１３－８０００") == "13800138000"


def test_a_check_character_of_zero_is_zero():
    # When the weighted sum is a multiple of 31 the check character is "0", not "31".
    for n in range(1000):
        body = f"9151{n:04d}MA6CB7QJ5"
        if uscc_check_character(body) == "0":
            assert uscc_problem(body + "0") is None
            break
    else:
        pytest.fail("no code with check character 0 found")


@pytest.mark.parametrize(
    "code, words",
    [
        ("", "has 18 characters; this one has 0"),
        ("9111000060003734", "has 18 characters; this one has 16"),
        ("91110000600037341LX", "this one has 19"),
        ("91110000600037341I", "letters A–Y except I, O, S, V and Z"),
        ("9111000060003734O1", "except I, O, S, V and Z"),
        ("91A10000600037341L", "characters 3 to 8 are digits"),
        ("9111000060003734中L", "except I, O, S, V and Z"),
        ("91١10000600037341L", "characters 3 to 8 are digits"),  # an Arabic-Indic digit
        ("91110000600037341A", "check character"),
        ("91110000600037342L", "check character"),
    ],
)
def test_bad_codes_are_explained(code, words):
    problem = uscc_problem(code)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+8613800138000",
        "+86 138 0013 8000",
        "008613800138000",
        "0086 138 0013 8000",
        "8613800138000",
        "(+86) 138 0013 8000",
    ],
)
def test_mainland_mobiles_with_or_without_country_code(typed):
    assert is_mobile(typed)
    assert normalise_mobile(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1380013800",
        "138001380001",
        "12800138000",
        "23800138000",
        "010-6552 9988",
        "+1 415 555 0100",
        "+8612800138000",
        "86138001380",
        "1380013800a",
        "一三八00138000",
        "13٨00138000",
    ],
)
def test_other_numbers_are_not_mainland_mobiles(typed):
    assert not is_mobile(typed)


def test_a_number_starting_86_is_not_mistaken_for_a_country_code():
    # 11 digits that happen to begin with 86 stay as typed (and are not a mobile).
    assert normalise_mobile("86138001380") == "86138001380"
    assert normalise_mobile("19912345678") == "19912345678"
