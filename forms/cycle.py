"""Forms of the cycle management page: open a year, change its deadline, close it."""
from __future__ import annotations

import datetime as dt
import unicodedata

from forms.base import BaseForm, JpIntegerField
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.sheet_schema import YEAR_RANGE


class YearField(JpIntegerField):
    """A year as 「2024」 or 「２０２４年度」."""

    suffix = "年度"

    def message(self, typed: str) -> str:
        return f"年度は西暦の数字で入力してください（\"{typed[:20]}\"）。"


class JpDateField(DateField):
    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        text = unicodedata.normalize("NFKC", valuelist[0]).strip().replace("/", "-")
        try:
            self.data = dt.date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text}は 2025-03-31 の形式（年-月-日）で入力してください。")


class OpenCycleForm(BaseForm):
    year = YearField("報告年度（西暦）", validators=[
        InputRequired("報告年度を入力してください。"),
        NumberRange(*YEAR_RANGE, message=f"報告年度は {YEAR_RANGE[0]}～{YEAR_RANGE[1]} の西暦で入力してください。")],
        description="その年度の活動実績を報告する個票を作ります（例: 2024）。")
    deadline = JpDateField("提出期限", validators=[Optional()],
                           description="幹事の画面に期限と残り日数が表示されます。")
    report_title = StringField("報告書の表題", validators=[
        Optional(), Length(max=300, message="報告書の表題は300文字以内にしてください。")],
        description="空欄なら前年度の表題の年度を置き換えて使います。")


class DeadlineForm(BaseForm):
    deadline = JpDateField("提出期限", validators=[Optional()])


class CloseCycleForm(BaseForm):
    confirm = BooleanField("締め切ると、幹事は個票を編集・提出できなくなることを確認しました",
                           validators=[DataRequired("確認のチェックを入れてください。")])
