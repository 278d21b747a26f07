"""Command-line commands (flask --app webapp ...). Each exits non-zero with a clear message."""
from __future__ import annotations

import functools
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from webapp import exactjson
from webapp.files import write_atomic
from webapp.roles import ROLES
from webapp.extensions import db


def _fail(lines) -> None:
    for line in ([lines] if isinstance(lines, str) else lines):
        click.echo(f"エラー: {line}", err=True)
    sys.exit(1)


def _write_json(file: str, data) -> bool:
    """`data` as JSON (exact figures) to `file`, or to standard output for "-"; True when
    written to a file (the caller then says so), exits with a message when it cannot be."""
    text = exactjson.dumps(data, indent=2) + "\n"
    if file == "-":
        click.echo(text, nl=False)
        return False
    try:
        write_atomic(file, text)
    except OSError as exc:
        _fail(f"{file}: 書き込めません（{exc.strerror}）")
    return True


@click.command("import-report")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def import_report_cmd(file):
    """Load organisations, projects and one year's approved sheets from FILE.json."""
    from webapp.report_io import ReportFileError, import_report, load_report_file
    try:
        data = load_report_file(file)
        summary = import_report(data)
        db.session.commit()
    except ReportFileError as exc:
        db.session.rollback()
        _fail(["取込を中止しました。データベースは変更していません。"] + exc.errors)
    if summary.changed:
        click.echo(f"{summary.year}年度を取り込みました: 新規 {len(summary.created)} 件、"
                   f"更新 {len(summary.updated)} 件、変更なし {summary.unchanged} 件")
    else:
        click.echo(f"{summary.year}年度: 変更はありません（{summary.unchanged} 件は取込済みと同じ内容）")


@click.command("export-report")
@click.option("--year", type=int, required=True, help="報告年度（例: 2023）")
@click.option("--approved-only", is_flag=True, help="承認済の個票だけを書き出す")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_report_cmd(year, approved_only, file):
    """Write year Y's sheets to FILE.json in the import format."""
    from webapp.report_io.exporter import ExportError, export_report
    try:
        data = export_report(year, approved_only=approved_only)
    except ExportError as exc:
        _fail(str(exc))
    if _write_json(file, data):
        click.echo(f"{year}年度の個票 {len(data['projects'])} 件を {file} に書き出しました")


@click.command("create-user")
@click.option("--email", required=True, help="ログインに使うメールアドレス")
@click.option("--name", "display_name", default="", help="表示名")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--organisation", "--org", "organisation", default=None, help="所属組織名（幹事担当者は必須）")
@click.option("--password", default=None, help="省略すると入力を求めます")
@with_appcontext
def create_user_cmd(email, display_name, role, organisation, password):
    """Create a user with an organisation and a role."""
    from webapp.accounts import AccountError, create_user, find_organisation
    from webapp.report_io.system_user import system_user
    if password is None:
        if not sys.stdin.isatty():
            _fail("--password を指定してください（端末でない場合）")
        password = click.prompt("パスワード", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(system_user(), email, display_name, role, password,
                           find_organisation(organisation))
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"作成しました: {user.email}（{user.role_label}）")


@click.command("seed-demo")
@click.option("--file", "file", default=None, help="既定: 同梱の FY2023 報告書データ")
@with_appcontext
def seed_demo_cmd(file):
    """Import the FY2023 report and create demo accounts (prints their passwords once)."""
    from webapp.demo import seed_demo
    from webapp.report_io import ReportFileError
    try:
        lines = seed_demo(file)
    except ReportFileError as exc:
        db.session.rollback()
        _fail(exc.errors)
    for line in lines:
        click.echo(line)


@click.command("rq-worker")
@click.option("--queue", "only", type=click.Choice(["fit", "report"]), default=None,
              help="このキューだけを処理する（fit: 収まり確認、report: 報告書作成）。省略時は両方（報告書を先に）")
@click.option("--burst", is_flag=True, help="キューが空になったら終了する")
@click.option("--nice", type=click.IntRange(0, 19), default=0, show_default=True,
              help="CPU の優先度を下げる（0〜19）。Web サーバーと同じ機械では 10 程度を推奨")
@with_appcontext
def rq_worker_cmd(only, burst, nice):
    """Run an RQ worker for background jobs (report builds first, then fit checks); needs REDIS_URL."""
    from flask import current_app
    from rq import SimpleWorker, Worker

    from webapp import jobs, priority
    if not current_app.config.get("REDIS_URL"):
        _fail("REDIS_URL が設定されていません（例: REDIS_URL=redis://127.0.0.1:6379/0）")
    for step in priority.lower(nice):
        click.echo(f"優先度を下げました: {step}", err=True)
    app = current_app._get_current_object()
    # Loaded here once (the app, WeasyPrint, fonts, stylesheets): a job in a forked
    # child inherits it, a job run in this process reuses it; none pays for it again.
    jobs.use_worker_app(app)
    from webapp.editing import fit
    fit.warm()
    queues = jobs.rq_queues(app, only)
    # Fit checks are short and gain most from a warm process (loaded fonts, parsed
    # stylesheets, printing's hints, open connections): a fit-only worker runs them in
    # itself. Builds are long and memory-hungry: they get a forked child each.
    worker_class = SimpleWorker if only == "fit" else Worker
    worker_class(queues, connection=queues[0].connection).work(burst=burst)


