"""Comments on a sheet: per section or on the whole sheet, threaded, open or resolved.

A thread is a top-level comment and its replies (one level: a reply to a
reply joins the same thread). Threads are resolved and re-opened as a
whole. Reviewers and the lead organisation's coordinators write; everyone
who may read the sheet reads.

add_comment (a new thread or a reply) and set_resolved are the comment
operations: each writes one audit row and flushes; the caller commits
(the rule of webapp.operations).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.review import MAX_LENGTH
from webapp import audit
from webapp.extensions import db
from webapp.models import Comment, Sheet, User
from webapp.permissions import can, refusal
from webapp.sheet_schema import schema
from webapp.timeutil import utcnow



class CommentError(Exception):
    """Refused; the message is shown to the user as is."""


@dataclass
class Thread:
    root: Comment
    replies: list[Comment] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.root.resolved


def clean_body(body: str | None) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise CommentError("コメントを入力してください。")
    if len(body) > MAX_LENGTH:
        raise CommentError(f"コメントは{MAX_LENGTH}文字以内にしてください（現在{len(body)}文字）。")
    if "\x00" in body:
        raise CommentError("使用できない文字が含まれています。")
    return body


def add_comment(user: User, sheet: Sheet, body: str, section: str | None = None,
                parent: Comment | None = None) -> Comment:
    found = refusal(user, "comment", sheet)
    if found is not None:
        raise CommentError(found.message)
    body = clean_body(body)
    if parent is not None:
        if parent.sheet_id != sheet.id:
            raise CommentError("返信先のコメントが見つかりません。")
        while parent.parent_id is not None:  # replies join the thread of the root
            parent = db.session.get(Comment, parent.parent_id)
        section = parent.section
    elif section is not None and section not in schema(sheet.cycle.year):
        raise CommentError("コメントする欄が正しくありません。")
    comment = Comment(sheet_id=sheet.id, section=section, parent_id=parent.id if parent else None,
                      author_id=user.id, body=body, created_at=utcnow())
    db.session.add(comment)
    changes = {"body": (None, body), "section": (None, section)}
    if parent is not None and parent.resolved:
        _set(parent, user, False)  # a new reply re-opens the thread
        changes["thread_resolved"] = (True, False)
    db.session.flush()
    where = label(sheet, section)
    audit.record(user, "comment_reply" if parent is not None else "comment_add", "comment",
                 comment.id, f"個票{sheet.project.number}（{sheet.cycle.year}年度）『{where}』へ"
                 + ("返信" if parent is not None else "コメント"), changes)
    return comment


def set_resolved(user: User, comment: Comment, resolved: bool) -> Comment:
    sheet = db.session.get(Sheet, comment.sheet_id)
    if not can(user, "comment", sheet):
        raise CommentError("このコメントを変更する権限がありません。")
    if comment.parent_id is not None:
        raise CommentError("解決済みにできるのはスレッドの最初のコメントです。")
    before = comment.resolved
    _set(comment, user, resolved)
    db.session.flush()
    audit.record(user, "comment_resolve" if resolved else "comment_reopen", "comment", comment.id,
                 f"個票{sheet.project.number}（{sheet.cycle.year}年度）のコメントを"
                 + ("解決済みにしました" if resolved else "未解決に戻しました"), {"resolved": (before, resolved)})
    return comment


def _set(comment: Comment, user: User, resolved: bool) -> None:
    comment.resolved = resolved
    comment.resolved_at = utcnow() if resolved else None
    comment.resolved_by_id = user.id if resolved else None


def threads_by_section(sheet: Sheet) -> dict[str | None, list[Thread]]:
    """section key (None: whole sheet) -> threads, open ones first, oldest first.

    Loaded once per request and sheet, since a page asks for every section.
    """
    cache = g.setdefault("_review_threads", {})
    if sheet.id in cache:
        return cache[sheet.id]
    comments = db.session.scalars(
        select(Comment).where(Comment.sheet_id == sheet.id).order_by(Comment.created_at, Comment.id)
        .options(selectinload(Comment.author).selectinload(User.organisation))).all()
    roots: dict[int, Thread] = {}
    for c in comments:
        if c.parent_id is None:
            roots[c.id] = Thread(c)
    for c in comments:
        if c.parent_id is not None and c.parent_id in roots:
            roots[c.parent_id].replies.append(c)
    result: dict[str | None, list[Thread]] = {}
    for t in sorted(roots.values(), key=lambda t: (t.resolved, t.root.created_at, t.root.id)):
        result.setdefault(t.root.section, []).append(t)
    cache[sheet.id] = result
    return result


def threads_for(sheet: Sheet, section: str | None) -> list[Thread]:
    return threads_by_section(sheet).get(section, [])


def open_threads(sheet: Sheet) -> list[Thread]:
    """Unresolved threads, the whole sheet's first, then sections in printed order."""
    return [t for _, ts in threads_in_order(sheet) for t in ts if not t.resolved]


def open_count(sheet: Sheet) -> int:
    return sum(1 for ts in threads_by_section(sheet).values() for t in ts if not t.resolved)


def label(sheet: Sheet, section: str | None) -> str:
    """The full name of a section: 「２０２４年度の活動実績（主要な取組）と評価／○具体的取組」."""
    return schema(sheet.cycle.year).label(section, sheet.cycle.year)


def short_label(sheet: Sheet, section: str | None) -> str:
    """The name a section has inside its box: 「○具体的取組」, or 「個票全体」."""
    sheet_schema = schema(sheet.cycle.year)
    if section is None or section not in sheet_schema:
        return sheet_schema.label(section, sheet.cycle.year)
    return sheet_schema.heading(section, sheet.cycle.year)


def threads_in_order(sheet: Sheet) -> list[tuple[str | None, list[Thread]]]:
    """(section key, threads): the whole sheet first, then sections in printed order."""
    by_section = threads_by_section(sheet)
    order = [None] + schema(sheet.cycle.year).keys
    keys = [k for k in order if k in by_section] + [k for k in by_section if k not in order]
    return [(k, by_section[k]) for k in keys]
