"""Finding 4's orphans: `flask prune` removes uploads no figure uses and cache entries no sheet uses."""
from __future__ import annotations

import os
import time

import pytest

from tests.factories import Factory
from webapp.extensions import db
from webapp.models import Figure

REFERENCED = "a" * 32 + ".png"
ORPHAN_OLD = "b" * 32 + ".jpg"
ORPHAN_NEW = "c" * 32 + ".png"
HALF_WRITTEN = ".d" + "d" * 31 + ".png.0a1b2c3d.part"  # as webapp.files.write_atomic names it
STALE_KEY = "e" * 32
STALE_NEW_KEY = "f" * 32
TWO_DAYS = 48 * 3600


def _touch(path, data=b"x", age=0.0):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def _age(path, age):
    when = time.time() - age
    os.utime(path, (when, when))


@pytest.fixture
def world(make_app, tmp_path):
    app = make_app("empty", CACHE_FOLDER=str(tmp_path / "cache"), UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        f = Factory()
        sheet = f.sheet(f.project(1), f.cycle(2024))
        sheet.figures = [Figure(position=0, kind="photo", caption="写真", note="", image_file=REFERENCED,
                                image_width=1, image_height=1)]
        db.session.commit()
        uploads, cache = app.config["UPLOAD_FOLDER"], os.path.join(app.config["CACHE_FOLDER"], "printing-v1")
        from PIL import Image
        os.makedirs(uploads, exist_ok=True)
        Image.new("RGB", (40, 30), (200, 100, 50)).save(os.path.join(uploads, REFERENCED))
        _age(os.path.join(uploads, REFERENCED), TWO_DAYS)
        for name in (ORPHAN_OLD, HALF_WRITTEN, "notes.txt"):
            _touch(os.path.join(uploads, name), age=TWO_DAYS)
        _touch(os.path.join(uploads, ORPHAN_NEW))

        # The sheet as it is now, really printed: its fit and PDF are in the cache.
        from webapp.editing.fit import fit_function, sheet_content
        fit_function()(sheet_content(sheet), 2024)
        current = sorted(os.listdir(os.path.join(cache, "fit"))) + sorted(os.listdir(os.path.join(cache, "sheet")))
        assert len(current) == 2
        for kind in ("fit", "sheet"):
            for name in os.listdir(os.path.join(cache, kind)):
                _age(os.path.join(cache, kind, name), TWO_DAYS)
        _touch(os.path.join(cache, "fit", STALE_KEY + ".json"), b"{}", age=TWO_DAYS)
        _touch(os.path.join(cache, "sheet", STALE_KEY + "-9.50.pdf"), age=TWO_DAYS)
        _touch(os.path.join(cache, "frame", STALE_KEY + ".pdf"), age=TWO_DAYS)
        _touch(os.path.join(cache, "fit", STALE_NEW_KEY + ".json"), b"{}")
        _touch(os.path.join(cache, "hint", "sheet-1.json"), b"{}", age=TWO_DAYS)
        yield app, uploads, cache, current
        db.session.remove()
        db.engine.dispose()


def test_prune_removes_unreferenced_old_files_and_keeps_the_rest(world):
    app, uploads, cache, current = world
    result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(uploads)) == sorted([REFERENCED, ORPHAN_NEW, "notes.txt"])
    assert sorted(os.listdir(os.path.join(cache, "fit"))) == sorted(
        [n for n in current if n.endswith(".json")] + [STALE_NEW_KEY + ".json"])
    assert sorted(os.listdir(os.path.join(cache, "sheet"))) == [n for n in current if n.endswith(".pdf")]
    assert os.listdir(os.path.join(cache, "frame")) == []
    assert os.listdir(os.path.join(cache, "hint")) == ["sheet-1.json"]
    for path in (os.path.join(uploads, ORPHAN_OLD), os.path.join(uploads, HALF_WRITTEN),
                 os.path.join(cache, "fit", STALE_KEY + ".json"),
                 os.path.join(cache, "sheet", STALE_KEY + "-9.50.pdf"),
                 os.path.join(cache, "frame", STALE_KEY + ".pdf")):
        assert path in result.output
    assert "画像 2 件、印刷キャッシュ 3 件を削除しました（24 時間以内に作られたものは残しています）。" in result.output


def test_a_shorter_grace_period_removes_newer_orphans_too(world):
    app, uploads, cache, current = world
    result = app.test_cli_runner().invoke(args=["prune", "--grace-hours", "0"])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(uploads)) == sorted([REFERENCED, "notes.txt"])
    assert sorted(os.listdir(os.path.join(cache, "fit"))) == [n for n in current if n.endswith(".json")]
    assert "画像 3 件、印刷キャッシュ 4 件を削除しました（0 時間以内に作られたものは残しています）。" in result.output


def test_a_negative_grace_period_is_refused(world):
    app, *_ = world
    result = app.test_cli_runner().invoke(args=["prune", "--grace-hours", "-1"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
