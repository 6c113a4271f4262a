"""`flask users create`: setting up the first accounts from the command line."""

from __future__ import annotations

from servicedesk.auth.models import Role, User, user_by_email
from tests.admin.conftest import count


def users_create(app, email, name, *roles, password=None, typed=None):
    """Run `flask users create EMAIL --name NAME --role ROLE... [--password PASSWORD]`, with
    ``typed`` as what is typed at the prompt."""
    args = ["users", "create", email, "--name", name]
    for role in roles:
        args += ["--role", role]
    if password is not None:
        args += ["--password", password]
    return app.test_cli_runner().invoke(args=args, input=typed)


def test_create_an_admin_from_the_command_line(app, auth):
    result = users_create(
        app,
        "First.Admin@Park.example.com",
        "First Admin",
        "admin",
        "supervisor",
        password="long-enough-1",
    )
    assert result.exit_code == 0, result.output
    assert "Created first.admin@park.example.com" in result.output
    user = user_by_email("first.admin@park.example.com")
    assert user.roles == {Role.ADMIN, Role.SUPERVISOR}
    assert auth.login("first.admin@park.example.com", "long-enough-1").status_code == 302


def test_the_password_can_be_typed_at_the_prompt(app):
    result = users_create(
        app,
        "prompted@park.example.com",
        "P",
        "dispatcher",
        typed="typed-secret-7\ntyped-secret-7\n",
    )
    assert result.exit_code == 0, result.output
    assert user_by_email("prompted@park.example.com").check_password("typed-secret-7")


def test_a_weak_password_is_refused(app):
    result = users_create(app, "weak@park.example.com", "Weak", "member", password="1234")
    assert result.exit_code != 0
    assert "A password needs at least 8 characters." in result.output
    assert count(User) == 0


def test_a_duplicate_address_is_refused(app, make_user):
    make_user(Role.MEMBER, email="taken@park.example.com")
    result = users_create(
        app, "TAKEN@park.example.com", "Again", "member", password="long-enough-1"
    )
    assert result.exit_code != 0
    assert "There is already an account for taken@park.example.com." in result.output
    assert count(User) == 1


def test_a_contact_needs_an_enterprise_and_roles_must_exist(app):
    result = users_create(
        app, "c@park.example.com", "C", "enterprise_contact", password="long-enough-1"
    )
    assert result.exit_code != 0
    assert "An enterprise contact must belong to an enterprise." in result.output
    result = users_create(app, "c@park.example.com", "C", "emperor", password="long-enough-1")
    assert result.exit_code != 0
    assert count(User) == 0
