"""One sha256 over the files of folders: what the code and data that produce a result are."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

# Byte-code caches change with the interpreter, not with a result.
_IGNORED_PARTS = {"__pycache__"}


def folders_sha256(roots: Iterable[Path], suffixes: tuple[str, ...] | None = None) -> str:
    """The hex sha256 of every file under ``roots`` (only ``suffixes``, when given): each root's name,
    then each file's path relative to its root and its bytes' sha256, in path order."""
    digest = hashlib.sha256()
    for root in roots:
        digest.update(root.name.encode() + b"\0")
        files = sorted(p for p in root.rglob("*") if p.is_file() and not _IGNORED_PARTS & set(p.parts)
                       and (suffixes is None or p.suffix in suffixes))
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
