"""Saving a sheet's content: permission, compare-and-set on the version, images, conflicts.

`save_content()` is the one write path of the edit form and of autosave:

- the user must be allowed to edit (`can(user, 'edit_sheet', sheet)`);
- unchanged content is not written (no version bump, nothing to refuse);
- the write is `UPDATE sheets ... WHERE id = :id AND version = :base`: when
  someone saved since the user's page was loaded, no row matches and
  ConflictError carries the newer sheet, so the page can show both texts;
  nothing is overwritten silently;
- the first save of a sheet that was not started performs the workflow's
  'edit' transition (not started -> draft) through operations.transition();
- KPIs, roadmap rows and figures are updated in place by position.

The caller commits, then calls `delete_files()` for images no longer used.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from forms.sheet import FigureInput, FormErrors
from webapp import audit, storage
from webapp.content_text import figure_text, kpi_text, roadmap_text, section_texts
from webapp.extensions import db
from webapp.models import Figure, Kpi, KpiValue, Project, ProjectOrganisation, RoadmapRow, Sheet, User
from webapp.operations import transition
from webapp.permissions import can, refusal
from webapp.sheet_content import comparable, number_in, sheet_to_dict, texts_of
from webapp.sheet_schema import FIGURES, KPIS, ROADMAP, schema
from webapp.timeutil import format_datetime, utcnow
from webapp.uploads import (Limits, PreparedImage, UploadError, delete_stored, is_stored_name,
                            pixels, prepare_upload, write_prepared)
from webapp.workflow import EDITABLE_STATES, State

SCALARS = ("texts", "target_year", "target_label", "roadmap_title", "roadmap_years")


class NotEditableError(Exception):
    """The sheet cannot be edited by this user now; the message says why."""


class ConflictError(Exception):
    """Someone saved since `base_version`; `sheet` is the newer state.

    `by_you`: that someone is the user saving now, from another tab or window,
    which the messages say rather than blaming a colleague.
    """

    def __init__(self, sheet: Sheet, base_version: int, user: User | None = None):
        self.sheet = sheet
        self.base_version = base_version
        self.by_you = user is not None and sheet.updated_by_id == user.id
        when = format_datetime(sheet.updated_at)
        if self.by_you:
            self.heading = "別の画面（タブ）で、あなたが先に保存しました"
            self.autosave_heading = "別の画面（タブ）で、あなたが新しい内容を保存しました。自動保存を止めました。"
            said = (f"この個票は、ここでの編集を始めた後に、別の画面（タブ）で、あなたが保存しました（{when}）。"
                    "上書きはしていません。ここでの入力はそのまま残っています。")
        else:
            who = sheet.updated_by.display_name if sheet.updated_by else "他の方"
            self.heading = "他の方が先に保存しました"
            self.autosave_heading = "他の方が新しい内容を保存しました。自動保存を止めました。"
            said = (f"この個票は、あなたが編集を始めた後に{who}さんが保存しました（{when}）。"
                    "上書きはしていません。あなたの入力はそのまま残っています。")
        super().__init__(
            said + "違いのある項目に最新の保存内容を並べて表示しましたので、必要な内容を反映してから保存し直してください。")


@dataclass
class SaveOutcome:
    version: int
    changed: bool
    removed_files: list[str] = field(default_factory=list)


@dataclass
class ImageRef:
    name: str
    width: int | None
    height: int | None
    new: PreparedImage | None = None   # an upload, written only when the save goes through


# ---------------------------------------------------------------- loading and permission

def load_sheet(sheet_id: int) -> Sheet | None:
    """The sheet with everything the edit page and a save touch, in a few queries."""
    return db.session.scalar(
        select(Sheet).where(Sheet.id == sheet_id).options(
            joinedload(Sheet.cycle), joinedload(Sheet.updated_by),
            joinedload(Sheet.project).selectinload(Project.links)
            .joinedload(ProjectOrganisation.organisation),
            selectinload(Sheet.kpis).selectinload(Kpi.values),
            selectinload(Sheet.roadmap_rows), selectinload(Sheet.figures)))


# ---------------------------------------------------------------- images

def _token_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="editing-figure-image")


def image_token(sheet_id: int, image: ImageRef) -> str:
    """A signed reference to a stored image of this sheet, carried by the form.

    Figures are updated in place by position, so a row's id does not follow
    its image when figures are reordered or removed; the image's own name
    does. Signing it (with the sheet id) keeps users from naming files.
    """
    return _token_serializer().dumps({"s": sheet_id, "f": image.name, "w": image.width,
                                      "h": image.height})


def read_image_token(sheet_id: int, token: str) -> ImageRef | None:
    try:
        data = _token_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != sheet_id or not is_stored_name(data.get("f")):
        return None
    if not storage.store().exists("uploads", data["f"]):
        return None
    return ImageRef(data["f"], data.get("w"), data.get("h"))


def figure_tokens(sheet: Sheet) -> list[str]:
    return [image_token(sheet.id, ImageRef(f.image_file, f.image_width, f.image_height))
            if f.image_file else "" for f in sheet.figures]


def resolve_images(sheet: Sheet, inputs: list[FigureInput], errors: FormErrors) -> list[ImageRef | None]:
    """The image each figure entry is to have; new uploads are checked now, in memory.

    Nothing is written here: `save_content` writes new files once the save
    has gone through, so a refused save leaves no file behind. The pixels
    one save may decode are bounded in all (UPLOAD_REQUEST_MEGAPIXELS), not
    only per file.
    """
    config = current_app.config
    limits = Limits.from_config(config)
    budget = config["UPLOAD_REQUEST_MEGAPIXELS"] * 1_000_000
    uploads = [item for item in inputs if item.upload is not None]
    if sum(pixels(item.upload) for item in uploads) > budget:
        errors.add(None, f"一度に保存できる画像は合計 {budget // 10_000:,}万画素までです。"
                         "画像を小さくするか、数回に分けて保存してください。")
        for item in uploads:
            item.upload = None
    result: list[ImageRef | None] = []
    for i, item in enumerate(inputs):
        ref = read_image_token(sheet.id, item.token) if item.token else None
        if item.upload is not None:
            try:
                prepared = prepare_upload(item.upload, limits)
            except UploadError as exc:
                errors.add(item.entry.image if item.entry is not None else None,
                           f"図表 {i + 1}: {exc}")
            else:
                ref = ImageRef(prepared.name, prepared.width, prepared.height, new=prepared)
        elif item.remove:
            ref = None
            if item.entry is not None:
                item.entry.image_token.data = ""
                item.entry.remove_image.data = False
        elif item.token and ref is None and item.entry is not None:
            item.entry.image_token.data = ""  # removed meanwhile (or a forged token)
        result.append(ref)
    return result


def pending_uploads(images: list[ImageRef | None]) -> list[int]:
    """Positions (from 1) of figures whose new image a refused save did not keep."""
    return [i + 1 for i, ref in enumerate(images) if ref is not None and ref.new is not None]


def delete_files(names: list[str]) -> None:
    store = storage.store()
    for name in names:
        delete_stored(name, store)


# ---------------------------------------------------------------- saving

def scalar_values(content: dict, year: int) -> dict:
    targets = content["targets"]
    roadmap = content.get("roadmap")
    return {
        "texts": texts_of(content, year),
        "target_year": targets["target_year"],
        "target_label": targets["label"],
        "roadmap_title": roadmap["title"] if roadmap else None,
        "roadmap_years": list(roadmap["years"]) if roadmap else None,
    }


def _same(sheet: Sheet, content: dict, images: list[ImageRef | None]) -> bool:
    current = comparable(sheet_to_dict(sheet))
    if current != comparable(content):
        return False
    return [f.image_file for f in sheet.figures] == [i.name if i else None for i in images]


def save_content(user: User, sheet: Sheet, base_version: int | None, content: dict,
                 images: list[ImageRef | None]) -> SaveOutcome:
    if not can(user, "edit_sheet", sheet):
        raise NotEditableError(refusal(user, "edit_sheet", sheet).message)
    # The first save of a 未着手 sheet counts even when it keeps the carried-forward text as
    # it stands: it is how its organisation says it has started (and it can then submit).
    if _same(sheet, content, images) and sheet.state != State.NOT_STARTED.value:
        return SaveOutcome(version=sheet.version, changed=False)
    if base_version is None:
        base_version = -1  # a post without a version can only conflict
    sheet_schema = schema(sheet.cycle.year)
    # the audit's "changed fields", by section
    fields_before = section_texts(sheet_to_dict(sheet), sheet_schema)
    now = utcnow()
    editable = [s.value for s in EDITABLE_STATES]
    result = db.session.execute(
        update(Sheet)
        .where(Sheet.id == sheet.id, Sheet.version == base_version, Sheet.state.in_(editable))
        .values(version=Sheet.version + 1, updated_at=now, updated_by_id=user.id,
                **scalar_values(content, sheet.cycle.year))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        sheet_id = sheet.id
        db.session.rollback()
        fresh = load_sheet(sheet_id)
        if not can(user, "edit_sheet", fresh):
            raise NotEditableError(refusal(user, "edit_sheet", fresh).message)
        raise ConflictError(fresh, base_version, user)
    db.session.refresh(sheet, attribute_names=list(SCALARS) + [
        "version", "updated_at", "updated_by_id", "updated_by", "state"])
    if sheet.state == State.NOT_STARTED.value:
        transition(user, sheet, "edit")
    before = {f.image_file for f in sheet.figures if f.image_file}
    _sync_kpis(sheet, content["targets"]["kpis"])
    _sync_roadmap(sheet, (content.get("roadmap") or {}).get("rows") or [])
    _sync_figures(sheet, content.get("figures") or [], images)
    db.session.flush()
    store = storage.store()
    for ref in images:
        if ref is not None and ref.new is not None:
            write_prepared(ref.new, store)
    audit.record(user, "save", "sheet", sheet.id,
                 f"{sheet.cycle.year}年度 {sheet.project.number}番「{sheet.project.title}」：内容の保存",
                 audit.diff(fields_before, section_texts(content, sheet_schema)))
    after = {f.image_file for f in sheet.figures if f.image_file}
    return SaveOutcome(version=sheet.version, changed=True, removed_files=sorted(before - after))


def _set(obj, **values) -> None:
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _sync_list(collection, items, make, update_one) -> None:
    existing = list(collection)
    for i, item in enumerate(items):
        if i < len(existing):
            update_one(existing[i], item)
        else:
            obj = make(i)
            update_one(obj, item)
            collection.append(obj)
    for obj in existing[len(items):]:
        collection.remove(obj)


def _sync_kpis(sheet: Sheet, kpis: list[dict]) -> None:
    def update_kpi(kpi: Kpi, k: dict) -> None:
        target, baseline = k["target"], k.get("baseline") or {}
        _set(kpi, name=k["name"], unit=k["unit"], cumulative=k["cumulative"],
             target_year=target.get("year"), target_value=number_in(target.get("value")),
             target_text=target.get("text"), baseline_year=baseline.get("year"),
             baseline_value=number_in(baseline.get("value")),
             baseline_label=baseline.get("label"), note=k["note"],
             direction=k.get("direction") or None)
        _sync_list(kpi.values, k["series"], lambda j: KpiValue(position=j, year=0),
                   lambda v, s: _set(v, year=s["year"], target=number_in(s["target"]),
                                     actual=number_in(s["actual"]), label=s.get("label")))
    _sync_list(sheet.kpis, kpis, lambda i: Kpi(position=i, name=""), update_kpi)


def _sync_roadmap(sheet: Sheet, rows: list[dict]) -> None:
    _sync_list(sheet.roadmap_rows, rows,
               lambda i: RoadmapRow(position=i, activity="", from_year="", to_year=""),
               lambda r, d: _set(r, activity=d["activity"], detail=d["detail"],
                                 from_year=d["from"], to_year=d["to"]))


def _sync_figures(sheet: Sheet, figures: list[dict], images: list[ImageRef | None]) -> None:
    def update_figure(obj: Figure, pair) -> None:
        f, image = pair
        _set(obj, kind=f["kind"], caption=f["caption"], note=f["note"],
             alt_text=f.get("alt_text") or "",
             image_file=image.name if image else None,
             image_width=image.width if image else None,
             image_height=image.height if image else None)
    _sync_list(sheet.figures, list(zip(figures, images)),
               lambda i: Figure(position=i, kind="photo", caption=""), update_figure)


# ---------------------------------------------------------------- comparing for a conflict

@dataclass
class FieldDiff:
    key: str          # a text field's form name, or e.g. 'kpi-1'
    label: str
    theirs: str
    mine: str
    text_field: bool  # the form has a text area of that name


def flatten(content: dict, year: int) -> list[tuple[str, str, str, bool]]:
    """(key, label, text, is_text_field) for every part of the content, in the schema's order.

    KPIs and figures are one entry each ('kpi-1', 'figure-2'), so that the
    form can show the newer saved text beside the entry it belongs to.
    """
    sheet_schema = schema(year)
    targets = content.get("targets") or {}
    out = []
    for section in sheet_schema.sections:
        if section.box == "targets" and section is sheet_schema.in_box("targets")[0]:
            out.append(("target_year", "設定目標の目標年", str(targets.get("target_year") or ""), False))
            out.append(("target_label", "設定目標の見出し", targets.get("label") or "", False))
        if section.is_text:
            out.append((section.key, sheet_schema.label(section.key, year),
                        sheet_schema.text(content, section.key), True))
        elif section.kind == KPIS:
            for i, k in enumerate(targets.get("kpis") or []):
                out.append((f"kpi-{i + 1}", f"KPI {i + 1}", kpi_text(k), False))
        elif section.kind == ROADMAP:
            out.append(("roadmap", sheet_schema.label("roadmap", year),
                        roadmap_text(content.get("roadmap")), False))
        elif section.kind == FIGURES:
            for i, f in enumerate(content.get("figures") or []):
                out.append((f"figure-{i + 1}", f"図表 {i + 1}", figure_text(f), False))
    return out


def differences(theirs: dict, mine: dict, year: int) -> list[FieldDiff]:
    a = {key: (label, text, is_text) for key, label, text, is_text in flatten(theirs, year)}
    b = {key: (label, text, is_text) for key, label, text, is_text in flatten(mine, year)}
    keys = list(a) + [k for k in b if k not in a]
    diffs = []
    for key in keys:
        label, t_text, is_text = a.get(key) or b[key]
        m_text = b[key][1] if key in b else ""
        t_text = t_text if key in a else ""
        if t_text != m_text:
            diffs.append(FieldDiff(key, label, t_text, m_text, is_text))
    return diffs
