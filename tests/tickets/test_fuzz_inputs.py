"""Property-based: every form and filter of the main pages, fed odd input, never answers 5xx
and never half-writes (issue 8 §5).

Each test signs in as the role that owns a page, reads the page's forms (their fields, hidden
values, choices and the CSRF token, with CSRF protection on), then lets Hypothesis post or
query them with a mix of the offered values and hostile ones: NUL and other control
characters, any non-surrogate Unicode, Unicode digits, numbers past 64 bits, dates at the ends
of the calendar. A refused submission (anything but a redirect) must leave every table's row
count as it was.

``HYPOTHESIS_PROFILE=ci`` (the default) runs a few examples per page so the file takes about a
minute; ``HYPOTHESIS_PROFILE=thorough`` runs many more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from servicedesk.extensions import db
from tests.conftest import csrf_token_from
from tests.tickets.conftest import act, file_ticket, reference_from

# Function-scoped fixtures (the app, the park, signed-in clients) are shared by the examples of
# one test on purpose: signing in for each example would cost more than the examples, and every
# example checks its own invariant (no 5xx; a refusal writes nothing) against the state it finds.
settings.register_profile(
    "ci",
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile(
    "thorough",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytestmark = pytest.mark.fuzz

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "用电\x07申请",
    "\x7f",
    "²",
    "١٢",
    "-1",
    "0",
    "1e30",
    "-1e30",
    "NaN",
    "Infinity",
    "9" * 20,
    "9" * 40,
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1970-01-01T00:00",
    "2000-02-30",
    "x" * 10_001,
    "'; DROP TABLE ticket; --",
    "%",
    "_",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec="utf-8"), max_size=40),  # any Unicode but surrogates
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)

# Forms that would end the session or switch the language under the other examples.
_SKIPPED_ACTIONS = ("/logout", "/language/", "/deactivate", "/password")


@dataclass
class PageForm:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> offered values


class _FormReader(HTMLParser):
    """The forms of a page: where they go and, per field, the values the page offers."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = PageForm(
                attributes.get("action") or self.page_url,
                (attributes.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in attributes:
            if tag == "option" and self._form is not None and self._select:
                self._form.fields[self._select].append(attributes.get("value", ""))
            return
        name = attributes["name"]
        offered = self._form.fields.setdefault(name, [])
        if tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
        elif tag == "input" and attributes.get("type") != "file":
            offered.append(attributes.get("value", ""))

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(client, url: str) -> tuple[list[PageForm], str | None]:
    """The page's usable forms and its CSRF token (None when the page has no POST form)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data(as_text=True)
    reader = _FormReader(url)
    reader.feed(html)
    forms = [f for f in reader.forms if not any(s in f.action for s in _SKIPPED_ACTIONS)]
    token = csrf_token_from(html) if 'name="csrf_token"' in html else None
    return forms, token


def _row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _values_for(draw, page_form: PageForm) -> dict[str, str]:
    values = {}
    for name, offered in page_form.fields.items():
        if name == "csrf_token":
            continue
        choices = [st.sampled_from(offered)] if offered else []
        values[name] = draw(st.one_of(*choices, hostile_text))
    return values


def _send(client, page_form: PageForm, values: dict[str, str], token: str | None):
    if page_form.method == "post":
        if token is not None:
            values = {**values, "csrf_token": token}
        return client.post(page_form.action, data=values, content_type="multipart/form-data")
    return client.get(page_form.action, query_string=values)


def _check(client, page_forms: list[PageForm], token: str | None, data) -> None:
    """One example: pick a form of the page, fill it, send it; no 5xx, a refusal writes nothing."""
    page_form = data.draw(st.sampled_from(page_forms), label="form")
    values = data.draw(st.composite(lambda draw: _values_for(draw, page_form))(), label="values")
    before = _row_counts()
    response = _send(client, page_form, values, token)
    assert response.status_code < 500, (page_form.action, values, response.status_code)
    if response.status_code not in (301, 302, 303):
        assert _row_counts() == before, (page_form.action, values, "a refusal wrote rows")


def _signed_in_with_csrf(app, client_for, user):
    client = client_for(user)  # signs in before CSRF protection is switched on
    app.config["WTF_CSRF_ENABLED"] = True
    return client


@pytest.fixture
def ref(park, client_for):
    return reference_from(file_ticket(client_for(park.contact), park.category))


PAGES = [
    ("contact", "/tickets/new"),
    ("contact", "/tickets/mine"),
    ("contact", "/account"),
    ("contact", "ticket"),
    ("member", "ticket"),
    ("dispatcher", "ticket"),
    ("dispatcher", "/tickets/queue"),
    ("supervisor", "/supervision/"),
    ("supervisor", "/supervision/bulletin"),
    ("admin", "/admin/escalation/resolve/yellow/edit"),
    ("admin", "/admin/escalation/resolve/repeat/edit"),
    ("admin", "/admin/users/"),
    ("admin", "/admin/users/new"),
    ("admin", "/admin/deliveries"),
    ("admin", "/admin/sla/all/normal"),
    ("admin", "/admin/calendar"),
    ("admin", "/admin/task-forces/new"),
    ("admin", "/admin/categories/new"),
    ("admin", "/admin/enterprises/new"),
]


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_no_input_makes_a_500(app, park, client_for, ref, who, url):
    if url == "ticket":
        url = f"/tickets/{ref}"
        if who == "member":
            # Signed for, so the member's page offers the working actions.
            act(client_for(park.member), ref, "sign")
    client = _signed_in_with_csrf(app, client_for, getattr(park, who))
    page_forms, token = forms_of(client, url)
    assert page_forms, f"{url} shows no form"

    @given(data=st.data())
    def examples(data):
        _check(client, page_forms, token, data)

    examples()
