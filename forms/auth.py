from forms.base import BaseForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length


class LoginForm(BaseForm):
    email = EmailField("メールアドレス", validators=[DataRequired("メールアドレスを入力してください。")])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください。")])
    remember = BooleanField("ログインしたままにする")
    submit = SubmitField("ログイン")


class ChangePasswordForm(BaseForm):
    old_password = PasswordField("現在のパスワード",
                                 validators=[DataRequired("現在のパスワードを入力してください。")])
    # InputRequired, not DataRequired: spaces only must reach the password rules and their message.
    new_password = PasswordField("新しいパスワード",
                                 validators=[InputRequired("新しいパスワードを入力してください。")])
    confirm = PasswordField("新しいパスワード（確認）", validators=[
        InputRequired("確認のため新しいパスワードをもう一度入力してください。"),
        EqualTo("new_password", "確認用のパスワードが一致しません。")])
    submit = SubmitField("変更する")


class SecondFactorForm(BaseForm):
    code = StringField("確認コード（6桁）または回復コード",
                       validators=[DataRequired("確認コードを入力してください。"),
                                   Length(max=32, message="確認コードが長すぎます。")])
    submit = SubmitField("確認")


class EnrolForm(BaseForm):
    code = StringField("認証アプリに表示された6桁のコード",
                       validators=[DataRequired("確認コードを入力してください。"),
                                   Length(max=32, message="確認コードが長すぎます。")])
    submit = SubmitField("登録する")


class DisableSecondFactorForm(BaseForm):
    password = PasswordField("現在のパスワード",
                             validators=[DataRequired("現在のパスワードを入力してください。")])
    submit = SubmitField("2段階認証を解除する")


class ReauthForm(BaseForm):
    """The step-up page: the password again, and the code when the user has a second factor."""
    password = PasswordField("現在のパスワード",
                             validators=[DataRequired("現在のパスワードを入力してください。")])
    code = StringField("確認コード（6桁）または回復コード",
                       validators=[Length(max=32, message="確認コードが長すぎます。")])
    submit = SubmitField("確認する")


class ConfirmForm(BaseForm):
    """A button that only needs the CSRF token (log out everywhere, reset a second factor)."""
    submit = SubmitField("実行")


class ApiTokenForm(BaseForm):
    name = StringField("トークンの名前（用途）",
                       validators=[DataRequired("トークンの名前を入力してください（例：集計用スクリプト）。"),
                                   Length(max=100, message="トークンの名前は100文字以内にしてください。")])
    submit = SubmitField("トークンを発行する")
