"""Where uploaded images, built reports and the shared print cache live.

One interface, two backends:

* ``LocalStore`` (the default, what `make run` uses): the folders UPLOAD_FOLDER,
  REPORTS_FOLDER and CACHE_FOLDER, laid out as they always were.
* ``S3Store`` (when S3_BUCKET is set): one bucket (S3_ENDPOINT_URL for a store
  other than AWS; credentials from the standard AWS_* variables) under the
  prefixes ``uploads/``, ``reports/<year>/`` and ``cache/``. The local disk then
  holds only STORAGE_CACHE_FOLDER, a disposable copy of what was read, because
  the printing code (and WeasyPrint) read images and cached pages as files.

Every object is addressed by an area ("uploads", "reports", "cache") and a
name inside it (a file name, or a relative path with "/" in the cache). A
write is complete before it returns (the local backend renames a finished
file into place; S3 makes an object visible only once all of it arrived),
so a caller that writes first and then commits the database row never
leaves a row pointing at nothing. Nothing in the bucket is public: the app
reads every object with its own credentials after its permission check.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import quote

from webapp.files import write_atomic
# Database-free and light: WeasyPrint is imported only when something prints.
from webapp.printing.cache import _LAYOUT, PrintCache

AREAS = ("uploads", "reports", "cache")
FOLDER_SETTINGS = {"uploads": "UPLOAD_FOLDER", "reports": "REPORTS_FOLDER", "cache": "CACHE_FOLDER"}
# A half-written local file (webapp.files.write_atomic): never an object of its own.
PARTIAL = re.compile(r"\.(.+)\.[0-9a-f]{8}\.part")
_REPORT_YEAR = re.compile(r"report-(\d{4})-")
SHA256_META = "sha256"
CHUNK = 1024 * 1024
_CLIENT_LOCK = threading.Lock()


class StorageError(Exception):
    """The store could not be used; the message (Japanese) can be shown as is."""


@dataclass(frozen=True)
class Entry:
    name: str        # inside its area, "/"-separated
    size: int
    mtime: float     # seconds since the epoch (UTC)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check(area: str, name: str) -> None:
    if area not in AREAS:
        raise ValueError(f"unknown storage area {area!r}")
    parts = name.split("/")
    if not name or any(p in ("", ".", "..") for p in parts) or "\\" in name:
        raise ValueError(f"not a stored name: {name!r}")


class LocalStore:
    kind = "local"

    def __init__(self, folders: dict[str, str]):
        self.folders = dict(folders)

    def __repr__(self):
        return f"LocalStore({self.folders!r})"

    def path(self, area: str, name: str) -> str:
        _check(area, name)
        return os.path.join(self.folders[area], *name.split("/"))

    def put(self, area: str, name: str, data: bytes) -> None:
        path = self.path(area, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, data)

    def get(self, area: str, name: str) -> bytes | None:
        try:
            with open(self.path(area, name), "rb") as fh:
                return fh.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def exists(self, area: str, name: str) -> bool:
        return os.path.isfile(self.path(area, name))

    def delete(self, area: str, name: str) -> None:
        try:
            os.remove(self.path(area, name))
        except FileNotFoundError:
            pass

    def entries(self, area: str, prefix: str = "", partial: bool = False) -> Iterator[Entry]:
        """Every file of the area (``partial``: half-written ones too, for prune)."""
        root = self.folders[area]
        start = os.path.join(root, *prefix.split("/")) if prefix else root
        for folder, dirs, files in os.walk(start):
            dirs.sort()
            for file in sorted(files):
                if not partial and (PARTIAL.fullmatch(file) or file.startswith(".")):
                    continue
                full = os.path.join(folder, file)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                yield Entry(os.path.relpath(full, root).replace(os.sep, "/"), st.st_size, st.st_mtime)

    def sha256(self, area: str, name: str) -> str | None:
        data = self.get(area, name)
        return None if data is None else sha256_of(data)

    def local_path(self, area: str, name: str) -> str | None:
        """A readable file with the object's bytes, or None when there is none."""
        path = self.path(area, name)
        return path if os.path.isfile(path) else None

    def local_dir(self, area: str) -> str:
        """The folder ``local_path`` gives files in (printing's uploads_dir)."""
        return self.folders[area]

    def open_stream(self, area: str, name: str) -> tuple[Iterator[bytes], int] | None:
        path = self.local_path(area, name)
        if path is None:
            return None

        def chunks():
            with open(path, "rb") as fh:
                while block := fh.read(CHUNK):
                    yield block
        return chunks(), os.path.getsize(path)


