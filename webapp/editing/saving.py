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
- the content is written by webapp.sheet_content.write_content (in place, by position),
  which also writes the audit record.

The caller commits, then calls `delete_files()` for images no longer used.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from forms.sheet import FigureInput, FormErrors
from webapp import storage
from webapp.content_text import field_text, figure_text, kpi_text, roadmap_text
from webapp.extensions import db
from webapp.models import Kpi, Project, ProjectOrganisation, Sheet, User
from webapp.operations import transition
from webapp.permissions import can, refusal
from webapp.sheet_content import comparable, sheet_to_dict, write_content
from webapp.sheet_schema import FIGURES, KPIS, ROADMAP, schema
from webapp.timeutil import format_datetime, utcnow
from webapp.uploads import (Limits, PreparedImage, UploadError, delete_stored, is_stored_name,
                            pixels, prepare_upload, write_prepared)
from webapp.workflow import EDITABLE_STATES, State

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
    now = utcnow()
    editable = [s.value for s in EDITABLE_STATES]
    result = db.session.execute(
        update(Sheet)
        .where(Sheet.id == sheet.id, Sheet.version == base_version, Sheet.state.in_(editable))
        .values(version=Sheet.version + 1, updated_at=now, updated_by_id=user.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        sheet_id = sheet.id
        db.session.rollback()
        fresh = load_sheet(sheet_id)
        if not can(user, "edit_sheet", fresh):
            raise NotEditableError(refusal(user, "edit_sheet", fresh).message)
        raise ConflictError(fresh, base_version, user)
    db.session.refresh(sheet, attribute_names=[
        "version", "updated_at", "updated_by_id", "updated_by", "state"])
    if sheet.state == State.NOT_STARTED.value:
        transition(user, sheet, "edit")
    before = {f.image_file for f in sheet.figures if f.image_file}
    write_content(sheet, content, images=images, actor=user, reason="内容の保存")
    db.session.flush()
    store = storage.store()
    for ref in images:
        if ref is not None and ref.new is not None:
            write_prepared(ref.new, store)
    after = {f.image_file for f in sheet.figures if f.image_file}
    return SaveOutcome(version=sheet.version, changed=True, removed_files=sorted(before - after))


# ---------------------------------------------------------------- comparing for a conflict

@dataclass
class ConflictDiff:
    """A part of the sheet that differs between the saved sheet and the user's form."""
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
    kpis = sheet_schema.part(KPIS)
    out = []
    for section in sheet_schema.sections:
        if kpis is not None and section is sheet_schema.in_box(kpis.box)[0]:
            heading = sheet_schema.box(kpis.box).title(year)
            out.extend((f.key, f"{heading}の{f.label}", field_text(f, f.get(content)), False)
                       for f in kpis.sheet_fields)
        if section.is_text:
            out.append((section.key, sheet_schema.label(section.key, year),
                        sheet_schema.text(content, section.key), True))
        elif section.kind == KPIS:
            for i, k in enumerate(targets.get("kpis") or []):
                out.append((f"kpi-{i + 1}", f"KPI {i + 1}", kpi_text(k, sheet_schema=sheet_schema), False))
        elif section.kind == ROADMAP:
            out.append(("roadmap", sheet_schema.label("roadmap", year),
                        roadmap_text(content.get("roadmap")), False))
        elif section.kind == FIGURES:
            for i, f in enumerate(content.get("figures") or []):
                out.append((f"figure-{i + 1}", f"図表 {i + 1}", figure_text(f, sheet_schema), False))
    return out


def differences(theirs: dict, mine: dict, year: int) -> list[ConflictDiff]:
    a = {key: (label, text, is_text) for key, label, text, is_text in flatten(theirs, year)}
    b = {key: (label, text, is_text) for key, label, text, is_text in flatten(mine, year)}
    keys = list(a) + [k for k in b if k not in a]
    diffs = []
    for key in keys:
        label, t_text, is_text = a.get(key) or b[key]
        m_text = b[key][1] if key in b else ""
        t_text = t_text if key in a else ""
        if t_text != m_text:
            diffs.append(ConflictDiff(key, label, t_text, m_text, is_text))
    return diffs