@click.command("prune")
@click.option("--grace-hours", type=click.FloatRange(min=0), default=24, show_default=True,
              help="これより新しいファイルは消さない（時間）")
@with_appcontext
def prune_cmd(grace_hours):
    """Remove uploads no figure references and print-cache entries no current sheet uses."""
    from webapp.housekeeping import prune
    result = prune(grace_hours)
    for path in result.uploads:
        click.echo(f"削除（どの図表も使っていない画像）: {path}")
    for path in result.cache:
        click.echo(f"削除（今の個票が使っていない印刷キャッシュ）: {path}")
    click.echo(f"画像 {len(result.uploads)} 件、印刷キャッシュ {len(result.cache)} 件を削除しました"
               f"（{grace_hours:g} 時間以内に作られたものは残しています）。")


@click.command("storage-migrate")
@click.option("--to", "to", type=click.Choice(["s3", "local"]), required=True,
              help="コピー先（s3: S3_BUCKET のバケット、local: UPLOAD_FOLDER などのフォルダ）")
@with_appcontext
def storage_migrate_cmd(to):
    """Copy uploads, builds and the print cache between the local folders and the bucket."""
    from webapp import storage
    try:
        bucket = storage.s3_store(current_app.config)
        storage.check_bucket(bucket)
    except storage.StorageError as exc:
        _fail([str(exc)])
    local = storage.local_store(current_app.config)
    source, target = (local, bucket) if to == "s3" else (bucket, local)

    def show(done, total, area, name, copied):
        what = "コピーしました（SHA-256 確認済み）" if copied else "コピー済み（SHA-256 一致）"
        click.echo(f"[{done}/{total}] {area}/{name}: {what}")
    try:
        result = storage.migrate(source, target, show)
    except storage.StorageError as exc:
        _fail([str(exc)])
    click.echo(f"{result.copied} 件をコピーし、{result.present} 件は既にありました"
               f"（コピー先: {'バケット ' + bucket.bucket if to == 's3' else 'ローカルのフォルダ'}）。")


def _guard_database_errors(command: click.Command) -> click.Command:
    """A missing or unmigrated database gets a sentence, not a traceback."""
    if getattr(command, "guarded", False):
        # The command objects are shared by every app: wrapping them again at each
        # create_app() nests the callback once per app (RecursionError in a long test run).
        return command
    command.guarded = True
    callback = command.callback

    @functools.wraps(callback)
    def guarded(*args, **kwargs):
        from sqlalchemy.exc import OperationalError, ProgrammingError
        try:
            return callback(*args, **kwargs)
        except (OperationalError, ProgrammingError) as exc:
            db.session.rollback()
            _fail(["データベースに接続できないか、まだ初期化されていません。"
                   "`flask --app webapp db upgrade` を実行してから、もう一度お試しください。",
                   f"（詳細: {str(exc.orig).splitlines()[0] if exc.orig else exc}）"])
    command.callback = guarded
    return command


@click.command("export-template")
@click.option("--year", type=int, required=True, help="年度（例: 2024）")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_template_cmd(year, file):
    """Write year Y's sheet template to FILE.json (the format import-template reads)."""
    from webapp.cycles import get_cycle
    from webapp.sheet_templates import export_template
    cycle = get_cycle(year)
    if cycle is None:
        _fail(f"{year}年度はまだ開始されていません。")
    data = export_template(cycle)
    if _write_json(file, data):
        click.echo(f"{year}年度の個票の様式（第{data['version']}版）を {file} に書き出しました")


@click.command("import-template")
@click.option("--year", type=int, required=True, help="年度（例: 2024）")
@click.option("--by", "email", required=True, help="変更する利用者のメールアドレス（事務局・管理者）")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def import_template_cmd(year, email, file):
    """Make FILE.json year Y's sheet template, as EMAIL; all or nothing, non-zero when refused."""
    import json

    from sqlalchemy import select

    from webapp.cycles import get_cycle
    from webapp.models import User
    from webapp.sheet_templates import TemplateRefused, replace_template
    from webapp.template_json import TemplateError, from_json
    stop = "様式は変更していません。"
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        _fail(f"利用者 {email} が見つからないか、無効です。{stop}")
    cycle = get_cycle(year)
    if cycle is None:
        _fail(f"{year}年度はまだ開始されていません。{stop}")
    try:
        with open(file, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        _fail(f"{file}: 読めません（{exc.strerror}）。{stop}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"{file}: JSON として読めません（{exc}）。{stop}")
    try:
        change = replace_template(user, cycle, from_json(data))
        db.session.commit()
    except TemplateError as exc:
        db.session.rollback()
        _fail([f"{file} の様式に問題があります。{stop}"] + exc.problems)
    except TemplateRefused as exc:
        db.session.rollback()
        _fail(f"{exc}{stop}")
    click.echo(change.message)


def register(app: Flask) -> None:
    from webapp import features
    for command in (import_report_cmd, export_report_cmd, create_user_cmd, seed_demo_cmd,
                    rq_worker_cmd, prune_cmd, storage_migrate_cmd, export_template_cmd,
                    import_template_cmd, *features.commands()):
        app.cli.add_command(_guard_database_errors(command))
