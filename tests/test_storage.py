"""Uploads, builds and the print cache in the store: local folders, or an S3 bucket.

Each story runs on both backends: `local` always, `s3` with the tests' store
(tests/s3store.py; skipped with the reason when it is not configured, failed
under CI=true).
"""
from __future__ import annotations

import hashlib
import io
import os
import re

import pytest

from tests.conftest import FreshRequestClient, _make_app, base_config
from tests.editing.conftest import form_fields, jpeg_bytes
from tests.factories import Factory, login
from webapp import create_app, storage
from webapp.extensions import db
from webapp.models import ReportBuild, User


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    """Settings of app A for each backend, and the bucket (None for local)."""
    if request.param == "local":
        return {}, None
    store = request.getfixturevalue("s3_store")
    bucket = request.getfixturevalue("s3_buckets")()
    return {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": store.endpoint_url,
            "STORAGE_CACHE_FOLDER": str(tmp_path / "a-storage-cache")}, store.client()


def _folders(root) -> dict:
    return {"UPLOAD_FOLDER": str(root / "uploads"), "REPORTS_FOLDER": str(root / "reports"),
            "CACHE_FOLDER": str(root / "cache")}


def _files(folder: str) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, n), folder)
                  for d, _, names in os.walk(folder) for n in names)