class S3Store:
    """A bucket; STORAGE_CACHE_FOLDER keeps local copies of what printing reads as files.

    Picklable (the client is made on first use), so the print cache that wraps
    it can go to the processes a report build forks."""
    kind = "s3"

    def __init__(self, bucket: str, endpoint_url: str | None, cache_folder: str,
                 prefix: str = ""):
        self.bucket = bucket
        self.endpoint_url = endpoint_url or None
        self.cache_folder = cache_folder
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._client = None
        self._pid = None

    def __repr__(self):
        return f"S3Store({self.bucket!r}, {self.endpoint_url!r})"

    def __getstate__(self):
        return {**self.__dict__, "_client": None, "_pid": None}

    @property
    def client(self):
        # A forked process (an RQ job, a report build's pool) makes its own: a client's
        # connections must not be shared with the parent.
        if self._client is None or self._pid != os.getpid():
            import boto3
            from botocore.config import Config
            with _CLIENT_LOCK:  # making a client is not thread-safe (using one is)
                if self._client is None or self._pid != os.getpid():
                    # Path-style: a store such as radosgw or MinIO has no name per bucket in DNS.
                    self._client = boto3.session.Session().client(
                        "s3", endpoint_url=self.endpoint_url,
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3},
                                      connect_timeout=5, read_timeout=60))
                    self._pid = os.getpid()
        return self._client

    def key(self, area: str, name: str) -> str:
        _check(area, name)
        if area == "reports":
            year = _REPORT_YEAR.match(name)
            if year and "/" not in name:
                return f"{self.prefix}reports/{year.group(1)}/{name}"
        return f"{self.prefix}{area}/{name}"

    def _name(self, area: str, key: str) -> str:
        name = key[len(f"{self.prefix}{area}/"):]
        if area == "reports" and "/" in name:
            year, _, rest = name.partition("/")
            if re.fullmatch(r"\d{4}", year) and _REPORT_YEAR.match(rest):
                return rest
        return name

    @staticmethod
    def _missing(exc) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def put(self, area: str, name: str, data: bytes) -> None:
        digest = sha256_of(data)
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        # Content-MD5 makes the store refuse a body damaged on the way; the SHA-256
        # kept beside it lets storage-migrate and checks compare without downloading.
        self.client.put_object(Bucket=self.bucket, Key=self.key(area, name), Body=data,
                               ContentMD5=md5, Metadata={SHA256_META: digest})
        self._keep_local(area, name, data)

    def get(self, area: str, name: str) -> bytes | None:
        from botocore.exceptions import ClientError
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(area, name))["Body"]
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise
        with body:
            return body.read()

    def head(self, area: str, name: str) -> dict | None:
        from botocore.exceptions import ClientError
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.key(area, name))
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise

    def exists(self, area: str, name: str) -> bool:
        return self.head(area, name) is not None

    def delete(self, area: str, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(area, name))
        try:
            os.remove(self._cached(area, name))
        except FileNotFoundError:
            pass

    def entries(self, area: str, prefix: str = "", partial: bool = False) -> Iterator[Entry]:
        start = f"{self.prefix}{area}/" + (prefix.rstrip("/") + "/" if prefix else "")
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                       Prefix=start)
        for page in pages:
            for item in page.get("Contents", []):
                yield Entry(self._name(area, item["Key"]), item["Size"],
                            item["LastModified"].timestamp())

    def sha256(self, area: str, name: str) -> str | None:
        """From the object's metadata when written by this app, else by reading it."""
        head = self.head(area, name)
        if head is None:
            return None
        known = head.get("Metadata", {}).get(SHA256_META)
        if known:
            return known
        data = self.get(area, name)
        return None if data is None else sha256_of(data)

    def _cached(self, area: str, name: str) -> str:
        _check(area, name)
        return os.path.join(self.cache_folder, area, *name.split("/"))

    def _keep_local(self, area: str, name: str, data: bytes) -> None:
        # Only what printing reads as files is worth a local copy.
        if area != "reports":
            path = self._cached(area, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomic(path, data)

    def local_path(self, area: str, name: str) -> str | None:
        path = self._cached(area, name)
        if os.path.isfile(path):
            return path
        data = self.get(area, name)
        if data is None:
            return None
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, data)
        return path

    def local_dir(self, area: str) -> str:
        return os.path.join(self.cache_folder, area)

    def open_stream(self, area: str, name: str) -> tuple[Iterator[bytes], int] | None:
        from botocore.exceptions import ClientError
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self.key(area, name))
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise
        body = reply["Body"]

        def chunks():
            with body:
                yield from body.iter_chunks(CHUNK)
        return chunks(), reply["ContentLength"]


Store = LocalStore | S3Store


def local_store(config) -> LocalStore:
    return LocalStore({area: config[setting] for area, setting in FOLDER_SETTINGS.items()})


def s3_store(config) -> S3Store:
    if not config.get("S3_BUCKET"):
        raise StorageError("S3_BUCKET が設定されていません。バケット名を設定してください。")
    return S3Store(config["S3_BUCKET"], config.get("S3_ENDPOINT_URL"),
                   config["STORAGE_CACHE_FOLDER"], config.get("S3_PREFIX", ""))


def store_for(config) -> Store:
    return s3_store(config) if config.get("S3_BUCKET") else local_store(config)


def store() -> Store:
    """The app's store (one per app object, made from its config on first use)."""
    from flask import current_app
    made = current_app.extensions.get("storage")
    if made is None:
        made = current_app.extensions["storage"] = store_for(current_app.config)
    return made


