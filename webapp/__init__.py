"""The council report desk: a Flask application (create_app is the factory)."""
from __future__ import annotations

import logging
import os

from flask import Flask
from flask_bootstrap import Bootstrap5

from webapp.config import load_config
from webapp.extensions import csrf, db, login_manager, migrate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get(
        "INSTANCE_PATH", os.path.join(ROOT, "instance"))
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    from webapp.ids import DatabaseIntConverter
    app.url_map.converters["int"] = DatabaseIntConverter
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(config)
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        # HTTPS given in the config (not only the environment): cookies only over HTTPS.
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if key not in config:
                app.config[key] = True

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    Bootstrap5(app)

    from webapp import auth, filters, errors, cli, views_main, views_admin, views_audit
    filters.register(app)
    errors.register(app)
    cli.register(app)
    auth.register(app)
    app.register_blueprint(views_main.bp)
    app.register_blueprint(views_admin.bp)
    app.register_blueprint(views_audit.bp)
    _register_feature_blueprints(app)
    from webapp import sheet_templates
    sheet_templates.register(app)   # schema(year) answers each year's own template
    from webapp.auth.headers import add_security_headers
    app.after_request(add_security_headers)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    # WeasyPrint narrates every layout step at INFO; only its warnings matter here.
    for noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return app


def _register_feature_blueprints(app: Flask) -> None:
    """Feature blueprints (editing, review, reports) register themselves here."""
    from webapp import features
    for bp in features.blueprints():
        app.register_blueprint(bp)
