"""Finding 7: hostile report files are refused with a message naming the path, as real CLI runs.

Each run: exit non-zero, a Japanese message naming where in the file the
problem is, no traceback, and the database file byte-for-byte unchanged.
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.test_import_export import _env, _flask, fy2023, migrated_sqlite, sha256  # noqa: F401

KPI = "projects[0].targets.kpis[0]"


@pytest.fixture
def cli_db(migrated_sqlite, tmp_path):  # noqa: F811
    database = tmp_path / "app.db"
    database.write_bytes(migrated_sqlite.read_bytes())
    return _env(tmp_path / "instance", database), database


def _file(tmp_path, data, raw: dict | None = None) -> str:
    """The report as JSON; `raw` replaces a placeholder string by literal JSON text."""
    text = json.dumps(data, ensure_ascii=True, indent=1)
    for placeholder, literal in (raw or {}).items():
        text = text.replace(json.dumps(placeholder), literal)
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _refused(cli_db, path, *messages):
    env, database = cli_db
    before = sha256(database)
    result = _flask(env, "import-report", path)
    assert result.returncode != 0
    for message in messages:
        assert message in result.stderr, result.stderr[-2000:]
    assert "データベースは変更していません" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert sha256(database) == before


def test_deep_nesting_is_refused_by_path(cli_db, tmp_path):
    data = fy2023()
    data["projects"][0]["purpose"] = "@DEEP@"
    path = _file(tmp_path, data, {"@DEEP@": "[" * 5000 + "]" * 5000})
    _refused(cli_db, path, "エラー: projects[0].purpose[0][0]", "入れ子が深すぎます（16段まで）")


def test_a_5000_digit_integer_is_refused_by_path(cli_db, tmp_path):
    data = fy2023()
    data["projects"][0]["targets"]["kpis"][0]["series"][0]["actual"] = "@HUGE@"
    path = _file(tmp_path, data, {"@HUGE@": "9" * 5000})
    _refused(cli_db, path, f"エラー: {KPI}.series[0].actual: 数値が大きすぎます（5000桁）")


def test_a_lone_surrogate_is_refused_by_path(cli_db, tmp_path):
    data = fy2023()
    data["projects"][0]["purpose"] = "目的\ud800"
    path = _file(tmp_path, data)
    _refused(cli_db, path,
             "エラー: projects[0].purpose: 文字として読めない値（対になっていないサロゲート）が含まれています")


def test_a_lone_surrogate_in_a_key_is_reported_printably(cli_db, tmp_path):
    data = fy2023()
    data["projects"][0]["\ud800"] = "x"
    _refused(cli_db, _file(tmp_path, data), "エラー: projects[0].\\ud800: この形式にない項目です")


def test_text_longer_than_the_edit_form_allows_is_refused(cli_db, tmp_path):
    data = fy2023()
    data["projects"][0]["purpose"] = "あ" * 2_000_000
    data["projects"][1]["targets"]["kpis"][0]["unit"] = "円" * 51
    path = _file(tmp_path, data)
    _refused(cli_db, path, "エラー: projects[0].purpose: 4000文字を超えています（2000000文字）",
             "エラー: projects[1].targets.kpis[0].unit: 50文字を超えています（51文字）")


def test_unknown_keys_are_reported_with_their_path(cli_db, tmp_path):
    data = fy2023()
    data["projects"][0]["purpse"] = "typo"
    data["projects"][2]["targets"]["kpis"][0]["series"][0]["comment"] = "?"
    data["extra"] = 1
    path = _file(tmp_path, data)
    _refused(cli_db, path, "エラー: projects[0].purpse: この形式にない項目です",
             "エラー: projects[2].targets.kpis[0].series[0].comment: この形式にない項目です",
             "エラー: extra: この形式にない項目です")


def _versions(database) -> list[tuple]:
    with sqlite3.connect(database) as con:
        return con.execute("SELECT id, version, state FROM sheets ORDER BY id").fetchall()


def test_reimporting_an_export_changes_nothing_not_even_versions(cli_db, tmp_path):
    env, database = cli_db
    exported = tmp_path / "export.json"
    assert _flask(env, "export-report", "--year", "2023", str(exported)).returncode == 0
    before, versions = sha256(database), _versions(database)
    for _ in range(2):
        result = _flask(env, "import-report", str(exported))
        assert result.returncode == 0, result.stderr
        assert "変更はありません" in result.stdout
    assert _versions(database) == versions
    assert sha256(database) == before
