"""flask build-report --year Y --out FILE.pdf [--html FILE]"""
from __future__ import annotations

import hashlib
import os
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ReportingCycle


def _fail(message: str) -> None:
    click.echo(f"エラー: {message}", err=True)
    sys.exit(1)


@click.command("build-report")
@click.option("--year", type=int, required=True, help="報告年度（例: 2023）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="書き出すPDF")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="印刷したHTMLも書き出す")
@with_appcontext
def build_report_cmd(year, out, html_out):
    """Compile the approved sheets of year Y into the report PDF."""
    from webapp.printing.errors import PrintingError
    from webapp.reports import inputs, printer
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        _fail(f"{year}年度のデータがありません。")
    collected = inputs.collect(cycle)
    if not collected.sheets:
        _fail(f"{year}年度には承認済の個票がありません。")

    interactive = sys.stderr.isatty()

    def progress(done, total, label=""):
        # One line redrawn on a terminal; a line per sheet in logs.
        text = f"  {done}/{total} {label[:40]}"
        click.echo(("\r\033[K" + text) if interactive else text, nl=not interactive, err=True)

    try:
        pdf = printer.report_pdf(collected.meta, year, collected.sheets, progress=progress)
        html = printer.report_html(collected.meta, year, collected.sheets) if html_out else None
    except PrintingError as exc:
        _fail(str(exc))
    if interactive:
        click.echo("", err=True)
    tmp = out + ".part"
    with open(tmp, "wb") as fh:
        fh.write(pdf)
    os.replace(tmp, out)
    if html_out:
        with open(html_out, "w", encoding="utf-8") as fh:
            fh.write(html)
    click.echo(f"{year}年度の報告書（個票 {len(collected.sheets)} 件）を {out} に書き出しました"
               f"（SHA-256 {hashlib.sha256(pdf).hexdigest()}）")
