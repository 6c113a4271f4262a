"""The ticket stories' park and signed-in clients, for the periodic tick's tests."""

from tests.tickets.conftest import client_for, park  # noqa: F401  (fixtures)
