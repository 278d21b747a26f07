"""The 「個票の様式」 screens: one page per year, one small form per change.

Every change is made on the template's JSON (webapp.template_json), read
back by `from_json` (whose problems name a path, e.g. ``sections[3].heading``,
and are shown beside that field) and saved by `replace_template`, which
refuses what would drop entered text or change more than wording after
submissions (its message is shown above the form).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.template import BoxForm, NewSectionForm, RemoveSectionForm, SectionForm
from webapp.cycles import cycle_or_404, latest_cycle
from webapp.extensions import db
from webapp.models import Project, Sheet
from webapp.permissions import require
from webapp.sheet_schema import LEFT, RIGHT, schema
from webapp.sheet_templates import (TemplateRefused, optional_fields, replace_template,
                                    submissions_started)
from webapp.template_json import TemplateError, from_json, to_json
from webapp.templating import bp

SECTION_FIELDS = ("heading", "label", "required", "limit", "rows")


def _cycle(year: int):
    require(current_user, "edit_template")
    return cycle_or_404(year)


def _boxes(template):
    """The boxes in printed order: the left column, then the right."""
    return [b for column in (LEFT, RIGHT) for b in template.column(column)]


def _forms(template, posted: tuple[str, object] | None = None) -> dict:
    """A form per box and per section, filled from the template (the posted one as posted)."""
    forms = {}
    for box in template.boxes:
        name = f"box-{box.key}"
        forms[name] = posted[1] if posted and posted[0] == name else \
            BoxForm(formdata=None, prefix=name, heading=box.heading)
    for s in template.sections:
        name = f"sec-{s.key}"
        forms[name] = posted[1] if posted and posted[0] == name else SectionForm(
            formdata=None, prefix=name, **{f: getattr(s, f) for f in SECTION_FIELDS})
    for box in template.boxes:
        name = f"new-{box.key}"
        forms[name] = posted[1] if posted and posted[0] == name else \
            NewSectionForm(formdata=None, prefix=name)
    return forms


def _page(cycle, *, posted=None, refused: tuple[str, str] | None = None, status: int = 200):
    template = schema(cycle.year)
    return render_template(
        "templating/template.html", cycle=cycle, schema=template, year=cycle.year,
        boxes=_boxes(template), forms=_forms(template, posted), refused=refused,
        optional_fields=optional_fields, wording_only=submissions_started(cycle),
        sample=_sample(cycle)), status


def _sample(cycle) -> Sheet | None:
    """The year's first sheet (by project number): the preview prints it."""
    return db.session.scalar(select(Sheet).join(Project, Project.id == Sheet.project_id)
                             .where(Sheet.cycle_id == cycle.id).order_by(Project.number).limit(1))


def _apply(cycle, data: dict, form_name: str, form, index: int | None, done: str):
    """Save the changed template JSON, or show why not beside the form that asked."""
    try:
        change = replace_template(current_user, cycle, from_json(data))
    except TemplateError as exc:
        db.session.rollback()
        _attach(form, exc.problems, index)
        return _page(cycle, posted=(form_name, form), status=422)
    except TemplateRefused as exc:
        db.session.rollback()
        return _page(cycle, posted=(form_name, form), refused=(form_name, str(exc)), status=409)
    db.session.commit()
    flash(change.message if change.lines else done, "success" if change.lines else "info")
    return redirect(url_for(".template", year=cycle.year, _anchor=form_name), 303)


def _attach(form, problems: list[str], index: int | None) -> None:
    """Each problem beside its field (「sections[3].heading: …」 → the heading field)."""
    own = f"sections[{index}]." if index is not None else None
    for problem in problems:
        where, _, message = problem.partition(": ")
        name = where[len(own):] if own and where.startswith(own) else None
        if name is None and where.startswith("boxes[") and "." in where:
            name = where.rsplit(".", 1)[1]
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(problem)


def _section_index(data: dict, key: str) -> int:
    for i, s in enumerate(data["sections"]):
        if s["key"] == key:
            return i
    abort(404)


@bp.route("/templates")
@login_required
def index():
    require(current_user, "edit_template")
    cycle = latest_cycle()
    if cycle is None:
        flash("年度がまだありません。先に年度を開始してください。", "info")
        return redirect(url_for("editing.cycles"), 303)
    return redirect(url_for(".template", year=cycle.year), 303)


@bp.route("/cycles/<int:year>/template")
@login_required
def template(year: int):
    return _page(_cycle(year))


