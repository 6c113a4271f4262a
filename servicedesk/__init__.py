"""Green Channel service desk: the application factory."""

from __future__ import annotations

from flask import Flask

from servicedesk.config import PROJECT_ROOT, load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Flask application.

    ``test_config`` overrides settings read from the environment (tests use it).
    """
    config = load_config()
    if test_config:
        config.update(test_config)
    app = Flask(
        __name__,
        instance_path=config["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config)

    from servicedesk import aftercommit, extensions, models, security  # noqa: F401  (models)
    from servicedesk.i18n import init_i18n
    from servicedesk.inputguard import init_input_guard
    from servicedesk.sqlutil import init_sqlite_tuning

    init_sqlite_tuning()
    extensions.db.init_app(app)
    aftercommit.init_app(app)
    security.init_app(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    extensions.csrf.init_app(app)
    extensions.bootstrap.init_app(app)
    init_i18n(app)
    init_input_guard(app)

    from servicedesk.auth import init_auth

    init_auth(app)

    from servicedesk.web import register_web

    register_web(app)

    from servicedesk.absences import init_absences

    init_absences(app)

    from servicedesk.notifications.listeners import init_notifications

    init_notifications(app)

    from servicedesk.escalation import init_escalation

    init_escalation(app)

    from servicedesk.jobs.queues import init_queues

    init_queues(app)
    return app
