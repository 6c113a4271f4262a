"""Who stands in: the deputy chain, without a database."""

from servicedesk.absences.rules import stand_in

A, B, C, D = 1, 2, 3, 4
EVERYONE = {A, B, C, D}


def test_someone_not_away_receives_their_own_messages():
    assert stand_in(A, {}, EVERYONE) == A
    assert stand_in(A, {B: C}, EVERYONE) == A


def test_someone_away_is_replaced_by_their_deputy():
    assert stand_in(A, {A: B}, EVERYONE) == B


def test_a_deputy_away_hands_on_to_their_own_deputy():
    assert stand_in(A, {A: B, B: C}, EVERYONE) == C
    assert stand_in(A, {A: B, B: C, C: D}, EVERYONE) == D


def test_a_chain_that_comes_back_falls_back_to_the_person_it_was_for():
    assert stand_in(A, {A: B, B: A}, EVERYONE) == A
    assert stand_in(A, {A: B, B: C, C: B}, EVERYONE) == A  # the loop need not include A
    assert stand_in(B, {A: B, B: C, C: A}, EVERYONE) == B


def test_a_deputy_who_cannot_receive_breaks_the_chain_back_to_the_person():
    assert stand_in(A, {A: B}, reachable={A, C}) == A
    assert stand_in(A, {A: B, B: C}, reachable={B}) == A


def test_a_long_chain_is_followed_to_its_end():
    deputies = {n: n + 1 for n in range(1, 500)}
    assert stand_in(1, deputies, set(range(1, 501))) == 500