@bp.route("/cycles/<int:year>/template/boxes/<key>", methods=["POST"])
@login_required
def edit_box(year: int, key: str):
    cycle = _cycle(year)
    data = to_json(schema(cycle.year))
    index = next((i for i, b in enumerate(data["boxes"]) if b["key"] == key), None)
    if index is None:
        abort(404)
    name = f"box-{key}"
    form = BoxForm(prefix=name)
    if not form.validate():
        return _page(cycle, posted=(name, form), status=422)
    data["boxes"][index]["heading"] = form.heading.data.strip()
    return _apply(cycle, data, name, form, None, "枠の見出しは変わっていません。")


@bp.route("/cycles/<int:year>/template/sections/<key>", methods=["POST"])
@login_required
def edit_section(year: int, key: str):
    cycle = _cycle(year)
    template = schema(cycle.year)
    data = to_json(template)
    index = _section_index(data, key)
    name = f"sec-{key}"
    form = SectionForm(prefix=name)
    if not form.validate():
        return _page(cycle, posted=(name, form), status=422)
    section = data["sections"][index]
    section.update(heading=form.heading.data.strip(), label=form.label.data.strip(),
                   required=bool(form.required.data), limit=form.limit.data, rows=form.rows.data)
    # Optional sub-fields (e.g. a KPI field) on or off: a checkbox each, named by attribute and key.
    for attr, item in optional_fields(template[key]):
        wanted = request.form.get(f"{name}-on-{attr}-{item.key}") is not None
        for entry in section[attr]:
            if entry.get("key") == item.key:
                entry["enabled"] = wanted
    return _apply(cycle, data, name, form, index, "この欄は変わっていません。")


@bp.route("/cycles/<int:year>/template/sections/<key>/move", methods=["POST"])
@login_required
def move_section(year: int, key: str):
    cycle = _cycle(year)
    data = to_json(schema(cycle.year))
    index = _section_index(data, key)
    sections = data["sections"]
    box = sections[index]["box"]
    same_box = [i for i, s in enumerate(sections) if s["box"] == box]
    place = same_box.index(index)
    step = -1 if request.form.get("direction") == "up" else 1
    if not 0 <= place + step < len(same_box):
        flash("これ以上は動かせません。", "info")
        return redirect(url_for(".template", year=year, _anchor=f"sec-{key}"), 303)
    other = same_box[place + step]
    sections[index], sections[other] = sections[other], sections[index]
    return _apply(cycle, data, f"sec-{key}", SectionForm(formdata=None, prefix=f"sec-{key}",
                                                        **{f: sections[other][f] for f in SECTION_FIELDS}),
                  None, "順序は変わっていません。")


@bp.route("/cycles/<int:year>/template/boxes/<key>/sections", methods=["POST"])
@login_required
def add_section(year: int, key: str):
    cycle = _cycle(year)
    data = to_json(schema(cycle.year))
    if not any(b["key"] == key for b in data["boxes"]):
        abort(404)
    name = f"new-{key}"
    form = NewSectionForm(prefix=name)
    if not form.validate():
        return _page(cycle, posted=(name, form), status=422)
    last = max(i for i, s in enumerate(data["sections"]) if s["box"] == key)
    new_key = form.key.data.strip()
    data["sections"].insert(last + 1, {
        "key": new_key, "box": key, "kind": "text", "heading": form.heading.data.strip(),
        "limit": form.limit.data, "rows": form.rows.data})
    return _apply(cycle, data, name, form, last + 1, "欄は追加していません。")


@bp.route("/cycles/<int:year>/template/sections/<key>/remove", methods=["GET", "POST"])
@login_required
def remove_section(year: int, key: str):
    cycle = _cycle(year)
    template = schema(cycle.year)
    if key not in template or not template[key].is_text:
        abort(404)
    form = RemoveSectionForm()
    refused = None
    if request.method == "POST" and form.validate():
        data = to_json(template)
        data["sections"] = [s for s in data["sections"] if s["key"] != key]
        try:
            change = replace_template(current_user, cycle, from_json(data))
        except (TemplateError, TemplateRefused) as exc:
            db.session.rollback()
            refused = "\n".join(exc.problems) if isinstance(exc, TemplateError) else str(exc)
        else:
            db.session.commit()
            flash(change.message, "success")
            return redirect(url_for(".template", year=year), 303)
    status = 200 if request.method == "GET" else (409 if refused else 422)
    return render_template("templating/remove.html", cycle=cycle, schema=template, section=template[key],
                           year=year, form=form, refused=refused), status


@bp.route("/cycles/<int:year>/template/preview")
@login_required
def preview(year: int):
    """The year's first sheet printed with the year's template (the sheet PDF's own route)."""
    cycle = _cycle(year)
    sample = _sample(cycle)
    if sample is None:
        flash(f"{year}年度には個票がまだないため、見本を表示できません。", "warning")
        return redirect(url_for(".template", year=year), 303)
    return redirect(url_for("reports.sheet_pdf", sheet_id=sample.id), 303)
