"""The exported workbook opens in LibreOffice (Debian's libreoffice-calc, `make office`) and prints."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from webapp.extensions import db
from webapp.models import Sheet
from webapp.workbooks import export

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def test_the_workbook_converts_to_pdf_in_libreoffice(fy_app, tmp_path):
    if LIBREOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("libreoffice not found: run `make office`")
        pytest.skip("libreoffice is not installed here (`make office` installs Debian's libreoffice-calc)")
    sheets = db.session.query(Sheet).all()[:3]
    source = tmp_path / "sheets.xlsx"
    source.write_bytes(export.workbook(sheets))
    # A profile of its own, so that parallel runs and a desktop LibreOffice never collide.
    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(
        [LIBREOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    pdf = (tmp_path / "sheets.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
