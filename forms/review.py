"""Forms of the review area: workflow steps, comments, the dashboard's filters."""
from forms.base import BaseForm
from wtforms import (BooleanField, HiddenField, SelectField, SelectMultipleField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional

# Longest comment or reason accepted (the comment service enforces it too).
MAX_LENGTH = 4000


class StepForm(BaseForm):
    """Confirming a workflow step. `expected_state` is the state the user saw;
    `expected_version` (a submission) the content version the confirmation was shown for."""

    comment = TextAreaField("コメント", validators=[Length(max=MAX_LENGTH, message=f"{MAX_LENGTH}文字以内にしてください。")])
    expected_state = HiddenField(validators=[DataRequired()])
    expected_version = HiddenField()
    # A return's sections that must change; the operation checks the keys against the schema.
    sections = SelectMultipleField("修正が必要な欄", validate_choice=False)
    # A submission leaving such a section unchanged, confirmed.
    confirm_unchanged = BooleanField("要修正の欄を変更せずに提出する")
    submit = SubmitField("確定する")

    def require_comment(self, label: str) -> bool:
        """Comment-required steps: a Japanese message on the field when it is empty."""
        if (self.comment.data or "").strip():
            return True
        self.comment.errors = list(self.comment.errors) + [f"「{label}」の理由を入力してください。"]
        return False


class CommentForm(BaseForm):
    body = TextAreaField("コメント", validators=[
        DataRequired("コメントを入力してください。"),
        Length(max=MAX_LENGTH, message=f"{MAX_LENGTH}文字以内にしてください。")])
    section = HiddenField()
    parent_id = HiddenField()
    return_to = HiddenField()  # "editor": back to the sheet's editor, else the sheet page
    submit = SubmitField("コメントする")


class ResolveForm(BaseForm):
    resolved = HiddenField(validators=[DataRequired()])
    return_to = HiddenField()
    submit = SubmitField("更新")


class DashboardFilterForm(BaseForm):
    """GET filters; no CSRF (reading only)."""

    class Meta:
        csrf = False

    state = SelectField("状態", validators=[Optional()])
    org = SelectField("幹事組織", validators=[Optional()])
