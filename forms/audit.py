"""The audit page's filters (GET, reading only)."""
from __future__ import annotations

from forms.base import BaseForm
from wtforms import SelectField
from wtforms.validators import Optional

from forms.cycle import JpDateField


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    # Choices are checked below, so that a wrong value is told in Japanese.
    sheet = SelectField("個票", validators=[Optional()], default="", validate_choice=False)
    user = SelectField("操作者", validators=[Optional()], default="", validate_choice=False)
    date_from = JpDateField("開始日", validators=[Optional()])
    date_to = JpDateField("終了日", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in (self.sheet, self.user):
            if field.data and field.data not in {value for value, _ in field.choices}:
                field.errors = list(field.errors) + [f"{field.label.text}の指定が正しくありません。"]
                ok = False
        if ok and self.date_from.data and self.date_to.data and self.date_from.data > self.date_to.data:
            self.date_to.errors = list(self.date_to.errors) + ["終了日は開始日以降の日付にしてください。"]
            return False
        return ok
