"""Forms of 「個票の様式」: a box's heading, a section's wording and limits, a new section.

They read what a person typed; whether the template then holds together
(unique keys, placeholders, limits) is webapp.template_json's to say, and
its messages are shown beside these fields.
"""
from __future__ import annotations

from forms.base import BaseForm, JpIntegerField
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, InputRequired, Length


HEADING_HELP = "{Y} は年度（２０２４）、{Y1} は翌年度に置き換えて印刷されます。"


class BoxForm(BaseForm):
    heading = StringField("枠の見出し", validators=[Length(max=200)], description=HEADING_HELP)


class SectionForm(BaseForm):
    heading = StringField("小見出し", validators=[Length(max=200)], description=HEADING_HELP)
    label = StringField("入力画面での名前（空欄なら小見出し）", validators=[Length(max=200)])
    required = BooleanField("提出に必須")
    limit = JpIntegerField("上限（文字数・件数）", validators=[InputRequired("上限を入力してください。")])
    rows = JpIntegerField("入力欄の行数", validators=[InputRequired("入力欄の行数を入力してください。")])


class NewSectionForm(BaseForm):
    key = StringField("キー（半角英小文字・数字・_）", validators=[
        InputRequired("キーを入力してください。"), Length(max=40)],
        description="保存や書き出しでこの欄を指す名前です（例: results_digital）。後から変えられません。")
    heading = StringField("小見出し", validators=[InputRequired("小見出しを入力してください。"),
                                               Length(max=200)], description=HEADING_HELP)
    rows = JpIntegerField("入力欄の行数", default=4,
                          validators=[InputRequired("入力欄の行数を入力してください。")])
    limit = JpIntegerField("上限（文字数）", default=1000,
                           validators=[InputRequired("上限を入力してください。")])


class RemoveSectionForm(BaseForm):
    confirm = BooleanField("この欄を様式から削除することを確認しました",
                           validators=[DataRequired("確認のチェックを入れてください。")])