def upload_path(name: str) -> str | None:
    """A local file with a stored image's bytes (fetched on a miss), for printing."""
    return store().local_path("uploads", name)


def uploads_dir() -> str:
    """The folder `upload_path` gives files in: printing reads images only from there."""
    return store().local_dir("uploads")


def send(area: str, name: str, mimetype: str, download_name: str | None = None,
         as_attachment: bool = False):
    """A response streaming a stored object (404 when it is not there).

    Called only after the view's permission check. Streamed through the app rather
    than redirected to a presigned URL: the store need not be reachable from users'
    browsers (it usually sits on the internal network), the CSP allows images only
    from 'self', and a URL handed out would still open the file after a log-out or
    a change of rights until it expired. Builds are a few MB, read rarely."""
    from flask import Response, abort
    opened = store().open_stream(area, name) if name else None
    if opened is None:
        abort(404)
    chunks, size = opened
    response = Response(chunks, mimetype=mimetype, direct_passthrough=True)
    response.content_length = size
    # Always named, as Flask's send_file does: an ASCII fallback and the UTF-8 name.
    download_name = download_name or name.rsplit("/", 1)[-1]
    simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode()
    response.headers.set("Content-Disposition", "attachment" if as_attachment else "inline",
                         filename=simple,
                         **{"filename*": "UTF-8''" + quote(download_name, safe="!#$&+^`|~")})
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- moving between backends

@dataclass
class MigrateResult:
    copied: int = 0
    present: int = 0    # already at the target with the same SHA-256


def check_bucket(target: S3Store) -> None:
    from botocore.exceptions import BotoCoreError, ClientError
    try:
        target.client.head_bucket(Bucket=target.bucket)
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(f"バケット「{target.bucket}」を使えません（{exc}）。"
                           "S3_BUCKET、S3_ENDPOINT_URL と AWS_* の認証情報を確かめてください。")


def migrate(source: Store, target: Store, progress=None) -> MigrateResult:
    """Copy every object of ``source`` to ``target``, checking each copy's SHA-256.

    Idempotent and resumable: an object the target already holds with the same
    SHA-256 is left as it is, so a run that stopped half-way (or a second run
    after the app servers stopped) copies only what is missing or changed.
    ``progress(done, total, area, name, copied)`` is called after each object."""
    todo = [(area, entry.name) for area in AREAS for entry in source.entries(area)
            if not entry.name.endswith(".lock")]    # local lock files of webapp.editing.fit
    result = MigrateResult()
    for done, (area, name) in enumerate(todo, 1):
        data = source.get(area, name)
        if data is None:        # removed meanwhile (prune, a replaced image)
            continue
        digest = sha256_of(data)
        copied = target.sha256(area, name) != digest
        if copied:
            target.put(area, name, data)
            written = target.get(area, name)
            if written is None or sha256_of(written) != digest:
                raise StorageError(f"{area}/{name} のコピーが元と一致しません（SHA-256）。"
                                   "もう一度実行してください。")
            result.copied += 1
        else:
            result.present += 1
        if progress:
            progress(done, len(todo), area, name, copied)
    return result


# ---------------------------------------------------------------- the print cache

def print_cache(config=None):
    """The print cache printing reads and writes (a PrintCache, as webapp.printing wants).

    Local backend: CACHE_FOLDER itself. S3: a local copy under STORAGE_CACHE_FOLDER,
    filled from the bucket on a miss, every new entry written through to the bucket."""
    from flask import current_app
    config = config or current_app.config
    if not config.get("S3_BUCKET"):
        return PrintCache(config["CACHE_FOLDER"])
    return StoredPrintCache(s3_store(config))


class StoredPrintCache(PrintCache):
    """printing's PrintCache over the bucket: local copies under STORAGE_CACHE_FOLDER."""

    def __init__(self, backing: S3Store):
        super().__init__(os.path.join(backing.cache_folder, "cache"))
        self.backing = backing

    def __repr__(self):
        return f"StoredPrintCache({self.backing!r})"

    @staticmethod
    def _name(kind: str, name: str) -> str:
        return f"{_LAYOUT}/{kind}/{name}"

    def read_bytes(self, kind, name):
        local = super().read_bytes(kind, name)
        if local is not None:
            return local
        data = self.backing.get("cache", self._name(kind, name))
        if data is not None:
            super().write_bytes(kind, name, data)
        return data

    def write_bytes(self, kind, name, data):
        self.backing.put("cache", self._name(kind, name), data)  # keeps the local copy too

    def prune(self, max_age_days=30, keep_keys=None):
        """The bucket's entries by the folder's rule (PrintCache.prunable), then the local copies."""
        limit = time.time() - max_age_days * 86400
        removed = []
        for entry in self.backing.entries("cache", _LAYOUT):
            parts = entry.name.split("/")
            if len(parts) == 3 and self.prunable(parts[1], parts[2], entry.mtime, limit, keep_keys):
                self.backing.delete("cache", entry.name)
                removed.append(f"s3://{self.backing.bucket}/{self.backing.key('cache', entry.name)}")
        super().prune(max_age_days, keep_keys)
        return removed
