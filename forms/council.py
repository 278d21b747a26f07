"""Forms of the council structure pages: organisations and projects (admins).

The pages are drawn by their own templates; these forms read what is posted,
refuse control characters and ids out of range (forms/base.py), and hand the
rest to webapp/council/operations.py, which checks the rules. Their labels
are written here once: the templates and the audit trail (which names a
changed field as its form does) read them from these classes.
"""
from __future__ import annotations

from wtforms import StringField

from forms import form_labels
from forms.base import BaseForm, IdField

LEAD_SLOTS, CO_SLOTS = 3, 6
LEAD_LABEL, CO_LABEL = "幹事", "共同幹事"
# Labels of the organisation selects, numbered from 1 (the template reads them too).
LEAD_SLOT_LABEL, CO_SLOT_LABEL = LEAD_LABEL + " {}", CO_LABEL + " {}"


class OrganisationForm(BaseForm):
    name = StringField("組織名")
    kind = StringField("種類")
    active = StringField("有効")


def _project_form_class() -> type:
    fields = {
        "number": StringField("番号"),
        "title": StringField("プロジェクト名"),
        "lead_label": StringField("印刷する幹事の表記"),
        "active": StringField("実施中"),
        "confirm_renumber": StringField("番号の変更の確認"),
    }
    fields.update({f"lead_{i}": IdField(LEAD_SLOT_LABEL.format(i + 1)) for i in range(LEAD_SLOTS)})
    fields.update({f"co_{i}": IdField(CO_SLOT_LABEL.format(i + 1)) for i in range(CO_SLOTS)})
    return type("ProjectForm", (BaseForm,), fields)


ProjectForm = _project_form_class()

ORGANISATION_LABELS = form_labels(OrganisationForm)
# The operations record lead and co-organisations as two lists, not per select.
PROJECT_LABELS = {**{name: label for name, label in form_labels(ProjectForm).items()
                     if name in ("number", "title", "lead_label", "active")},
                  "lead": LEAD_LABEL, "co": CO_LABEL}
