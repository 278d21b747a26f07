from forms.base import BaseForm, IdSelectField
from wtforms import (BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField,
                     SubmitField)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from webapp.roles import ROLES

ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLES.items()]


class UserForm(BaseForm):
    email = EmailField("メールアドレス（ログインID）", validators=[
        DataRequired("メールアドレスを入力してください。"),
        Length(max=254, message="254文字以内にしてください。"),
        # A shape check only (WTForms' Email() needs the email_validator package, not installed).
        Regexp(r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$", message="メールアドレスの形式が正しくありません。")])
    display_name = StringField("表示名", validators=[
        DataRequired("表示名を入力してください。"), Length(max=100, message="100文字以内にしてください。")])
    role = SelectField("役割", choices=ROLE_CHOICES)
    organisation_id = IdSelectField("所属組織", validators=[Optional()])
    active = BooleanField("有効（ログインできる）", default=True)
    password = PasswordField("パスワード", description="新規作成時は必須。変更時は空欄のままなら変更しません。")
    submit = SubmitField("保存")
