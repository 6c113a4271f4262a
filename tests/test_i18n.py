"""The UI speaks Simplified Chinese and English: the user's setting first, then the browser."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from servicedesk.auth.models import Role
from servicedesk.extensions import db

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "servicedesk" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_the_browser_language_decides_for_visitors(client):
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "登录" in chinese.get_data(as_text=True)
    assert 'lang="zh-CN"' in chinese.get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Sign in" in english.get_data(as_text=True)


def test_a_visitor_can_switch_language(client):
    client.post("/language/en", headers={"Accept-Language": "zh-CN"})
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert client.post("/language/fr").status_code == 404


def test_the_users_own_setting_beats_the_browser(client, auth, make_user):
    user = make_user(Role.MEMBER, locale="zh_CN")
    auth.login(user)
    page = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "我的账户" in page or "账户" in page
    user.locale = "en"
    db.session.commit()
    page = client.get("/account", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "My account" in page


def test_form_errors_come_in_the_users_language(client, make_user):
    page = client.post(
        "/login", data={"email": "", "password": ""}, headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "该字段是必填字段" in page


def _extracted_msgids(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
    )
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_every_string_in_the_code_has_a_chinese_translation(tmp_path):
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else all(m.string)) and not m.fuzzy
    }
    missing = sorted(_extracted_msgids(tmp_path) - translated)
    assert not missing, f"{len(missing)} strings lack a zh_CN translation, e.g. {missing[:10]}"
