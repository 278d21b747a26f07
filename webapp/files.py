"""Writing a file so that nobody ever reads half of it."""
from __future__ import annotations

import os
import secrets


def write_atomic(path: str, data: bytes | str) -> None:
    """Write under a private name in the same folder, then rename into place: readers
    (another worker, a download) see the old file or the whole new one, never a part."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
