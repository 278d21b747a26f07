"""The tests' S3 store (a Ceph RADOS Gateway started by scripts/ceph-rgw.sh) works as S3."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests import s3store


def test_a_file_put_in_a_bucket_comes_back_is_listed_and_goes_when_deleted(s3_store, s3_bucket):
    s3 = s3_store.client()
    s3.put_object(Bucket=s3_bucket, Key="2023/個票-①.pdf", Body=b"%PDF-1.7 sheet one",
                  ContentType="application/pdf")
    s3.put_object(Bucket=s3_bucket, Key="2023/個票-②.pdf", Body=b"%PDF-1.7 sheet two")

    got = s3.get_object(Bucket=s3_bucket, Key="2023/個票-①.pdf")
    assert got["Body"].read() == b"%PDF-1.7 sheet one"
    assert got["ContentType"] == "application/pdf"
    listed = s3.list_objects_v2(Bucket=s3_bucket, Prefix="2023/")
    assert [item["Key"] for item in listed["Contents"]] == ["2023/個票-①.pdf", "2023/個票-②.pdf"]

    s3.delete_object(Bucket=s3_bucket, Key="2023/個票-①.pdf")
    listed = s3.list_objects_v2(Bucket=s3_bucket)
    assert [item["Key"] for item in listed["Contents"]] == ["2023/個票-②.pdf"]
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=s3_bucket, Key="2023/個票-①.pdf")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


def test_a_presigned_link_downloads_the_file_over_http_and_a_tampered_one_is_refused(s3_store, s3_bucket):
    s3 = s3_store.client()
    s3.put_object(Bucket=s3_bucket, Key="report.pdf", Body=b"%PDF-1.7 the report")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "report.pdf"},
                                    ExpiresIn=300)

    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.read() == b"%PDF-1.7 the report"

    other_key = url.replace("/report.pdf?", "/other.pdf?")
    assert other_key != url
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(other_key, timeout=10)
    assert refused.value.code == 403


def test_a_second_bucket_does_not_see_the_first_buckets_files(s3_store, s3_buckets):
    first, second = s3_buckets(), s3_buckets()
    s3 = s3_store.client()
    s3.put_object(Bucket=first, Key="shared-name.txt", Body=b"first")

    assert s3.list_objects_v2(Bucket=second)["KeyCount"] == 0
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=second, Key="shared-name.txt")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    s3.put_object(Bucket=second, Key="shared-name.txt", Body=b"second")
    assert s3.get_object(Bucket=first, Key="shared-name.txt")["Body"].read() == b"first"


def test_a_test_bucket_is_removed_afterwards_with_the_files_left_in_it(s3_store):
    buckets = s3store.Buckets(s3_store)
    name = buckets()
    s3 = s3_store.client()
    s3.put_object(Bucket=name, Key="left/behind.txt", Body=b"x")
    s3.create_multipart_upload(Bucket=name, Key="unfinished.bin")

    buckets.cleanup()

    with pytest.raises(ClientError) as gone:
        s3.head_bucket(Bucket=name)
    assert gone.value.response["Error"]["Code"] == "404"
