"""flask publish-site --year Y --out DIR: the web edition and open data of year Y."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli import _fail


@click.command("publish-site")
@click.option("--year", type=int, required=True, help="報告年度（例: 2023）")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="書き出すフォルダ")
@with_appcontext
def publish_site_cmd(year, out):
    """Write year Y's approved sheets as a static web site with open data into DIR."""
    from webapp.publishing.site import PublishError, publish_site
    try:
        written = publish_site(year, out)
    except PublishError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out} に書き出せません（{exc.strerror or exc}）。")
    click.echo(f"{year}年度のWeb版を書き出しました: {written.folder}（ページ {len(written.pages)} 件、"
               f"ファイル {len(written.files)} 件）")
