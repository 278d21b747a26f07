"""Uploaded figure images: checked by decoding, re-encoded without metadata, stored by random name.

A file is accepted only when Pillow decodes it as a PNG or JPEG of a sane
size. What is stored is never the uploaded bytes but a fresh encoding of the
decoded pixels, so EXIF (GPS position, camera serial), PNG text chunks and
anything smuggled after the image data are gone. Files live flat in
the store's "uploads" area (webapp/storage.py) under a random name; users never name a path, and they are
served only through `main.figure_image`, which checks that the reader may
see the sheet.
"""
from __future__ import annotations

import io
import os
import re
import secrets
from dataclasses import dataclass

from PIL import Image, ImageOps


MAX_EDGE = 2400                  # longer edge kept; more is wasted on an A4 sheet
JPEG_QUALITY = 88
FORMATS = {"PNG": ".png", "JPEG": ".jpg"}
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg)$")


class UploadError(Exception):
    """An image refused; the message (Japanese) is shown to the user as is."""


@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int


def is_stored_name(name: str | None) -> bool:
    return bool(name) and bool(_NAME.match(name))


@dataclass(frozen=True)
class Limits:
    """From the config (UPLOAD_MAX_MB, UPLOAD_MAX_MEGAPIXELS), so pages, messages and checks agree."""
    max_mb: int = 5
    max_megapixels: int = 40     # a 40-megapixel photo is the most a camera gives

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(config["UPLOAD_MAX_MB"], config["UPLOAD_MAX_MEGAPIXELS"])

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024

    @property
    def max_pixels(self) -> int:
        return self.max_megapixels * 1_000_000


def read_limited(stream, limit: int) -> bytes:
    """At most limit+1 bytes, so an oversized file is detected without reading all of it."""
    data = stream.read(limit + 1)
    return data if isinstance(data, bytes) else bytes(data)


def check_and_encode(data: bytes, limits: Limits,
                     filename: str = "") -> tuple[bytes, str, int, int]:
    """Decode `data` as PNG/JPEG and re-encode it; returns (bytes, extension, width, height)."""
    shown = f"「{os.path.basename(filename)}」" if filename else "このファイル"
    if not data:
        raise UploadError(f"{shown}は空のファイルです。PNG または JPEG の画像を選んでください。")
    if len(data) > limits.max_bytes:
        raise UploadError(f"{shown}は大きすぎます（最大 {limits.max_mb} MB）。"
                          "画像を縮小するか、圧縮してからアップロードしてください。")
    if not data.startswith(_MAGIC):
        raise UploadError(f"{shown}は PNG または JPEG の画像として読み取れません。"
                          "PNG または JPEG の画像ファイルを選んでください。")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise UploadError(f"{shown}は PNG または JPEG の画像ではありません（{fmt}）。")
            if width * height > limits.max_pixels or width <= 0 or height <= 0:
                raise UploadError(f"{shown}は画素数が大きすぎます（{width}×{height}）。"
                                  f"{limits.max_pixels // 10_000:,}万画素以下の画像にしてください。")
            probe.verify()
        # verify() leaves the image unusable; decode again, fully this time.
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            image = ImageOps.exif_transpose(img)  # keep the photo upright once EXIF is gone
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError(f"{shown}は画素数が大きすぎます。"
                          f"{limits.max_pixels // 10_000:,}万画素以下の画像にしてください。")
    except Exception:
        raise UploadError(f"{shown}は PNG または JPEG の画像として読み取れません"
                          "（ファイルが壊れているか、画像ではありません）。")

    if max(image.size) > MAX_EDGE:
        image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        clean = image.copy()
        clean.info = {}  # Pillow would carry a JPEG comment over from info
        # No exif=, icc_profile=, xmp= or comment=: Pillow then writes none of them.
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            image = image.convert("RGBA")
        clean = image.copy()
        # Drops tEXt/iTXt/zTXt, eXIf, iCCP, gAMA...; keeps only what the pixels mean.
        clean.info = {k: v for k, v in image.info.items() if k == "transparency"}
        clean.save(out, "PNG", compress_level=6)
    return out.getvalue(), FORMATS[fmt], image.size[0], image.size[1]


@dataclass(frozen=True)
class PreparedImage(StoredImage):
    """A checked, re-encoded upload with its future name, not yet on disk: a save that
    is refused (a conflict, a closed year) must leave no file behind."""
    data: bytes = b""


def pixels(file_storage) -> int:
    """The image's pixel count from its header, without decoding it (0 when unreadable)."""
    try:
        position = file_storage.stream.tell()
        with Image.open(file_storage.stream) as probe:
            width, height = probe.size
        file_storage.stream.seek(position)
        return width * height
    except Exception:
        file_storage.stream.seek(0)
        return 0


def prepare_upload(file_storage, limits: Limits) -> PreparedImage:
    """Check an uploaded werkzeug FileStorage and re-encode it, in memory."""
    data = read_limited(file_storage.stream, limits.max_bytes)
    encoded, ext, width, height = check_and_encode(data, limits, file_storage.filename or "")
    return PreparedImage(secrets.token_hex(16) + ext, width, height, encoded)


def write_prepared(image: PreparedImage, store) -> None:
    """Complete in the store when this returns, so the row committed after it never
    points at nothing. A store that fails (a bucket unreachable, a full disk) raises
    StorageError, which the editor shows instead of a 500; the caller rolls back."""
    from webapp.storage import StorageError
    try:
        store.put("uploads", image.name, image.data)
    except Exception as exc:  # boto3 and the file system fail in many ways; all mean "not stored"
        raise StorageError("画像を保存先に書き込めませんでした。") from exc


def copy_stored(name: str, store) -> str | None:
    """A copy of a stored image under a new random name (carry-forward); None when missing."""
    if not is_stored_name(name):
        return None
    data = store.get("uploads", name)
    if data is None:
        return None
    new = secrets.token_hex(16) + os.path.splitext(name)[1]
    store.put("uploads", new, data)
    return new


def delete_stored(name: str | None, store) -> None:
    if is_stored_name(name):
        store.delete("uploads", name)
