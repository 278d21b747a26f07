from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo


class LoginForm(FlaskForm):
    email = EmailField("メールアドレス", validators=[DataRequired("メールアドレスを入力してください。")])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください。")])
    remember = BooleanField("ログインしたままにする")
    submit = SubmitField("ログイン")


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField("現在のパスワード",
                                 validators=[DataRequired("現在のパスワードを入力してください。")])
    new_password = PasswordField("新しいパスワード",
                                 validators=[DataRequired("新しいパスワードを入力してください。")])
    confirm = PasswordField("新しいパスワード（確認）", validators=[
        DataRequired("確認のため新しいパスワードをもう一度入力してください。"),
        EqualTo("new_password", "確認用のパスワードが一致しません。")])
    submit = SubmitField("変更する")
