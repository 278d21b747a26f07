"""The web edition: a static, accessible HTML site of a year's approved sheets, with
the open data beside it.

`publish_site(year, out_dir)` writes

- index.html: cover (council, title, year, date), contents (links to each sheet),
  the KPI table's link, the open data files with their column descriptions and the
  licence (公共データ利用規約（第1.0版）);
- sheet-NN.html: one page per sheet, from the same sheet view that drives print
  (webapp.printing.sheetview: headings by the year's template, item lines as lists,
  KPI tables with header cells, charts as SVG with their figures in words);
- kpis.html: the KPI progress table (webapp.council.progress);
- kpis.csv, report.json, report.schema.json (webapp.publishing.opendata);
- style.css (screen and print) and images/ (each figure's image, copied).

Links are relative and no page needs script, so the folder works opened from disk
or from any web server. The sheets are the report's (webapp.reports.inputs.collect).
"""
from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2

from webapp import exactjson
from webapp.council.progress import STATUS_RULE, progress_rows
from webapp.cycles import get_cycle
from webapp.files import write_atomic
from webapp.jptext import circled, jp_date, jp_fiscal_year
from webapp.publishing import opendata
from webapp.report_io.exporter import export_report
from webapp.sheet_schema import KPIS, schema

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "templates", "publishing")
IMAGE_TYPES = {".png", ".jpg", ".jpeg"}


class PublishError(Exception):
    """Nothing to publish (the message is Japanese, shown as is)."""


@dataclass
class Written:
    folder: str
    pages: list[str]
    files: list[str]


def sheet_page(number: int) -> str:
    return f"sheet-{number:02d}.html"


def _environment() -> jinja2.Environment:
    """The print templates' environment (its macros and helpers) with ours in front."""
    from webapp.printing.render import TEMPLATES_DIR, _env
    return _env().overlay(loader=jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(TEMPLATES), jinja2.FileSystemLoader(TEMPLATES_DIR)]))


def _copy_images(contents: list[dict], views, out: Path) -> list[str]:
    """Each figure's image into images/, and its page's relative link to it."""
    copied = []
    for content, view in zip(contents, views):
        for position, (figure, shown) in enumerate(zip(content.get("figures") or [], view.figures)):
            source = figure.get("image_path")
            suffix = Path(source).suffix.lower() if source else ""
            if not source or suffix not in IMAGE_TYPES or not os.path.isfile(source):
                shown.image_url = None
                continue
            name = f"images/{content['number']:02d}-{position + 1}{suffix}"
            (out / "images").mkdir(exist_ok=True)
            shutil.copyfile(source, out / name)
            shown.image_url = name
            copied.append(name)
    return copied


def publish_site(year: int, out_dir: str) -> Written:
    """Write year `year`'s web edition and open data into `out_dir` (created if missing),
    every word as the year's template has it."""
    from webapp.sheet_schema import schema, using
    with using(schema(year)):
        return _publish_site(year, out_dir)


def _publish_site(year: int, out_dir: str) -> Written:
    from webapp import storage
    from webapp.printing.sheetview import sheet_view
    from webapp.reports.inputs import approved_sheets, collect
    from webapp.sheet_content import printable
    cycle = get_cycle(year)
    if cycle is None:
        raise PublishError(f"{year}年度のデータがありません。")
    inputs = collect(cycle)
    contents = inputs.sheets
    if not contents:
        raise PublishError(f"{year}年度には承認済の個票がありません。承認されてから公開してください。")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # printable(): the year's template travels with each sheet, as it does to the printer
    views = [sheet_view(printable(content, year), year, uploads_dir=storage.uploads_dir())
             for content in contents]
    images = _copy_images(contents, views, out)

    meta = inputs.meta
    env = _environment()
    common = {"meta": meta, "year": year, "year_label": jp_fiscal_year(year),
              "date_label": jp_date(meta["date"]), "licence": opendata.LICENCE,
              "licence_text": opendata.LICENCE_TEXT, "licence_url": opendata.LICENCE_URL,
              "sheet_page": sheet_page}
    entries = [{"number": v.number, "mark": v.mark, "title": v.title, "lead": v.lead_label,
                "page": sheet_page(v.number)} for v in views]
    pages = {"index.html": env.get_template("index.html").render(
        **common, entries=entries, columns=opendata.COLUMNS,
        files={"csv": opendata.CSV_NAME, "json": opendata.JSON_NAME, "schema": opendata.SCHEMA_NAME})}
    for i, view in enumerate(views):
        pages[sheet_page(view.number)] = env.get_template("sheet.html").render(
            **common, s=view, previous=entries[i - 1] if i else None,
            next=entries[i + 1] if i + 1 < len(entries) else None)
    project_ids = [s.project_id for s in approved_sheets(cycle)]
    pages["kpis.html"] = env.get_template("kpis.html").render(
        **common, rows=progress_rows(cycle, project_ids), rule=STATUS_RULE, circled=circled,
        baseline_head=schema(cycle.year).field_label(KPIS, "baseline_value"))
    for name, html in pages.items():
        write_atomic(str(out / name), html)

    write_atomic(str(out / "style.css"), Path(TEMPLATES, "style.css").read_text(encoding="utf-8"))
    write_atomic(str(out / opendata.CSV_NAME), opendata.kpi_csv(contents))
    write_atomic(str(out / opendata.JSON_NAME),
                 exactjson.dumps(export_report(year, approved_only=True), indent=2) + "\n")
    write_atomic(str(out / opendata.SCHEMA_NAME),
                 exactjson.dumps(opendata.report_json_schema(year), indent=2) + "\n")
    files = ["style.css", opendata.CSV_NAME, opendata.JSON_NAME, opendata.SCHEMA_NAME, *images]
    _remove_stale(out, set(pages) | set(images))
    return Written(folder=str(out), pages=list(pages), files=files)


def _remove_stale(out: Path, written: set[str]) -> None:
    """A sheet page or image an earlier run wrote and this one did not (a sheet reopened
    since, a figure removed) goes; nothing else in the folder is touched."""
    for path in [*out.glob("sheet-*.html"), *out.glob("images/*")]:
        if path.is_file() and path.relative_to(out).as_posix() not in written:
            path.unlink()


def zip_folder(folder: str, target) -> None:
    """The published folder as a zip (paths inside relative to it), into `target`."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
