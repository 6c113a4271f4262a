"""Language selection: the user's own setting first, then the browser's preference.

People choose ``zh_CN`` or ``en``. Babel reads ``zh_CN`` as ``zh_Hans_CN`` (Simplified Chinese,
China) and looks the catalog up under that name, so the Chinese catalog lives in
``servicedesk/translations/zh_Hans_CN``.
"""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from servicedesk.config import PROJECT_ROOT
from servicedesk.extensions import babel

LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}


def select_locale() -> str:
    """Pick zh_CN or en for this request."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if request:
        chosen = session.get("locale")
        if isinstance(chosen, str) and chosen in languages:
            return chosen
        # Browsers send zh-CN, zh, zh-Hans ... treat any Chinese as Simplified Chinese.
        best = request.accept_languages.best_match(["zh-CN", "zh", "zh-Hans", "en"])
        if best:
            return "en" if best == "en" else "zh_CN"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def local_datetime(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored UTC datetime shown in the park's time zone; empty for None."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def init_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "servicedesk" / "translations"),
    )
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