def _keys(client, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def _upload_photo_and_build(app, tmp_path):
    """A coordinator of 大分県 adds a photo to sheet ⑦; the sheet is approved and the
    secretariat builds the 2023 report. Returns (figure, build, photo bytes as stored)."""
    f = Factory()
    cycle = f.cycle(2023)
    sheet = f.sheet(f.project(7, title="地熱の活用", lead=("大分県",)), cycle, purpose="・地熱を使う")
    coordinator, secretariat = f.coordinator("大分県"), f.secretariat()
    db.session.commit()
    client = app.test_client()
    login(client, coordinator)
    fields = form_fields(client, sheet.id)
    fields.update({"figures-0-kind": "photo", "figures-0-caption": "地熱発電所", "figures-0-note": "",
                   "figures-0-image": (io.BytesIO(jpeg_bytes(size=(64, 48))), "geo.jpg")})
    response = client.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(sheet)
    figure = sheet.figures[0]
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", figure.image_file)
    photo = client.get(f"/sheets/{sheet.id}/figures/{figure.id}").data
    from webapp.report_io.system_user import system_user
    from webapp.timeutil import utcnow
    sheet.state, sheet.approved_at, sheet.approved_by = "approved", utcnow(), system_user()
    db.session.commit()
    reviewer = app.test_client()
    login(reviewer, secretariat)
    response = reviewer.post("/reports/2023/build")
    assert response.status_code == 302
    build = db.session.get(ReportBuild, int(response.location.rstrip("/").split("/")[-1]))
    assert build.status == "done", build.error
    return sheet, figure, build, photo, secretariat


def test_a_second_app_server_serves_the_photo_and_the_build_the_first_one_stored(
        databases, tmp_path, backend):
    settings, s3 = backend
    app_a = _make_app(databases, tmp_path, "empty", EDITING_FIT_JOBS=False,
                      **_folders(tmp_path / "a"), **settings)
    with app_a.app_context():
        sheet, figure, build, photo, secretariat = _upload_photo_and_build(app_a, tmp_path)
        ids = (sheet.id, figure.id, build.id, build.sha256, build.file_name, build.archive_file_name,
               secretariat.id)
    sheet_id, figure_id, build_id, sha, file_name, archive_name, secretariat_id = ids

    if s3 is None:
        # Local folders: every app server must be given the same ones.
        b_folders = _folders(tmp_path / "a")
        assert _files(str(tmp_path / "a" / "reports")) == sorted([file_name, archive_name])
        assert _files(str(tmp_path / "a" / "uploads")) == [photo_name(figure_id, app_a)]
    else:
        bucket = settings["S3_BUCKET"]
        keys = _keys(s3, bucket)
        assert f"uploads/{photo_name(figure_id, app_a)}" in keys
        assert f"reports/2023/report-2023-{build_id}.pdf" in keys
        assert f"reports/2023/report-2023-{build_id}-pdfa.pdf" in keys
        assert any(k.startswith("cache/printing-v1/sheet/") for k in keys)
        # A's upload and report folders hold nothing; its disposable copies live elsewhere.
        assert _files(str(tmp_path / "a" / "uploads")) == []
        assert _files(str(tmp_path / "a" / "reports")) == []
        assert _files(str(tmp_path / "a" / "cache")) == []
        # Server B: the same database and bucket, folders of its own, all empty.
        b_folders = {**_folders(tmp_path / "b"), **settings,
                     "STORAGE_CACHE_FOLDER": str(tmp_path / "b-storage-cache")}

    instance_b = str(tmp_path / "instance-b")
    app_b = create_app({**base_config(instance_b, app_a.config["SQLALCHEMY_DATABASE_URI"]),
                        "EDITING_FIT_JOBS": False, **b_folders})
    app_b.test_client_class = FreshRequestClient
    with app_b.app_context():
        client = app_b.test_client()
        login(client, db.session.get(User, secretariat_id))
        download = client.get(f"/reports/builds/{build_id}/download")
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert hashlib.sha256(download.data).hexdigest() == sha
        assert "attachment" in download.headers["Content-Disposition"]
        archive = client.get(f"/reports/builds/{build_id}/archive")
        assert archive.status_code == 200 and archive.data.startswith(b"%PDF")
        image = client.get(f"/sheets/{sheet_id}/figures/{figure_id}")
        assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.data == photo
        assert image.headers["Cache-Control"] == "private, no-store"
        # Printing on B reads the image from the store too: the sheet's PDF has it.
        from webapp.editing.fit import sheet_content
        from webapp.models import Sheet
        content = sheet_content(db.session.get(Sheet, sheet_id))
        assert open(content["figures"][0]["image_path"], "rb").read() == photo
        db.session.remove()
        db.engine.dispose()
    if s3 is not None:
        assert _files(str(tmp_path / "b" / "uploads")) == []
        assert _files(str(tmp_path / "b" / "reports")) == []


def photo_name(figure_id: int, app) -> str:
    from webapp.models import Figure
    with app.app_context():
        return db.session.get(Figure, figure_id).image_file


def test_the_build_and_image_are_refused_to_a_coordinator_of_another_body(databases, tmp_path, backend):
    settings, _ = backend
    app = _make_app(databases, tmp_path, "empty", EDITING_FIT_JOBS=False, **_folders(tmp_path / "a"),
                    **settings)
    with app.app_context():
        sheet, figure, build, _, _ = _upload_photo_and_build(app, tmp_path)
        other = app.test_client()
        login(other, Factory().coordinator("長崎県"))
        db.session.commit()
        assert other.get(f"/sheets/{sheet.id}/figures/{figure.id}").status_code == 404
        assert other.get(f"/reports/builds/{build.id}/download").status_code == 403
        anonymous = app.test_client()
        assert anonymous.get(f"/reports/builds/{build.id}/download").status_code == 302
        db.session.remove()
        db.engine.dispose()


def test_a_failed_upload_leaves_no_figure_pointing_at_nothing(databases, tmp_path, backend, monkeypatch):
    settings, _ = backend
    app = _make_app(databases, tmp_path, "empty", EDITING_FIT_JOBS=False, **_folders(tmp_path / "a"),
                    **settings)
    with app.app_context():
        f = Factory()
        sheet = f.sheet(f.project(7, lead=("大分県",)), f.cycle(2023))
        coordinator = f.coordinator("大分県")
        db.session.commit()
        client = app.test_client()
        login(client, coordinator)
        fields = form_fields(client, sheet.id)
        fields.update({"figures-0-kind": "photo", "figures-0-caption": "写真", "figures-0-note": "",
                       "figures-0-image": (io.BytesIO(jpeg_bytes()), "a.jpg")})

        def broken(self, area, name, data):
            raise OSError("the store went away")
        monkeypatch.setattr(type(storage.store()), "put", broken)
        response = client.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
        # The editor comes back with what was typed and says what happened; never a 500.
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "画像を保存先に書き込めませんでした。入力内容はまだ保存されていません。" in page
        assert "写真" in page
        db.session.rollback()
        db.session.expire_all()
        assert [fig.image_file for fig in db.session.get(type(sheet), sheet.id).figures] == []
        db.session.remove()
        db.engine.dispose()


def test_prune_removes_unused_uploads_and_old_cache_entries_from_the_store(databases, tmp_path, backend):
    settings, s3 = backend
    app = _make_app(databases, tmp_path, "empty", **_folders(tmp_path / "a"), **settings)
    with app.app_context():
        store = storage.store()
        store.put("uploads", "0123456789abcdef0123456789abcdef.png", b"orphan")
        store.put("uploads", "notes.txt", b"not ours")
        cache = storage.print_cache()
        cache.write_bytes("sheet", "deadbeef-10.5.pdf", b"%PDF old sheet")
        cache.write_bytes("hint", "project-7.json", b"{}")
        result = app.test_cli_runner().invoke(args=["prune", "--grace-hours", "0"])
        assert result.exit_code == 0, result.output
        assert "画像 1 件、印刷キャッシュ 1 件を削除しました" in result.output
        assert store.get("uploads", "0123456789abcdef0123456789abcdef.png") is None
        assert store.get("uploads", "notes.txt") == b"not ours"
        assert store.get("cache", "printing-v1/sheet/deadbeef-10.5.pdf") is None
        assert store.get("cache", "printing-v1/hint/project-7.json") == b"{}"
        db.session.remove()
        db.engine.dispose()


def test_storage_migrate_copies_everything_both_ways_with_checksums(databases, tmp_path, s3_store, s3_bucket):
    settings = {"S3_BUCKET": s3_bucket, "S3_ENDPOINT_URL": s3_store.endpoint_url,
                "STORAGE_CACHE_FOLDER": str(tmp_path / "storage-cache")}
    # The installation runs on local folders (no S3_BUCKET) ...
    app = _make_app(databases, tmp_path, "empty", EDITING_FIT_JOBS=False, **_folders(tmp_path / "a"))
    with app.app_context():
        sheet, figure, build, photo, _ = _upload_photo_and_build(app, tmp_path)
        local_files = {name: open(os.path.join(tmp_path, "a", name), "rb").read()
                       for name in (os.path.join(area, rel) for area in ("uploads", "reports", "cache")
                                    for rel in _files(str(tmp_path / "a" / area)))
                       if not name.endswith(".lock")}
        app.config.update(settings)     # ... and the command is given the bucket.
        runner = app.test_cli_runner()
        first = runner.invoke(args=["storage-migrate", "--to", "s3"])
        assert first.exit_code == 0, first.output
        total = len(local_files)
        assert f"[{total}/{total}]" in first.output
        assert f"{total} 件をコピーし、0 件は既にありました（コピー先: バケット {s3_bucket}）。" in first.output
        assert f"reports/report-2023-{build.id}.pdf: コピーしました（SHA-256 確認済み）" in first.output
        client = s3_store.client()
        head = client.head_object(Bucket=s3_bucket, Key=f"reports/2023/report-2023-{build.id}.pdf")
        assert head["Metadata"]["sha256"] == build.sha256
        again = runner.invoke(args=["storage-migrate", "--to", "s3"])
        assert again.exit_code == 0
        assert f"0 件をコピーし、{total} 件は既にありました" in again.output

        # Back to empty local folders: the same bytes, file by file.
        app.config.update(_folders(tmp_path / "back"))
        back = runner.invoke(args=["storage-migrate", "--to", "local"])
        assert back.exit_code == 0, back.output
        assert f"{total} 件をコピーし、0 件は既にありました（コピー先: ローカルのフォルダ）。" in back.output
        for name, data in local_files.items():
            assert open(os.path.join(tmp_path, "back", name), "rb").read() == data, name
        db.session.remove()
        db.engine.dispose()


def test_storage_migrate_without_a_usable_bucket_says_so(app):
    app.config.update({"S3_BUCKET": ""})
    result = app.test_cli_runner().invoke(args=["storage-migrate", "--to", "s3"])
    assert result.exit_code == 1
    assert "エラー: S3_BUCKET が設定されていません。バケット名を設定してください。" in result.output
