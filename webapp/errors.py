"""Japanese error pages; never a stack trace to a user."""
from __future__ import annotations

from flask import Flask, Response, has_request_context, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.api import is_api_path

MESSAGES = {
    400: ("リクエストが正しくありません", "入力内容を確認して、もう一度お試しください。"),
    403: ("この操作は許可されていません", "この画面を開く権限がありません。必要な場合は事務局にお問い合わせください。"),
    404: ("ページが見つかりません", "お探しのページは存在しないか、閲覧する権限がありません。"),
    405: ("この操作はできません", "画面を開き直してからお試しください。"),
    413: ("ファイルが大きすぎます", "アップロードできるファイルの大きさを超えています。"),
    429: ("しばらくお待ちください", "短時間に多くの操作がありました。しばらくしてからお試しください。"),
    500: ("システムエラーが発生しました", "ご迷惑をおかけしています。時間をおいてもう一度お試しください。続く場合は事務局にご連絡ください。"),
}


def _page(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if has_request_context() and is_api_path(request.path):
        # The read API answers JSON only, with the same Japanese words.
        from webapp.api.views import error
        return error(code, detail or f"{title}。{text}")
    if has_request_context() and request_ctx.url_adapter is None:
        # A Host the app does not answer to (TRUSTED_HOSTS): no link can be built for it.
        return Response(f"{title}\n{detail or text}\n", code, mimetype="text/plain")
    return render_template("errors/error.html", code=code, title=title,
                           text=detail or text), code


def error_page(code: int, detail: str):
    """The error page of `code` with a message of its own (e.g. what is under way)."""
    return _page(code, detail)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, "画面の有効期限が切れたか、送信内容を確認できませんでした。"
                          "画面を開き直してからもう一度お試しください。")

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return _page(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s", request.path)
        try:
            from webapp.extensions import db
            db.session.rollback()
        except Exception:  # the error page must render even if the database is gone
            pass
        return _page(500)
