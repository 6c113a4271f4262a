"""Settings, read from the environment with safe development defaults.

Every setting an operator may change is listed in the README's configuration table.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """Raised when the application cannot start with the settings it was given."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from exc


def instance_path() -> Path:
    """The folder holding the SQLite database, the generated secret key and uploads."""
    return Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()


def _secret_key(env: str, folder: Path) -> str:
    """``SECRET_KEY`` from the environment; in development, generated once into ``instance/``."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigurationError("SECRET_KEY must be set when APP_ENV=production")
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config() -> dict:
    """Build the Flask configuration mapping from the process environment."""
    env = os.environ.get("APP_ENV", "development").strip().lower()
    if env not in {"development", "production", "testing"}:
        raise ConfigurationError(f"APP_ENV must be development, production or testing, not {env!r}")
    folder = instance_path()
    attachment_mb = _int("ATTACHMENT_MAX_MB", 20)
    attachment_count = _int("ATTACHMENT_MAX_COUNT", 5)
    return {
        "APP_ENV": env,
        "SECRET_KEY": _secret_key(env, folder),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{folder / 'servicedesk.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Background work (RQ): see servicedesk/jobs and the README's configuration table.
        "SWEEP_INTERVAL_SECONDS": _int("SWEEP_INTERVAL_SECONDS", 60),
        "SWEEP_BATCH_SIZE": _int("SWEEP_BATCH_SIZE", 500),
        # More tickets than this with reminders for one person in one sweep: one summary instead.
        "REMINDER_SUMMARY_OVER": _int("REMINDER_SUMMARY_OVER", 5),
        "REENQUEUE_GRACE_SECONDS": _int("REENQUEUE_GRACE_SECONDS", 30),
        "DELIVERY_LEASE_SECONDS": _int("DELIVERY_LEASE_SECONDS", 300),
        "DELIVERY_MAX_ATTEMPTS": _int("DELIVERY_MAX_ATTEMPTS", 8),
        "DELIVERY_BACKOFF_SECONDS": os.environ.get(
            "DELIVERY_BACKOFF_SECONDS", "30,60,120,300,600,1200,1800,3600"
        ),
        "JOB_TIMEOUT_SECONDS": _int("JOB_TIMEOUT_SECONDS", 120),
        "SMS_QUIET_HOURS": os.environ.get("SMS_QUIET_HOURS", "21:00-08:00"),
        "SMS_DAILY_CAP": _int("SMS_DAILY_CAP", 10),
        "MORNING_DIGEST_AT": os.environ.get("MORNING_DIGEST_AT", "08:30"),
        "DIGEST_MAX_LINES": _int("DIGEST_MAX_LINES", 20),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_MESSAGE_ID_DOMAIN": os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "greenchannel.local"),
        "PORT": _int("PORT", 5000),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "UPLOAD_FOLDER": str(Path(os.environ.get("UPLOAD_FOLDER") or folder / "uploads").resolve()),
        "ATTACHMENT_MAX_BYTES": attachment_mb * 1024 * 1024,
        "ATTACHMENT_MAX_COUNT": attachment_count,
        # Whole requests may carry every attachment plus the form; anything larger is refused
        # early with a readable page instead of being read into memory.
        "MAX_CONTENT_LENGTH": attachment_count * attachment_mb * 1024 * 1024 + 1024 * 1024,
        # The text of a form (every field that is not a file) is held in memory: at most this.
        "MAX_FORM_MEMORY_SIZE": _int("MAX_FORM_MEMORY_SIZE", 1024 * 1024),
        "UPLOAD_BUDGET_BYTES_PER_DAY": _int("UPLOAD_BUDGET_MB_PER_DAY", 200) * 1024 * 1024,
        # ZIP files (and docx/xlsx/pptx, which are ZIPs) may expand to at most this much, and
        # at most this many times their own size: a small upload must not unpack to gigabytes.
        "ARCHIVE_MAX_UNCOMPRESSED_BYTES": _int("ARCHIVE_MAX_UNCOMPRESSED_MB", 200) * 1024 * 1024,
        "ARCHIVE_MAX_RATIO": _int("ARCHIVE_MAX_RATIO", 100),
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "WORKING_HOURS": os.environ.get("WORKING_HOURS", "09:00-12:00,13:30-17:30"),
        "AUTO_CLOSE_WORKING_DAYS": _int("AUTO_CLOSE_WORKING_DAYS", 5),
        "MAX_EXTENSION_WORKING_DAYS": _int("MAX_EXTENSION_WORKING_DAYS", 15),
        "TICKETS_PER_PAGE": _int("TICKETS_PER_PAGE", 20),
        "DUE_SOON_WORKING_HOURS": _int("DUE_SOON_WORKING_HOURS", 4),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "greenchannel"),
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ["zh_CN", "en"],
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BOOTSWATCH_THEME": None,
        "INSTANCE_PATH": str(folder),
        # Channels (servicedesk/notifications/channels): e-mail goes to the log unless
        # MAIL_BACKEND=smtp; SMS goes to the log unless SMS_PROVIDER names a gateway.
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "log"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_STARTTLS": _bool("MAIL_USE_STARTTLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Green Channel <noreply@greenchannel.local>"
        ),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "SMS_PROVIDER": os.environ.get("SMS_PROVIDER", "console"),
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_TOKEN": os.environ.get("SMS_GATEWAY_TOKEN") or None,
        "SMS_SIGN_NAME": os.environ.get("SMS_SIGN_NAME") or None,
        # A JSON object: our template name -> the vendor's template code, parsed by the provider.
        "SMS_TEMPLATE_CODES": os.environ.get("SMS_TEMPLATE_CODES", "{}"),
        "SMS_ACCESS_KEY_ID": os.environ.get("SMS_ACCESS_KEY_ID") or None,
        "SMS_ACCESS_KEY_SECRET": os.environ.get("SMS_ACCESS_KEY_SECRET") or None,
        "SMS_APP_ID": os.environ.get("SMS_APP_ID") or None,
        "SMS_TIMEOUT": _int("SMS_TIMEOUT", 5),
    }
