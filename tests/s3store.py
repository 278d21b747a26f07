"""The tests' S3 store: where it is, and throw-away buckets in it.

`make test` (scripts/run-tests.sh) starts a single-node Ceph RADOS Gateway with
scripts/ceph-rgw.sh and exports its settings (S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION). Without them the S3 tests are
skipped, except under CI=true, where a missing store fails them.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest

SETTINGS = ("S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
HOW_TO_START = (
    "scripts/ceph-rgw.sh start DIR を実行し、DIR/env を読み込んでから試験してください"
    "（make test は自動で起動します）"
)


@dataclass(frozen=True)
class S3Store:
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str

    def client(self):
        import boto3
        from botocore.config import Config
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=self.region,
            # The gateway has no wildcard DNS name: bucket names go in the path.
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                          connect_timeout=5, read_timeout=30),
        )


def store_from_env(environ=os.environ) -> S3Store | None:
    if not all(environ.get(name) for name in SETTINGS):
        return None
    return S3Store(
        endpoint_url=environ["S3_ENDPOINT_URL"],
        access_key_id=environ["AWS_ACCESS_KEY_ID"],
        secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
        region=environ.get("AWS_DEFAULT_REGION") or "us-east-1",
    )


def require_store() -> S3Store:
    store = store_from_env()
    if store is not None:
        return store
    missing = ", ".join(name for name in SETTINGS if not os.environ.get(name))
    message = f"S3 の試験用ストアが設定されていません（{missing} が未設定）。{HOW_TO_START}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def empty_and_delete(client, bucket: str) -> None:
    """Removes a bucket with whatever a test left in it, unfinished uploads included."""
    uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    for upload in uploads:
        client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    client.delete_bucket(Bucket=bucket)


class Buckets:
    """Makes buckets with unique names; `cleanup` removes them, contents and all."""

    def __init__(self, store: S3Store):
        self.client = store.client()
        self.made: list[str] = []

    def __call__(self) -> str:
        name = "test-" + uuid.uuid4().hex
        self.client.create_bucket(Bucket=name)
        self.made.append(name)
        return name

    def cleanup(self) -> None:
        for name in reversed(self.made):
            empty_and_delete(self.client, name)
        self.made.clear()
