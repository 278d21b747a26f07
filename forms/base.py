"""The base of the app's forms: no control characters in text, ids in range, messages in Japanese.

PostgreSQL refuses a NUL in text and an integer past 2**31 - 1 with a driver
error (a 500), and control characters have no business in a name or an
address. Every form built on `BaseForm` refuses them with a message naming
the field, before a view or an operation sees the value:

- single-line text (names, addresses, codes, passwords): no control character;
- multi-line text (TextAreaField): none either, except tab and line ends;
- ids (`IdField`, `IdSelectField`): ASCII digits within the database's
  integer range (webapp/ids.py), else 「…の指定が正しくありません。」.

WTForms' own messages (a choice not offered, a required field) are given
in Japanese from WTForms' translations.
"""
from __future__ import annotations

import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.i18n import get_translations

from webapp.ids import parse_id

# C0 controls, DEL and C1 controls; multi-line text keeps tab, LF and CR (browsers send CR LF).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _label(field: Field) -> str:
    return field.label.text if field.label and field.label.text else "入力"


def control_character_problem(field: Field, value) -> str | None:
    """The message for a text value holding control characters, else None."""
    if not isinstance(value, str):
        return None
    pattern = _CONTROL_MULTILINE if isinstance(field, TextAreaField) else _CONTROL
    if pattern.search(value):
        return f"{_label(field)}に使用できない文字（制御文字）が含まれています。"
    return None


def _id_or_error(field: Field, raw) -> int | None:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    value = parse_id(text)
    if value is None or value < 1:
        raise ValueError(f"{_label(field)}の指定が正しくありません。画面を開き直してください。")
    return value


class IdField(StringField):
    """A database id typed or posted as text (hidden inputs, selects built in the template)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            self.data = _id_or_error(self, valuelist[0])

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class JpIntegerField(IntegerField):
    """Digits, full-width ones too (and `suffix`, e.g. 「年度」, left off); a message in
    Japanese naming the field otherwise."""

    suffix = ""

    def message(self, typed: str) -> str:
        return f"{self.label.text}は数字で入力してください（\"{typed[:20]}\"）。"

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = unicodedata.normalize("NFKC", valuelist[0] or "").strip()
        if self.suffix:
            text = text.removesuffix(self.suffix)
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(self.message(valuelist[0]))


class IdSelectField(SelectField):
    """A select of database ids; "0" or an empty value means none (data 0, the "（なし）" choice)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", lambda value: value)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = 0
        if valuelist and valuelist[0] not in ("", "0"):
            self.data = _id_or_error(self, valuelist[0])

    def pre_validate(self, form):
        offered = {parse_id(value) for value, *_ in self.choices or ()}
        if self.data and self.data not in offered:
            raise ValueError(f"{_label(self)}の指定が正しくありません。画面を開き直してください。")


class BaseForm(FlaskForm):
    """Every form of the app (the sheet editor's cleans its text itself, see forms/sheet.py)."""

    class Meta:
        # WTForms' own catalogue; Flask-WTF's needs Flask-Babel, which the app does not use.
        locales = ("ja",)

        def get_translations(self, form):
            return get_translations(self.locales)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            for value in (field.raw_data or ()) if isinstance(field, StringField) else ():
                problem = control_character_problem(field, value)
                if problem:
                    field.errors = [*field.errors, problem]
                    ok = False
                    break
        return ok

    def error_messages(self) -> list[str]:
        """Every field's messages, in form order (for a flash or a page's list)."""
        return [message for field in self for message in field.errors]
