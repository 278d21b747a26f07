"""Creating many apps (as a long test run does) must not nest the CLI commands' guard."""
from webapp import create_app
from webapp.cli import export_report_cmd


def test_the_database_guard_wraps_each_command_once(tmp_path):
    for i in range(3):
        create_app({"INSTANCE_PATH": str(tmp_path / str(i)), "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "TESTING": True, "SECRET_KEY": "x"})
    callback, depth = export_report_cmd.callback, 0
    while hasattr(callback, "__wrapped__"):
        callback, depth = callback.__wrapped__, depth + 1
    assert depth == 2          # the guard around Flask's with_appcontext, nothing more
