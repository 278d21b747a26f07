"""Report builds: request (reusing an identical one), run in the background, record."""
from __future__ import annotations

import hashlib
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp import expensive, jobs, storage
from webapp.extensions import db
from webapp.models import ReportBuild, ReportingCycle, User
from webapp.pagination import Pagination, paginate
from webapp.reports import inputs, printer
from webapp.timeutil import utcnow

log = logging.getLogger(__name__)


class BuildError(Exception):
    pass


def stored(name: str | None) -> bool:
    """The build file ``name`` is in the store (reports area)."""
    return bool(name) and storage.store().exists("reports", name)


def download_name(build: ReportBuild, archive: bool = False) -> str:
    """What the browser saves: a draft says 確認用 in its name, so that it is
    never taken for the final report."""
    if build.draft:
        return f"【確認用】九州地域戦略会議_{build.cycle.year}年度_報告書_確認用.pdf"
    suffix = "_保存用PDF-A" if archive else ""
    return f"九州地域戦略会議_{build.cycle.year}年度_報告書{suffix}.pdf"


def reusable(cycle: ReportingCycle, key: str, draft: bool = False) -> ReportBuild | None:
    """A finished build of exactly this content whose file is still there, or one under way."""
    candidates = db.session.scalars(
        select(ReportBuild).where(ReportBuild.cycle_id == cycle.id, ReportBuild.content_key == key,
                                  ReportBuild.draft == draft,
                                  ReportBuild.status.in_(("done", "queued", "running")))
        .order_by(ReportBuild.id.desc())).all()
    for build in candidates:
        if build.status != "done" or (
                stored(build.file_name) and (draft or stored(build.archive_file_name))):
            return build
    return None


def request_build(cycle: ReportingCycle, user: User | None,
                  draft: bool = False) -> tuple[ReportBuild, bool]:
    """(build, reused). Nothing changed since the last build: the stored one, at once.
    Raises expensive.TooBusy when `user` has too many expensive jobs under way.

    ``draft``: the 確認用 report, with the sheets not approved yet."""
    collected = inputs.collect(cycle, draft=draft)
    if not collected.sheets:
        raise BuildError(f"{cycle.year}年度には個票がありません。" if draft
                         else f"{cycle.year}年度には承認済の個票がありません。")
    existing = reusable(cycle, collected.key, draft)
    if existing is not None:
        return existing, True
    build = ReportBuild(cycle_id=cycle.id, requested_by_id=user.id if user else None,
                        content_key=collected.key, sheet_versions=collected.versions,
                        progress_total=len(collected.sheets), status="queued", draft=draft)
    db.session.add(build)
    db.session.flush()
    if user is not None:
        # A person's build counts towards their expensive jobs (TooBusy: nothing is kept).
        expensive.take(user, expensive.BUILD, build.id)
    db.session.commit()
    jobs.enqueue("webapp.reports.builds.run_build", build.id, queue=jobs.REPORT)
    return build, False


def _progress(build_id: int):
    def report(done: int, total: int, label: str = "") -> None:
        if done >= total:
            # The sheets are ready; putting them into one PDF takes a while longer.
            label = f"{total}件の個票を組み終えました。1冊のPDFにまとめています"
        db.session.query(ReportBuild).filter_by(id=build_id).update(
            {"progress_done": done, "progress_total": total, "progress_label": label[:300]})
        db.session.commit()
    return report


def _offer_published(build_id: int, name: str, pdf: bytes) -> None:
    """The published PDF is written: it can be downloaded while the archival copy is made."""
    db.session.query(ReportBuild).filter_by(id=build_id).update(
        {"file_name": name, "size_bytes": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest(),
         "progress_label": "公表用PDFができました。保存用PDF（PDF/A）を作成しています"})
    db.session.commit()


def published_ready(build: ReportBuild) -> bool:
    """The published (or 確認用) PDF can be downloaded: written, and the build not failed."""
    return build.status in ("running", "done") and stored(build.file_name)


def run_build(build_id: int) -> None:
    """The background job. Its progress and outcome live in the database row."""
    build = db.session.get(ReportBuild, build_id)
    if build is None or build.status not in ("queued", "running"):
        return
    build.status = "running"
    db.session.commit()
    try:
        collected = inputs.collect(build.cycle, draft=build.draft)
        store = storage.store()
        archive_name = None
        published = {}      # the published PDF, once written and offered
        if build.draft:
            # the draft is for checking on screen: the fast print, untagged
            pdf = printer.report_pdf(collected.meta, build.cycle.year, collected.sheets,
                                     progress=_progress(build_id), variant=None,
                                     marks=collected.marks)
            name = f"report-{build.cycle.year}-{build.id}-draft.pdf"
        else:
            name = f"report-{build.cycle.year}-{build.id}.pdf"
            archive_name = f"report-{build.cycle.year}-{build.id}-pdfa.pdf"

            def offer(variant: str, data: bytes) -> None:
                if variant == "pdf/ua-1":
                    published["pdf"] = data
                    store.put("reports", name, published["pdf"])
                    _offer_published(build_id, name, published["pdf"])

            pdfs = printer.report_pdfs(collected.meta, build.cycle.year, collected.sheets,
                                       progress=_progress(build_id), written=offer)
            pdf = published.get("pdf") or pdfs["pdf/ua-1"]
            store.put("reports", archive_name, pdfs["pdf/a-2b"])
        if "pdf" not in published:
            store.put("reports", name, pdf)
        build = db.session.get(ReportBuild, build_id)
        build.file_name, build.size_bytes = name, len(pdf)
        build.archive_file_name = archive_name
        build.sha256 = hashlib.sha256(pdf).hexdigest()
        # The sheets may have changed while printing; record what was printed.
        build.content_key, build.sheet_versions = collected.key, collected.versions
        build.progress_done = build.progress_total = len(collected.sheets)
        build.status, build.finished_at = "done", utcnow()
        expensive.finish(expensive.BUILD, build_id)
        db.session.commit()
    except Exception as exc:  # recorded for the user; the details go to the log
        log.exception("report build %s failed", build_id)
        db.session.rollback()
        build = db.session.get(ReportBuild, build_id)
        build.status, build.finished_at = "failed", utcnow()
        build.error = _user_message(exc)
        expensive.finish(expensive.BUILD, build_id)
        db.session.commit()


def _user_message(exc: Exception) -> str:
    from webapp.printing.errors import PrintingError
    if isinstance(exc, PrintingError):
        return f"印刷できませんでした: {exc}"
    return "報告書の作成中にエラーが発生しました。管理者にお問い合わせください。"


BUILDS_PER_PAGE = 20   # each lists its sheets' versions: 500 of them in a 500-sheet year


def builds_for(cycle: ReportingCycle, requested_page=None) -> tuple[list[ReportBuild], Pagination]:
    """A page of the cycle's builds, newest first, with who asked for each."""
    where = ReportBuild.cycle_id == cycle.id
    pager = paginate(db.session.scalar(select(func.count()).select_from(ReportBuild).where(where)),
                     requested_page, per_page=BUILDS_PER_PAGE)
    rows = db.session.scalars(select(ReportBuild).where(where).order_by(ReportBuild.id.desc())
                              .options(selectinload(ReportBuild.requested_by))
                              .limit(pager.per_page).offset(pager.offset)).all()
    return rows, pager
