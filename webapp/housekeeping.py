"""`flask prune`: uploads no figure references and print-cache entries no sheet uses.

Both folders only grow otherwise: an upload whose save was refused, or a
figure removed or replaced while its file could not be deleted, stays in
the store's uploads; every edit of a sheet leaves the print cache's entries of
the old text behind. A grace period (by file time) keeps what a request
under way may still be about to use: an upload shown as 「保存待ち」 in a
form, a fit just computed for text not saved yet.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import select

from webapp import storage
from webapp.extensions import db
from webapp.models import Figure, Sheet
from webapp.storage import PARTIAL
from webapp.uploads import is_stored_name

DEFAULT_GRACE_HOURS = 24


@dataclass
class PruneResult:
    uploads: list[str] = field(default_factory=list)
    cache: list[str] = field(default_factory=list)


def prune(grace_hours: float = DEFAULT_GRACE_HOURS) -> PruneResult:
    result = PruneResult()
    result.uploads = _prune_uploads(storage.store(), grace_hours)
    result.cache = _prune_print_cache(grace_hours)
    return result


def _prune_uploads(store, grace_hours: float) -> list[str]:
    referenced = set(db.session.scalars(select(Figure.image_file).where(Figure.image_file.is_not(None))))
    limit = time.time() - grace_hours * 3600
    removed = []
    for entry in store.entries("uploads", partial=True):
        # Only our own names (and their half-written copies, see webapp.files): never
        # anything else put there.
        partial = PARTIAL.fullmatch(entry.name)
        stored = partial.group(1) if partial else entry.name
        if not is_stored_name(stored) or entry.name in referenced or entry.mtime >= limit:
            continue
        try:
            store.delete("uploads", entry.name)
            removed.append(store.path("uploads", entry.name) if store.kind == "local"
                           else f"s3://{store.bucket}/{store.key('uploads', entry.name)}")
        except OSError:
            pass
    return removed


def current_print_keys() -> set[str]:
    """The print-cache key of every sheet's content as it is now (all years)."""
    from webapp.editing.fit import sheet_content
    from webapp.reports import printer
    keys = set()
    for sheet in db.session.scalars(select(Sheet)):
        keys.add(printer.content_print_key(sheet_content(sheet), sheet.cycle.year))
    return keys


def _prune_print_cache(grace_hours: float) -> list[str]:
    cache = storage.print_cache()
    removed = cache.prune(max_age_days=grace_hours / 24, keep_keys=current_print_keys())
    return [str(p) for p in removed]
